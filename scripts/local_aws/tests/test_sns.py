"""AWS::SNS::Topic, Subscription and TopicPolicy through change sets, and probes that moto
5.2.5 is still broken where local_aws/sns.py works around it. (The golden observability
templates are deployed in test_cloudwatch.py.)"""

import json

import pytest
from botocore.exceptions import ClientError
from moto.core.common_models import CloudFormationModel
from moto.sns.models import Topic, sns_backends

from conftest import ACCOUNT, REGION
from local_aws import _cfn

FIXED = "moto fixed {} upstream: remove the extension in local_aws/sns.py"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"


def topic(**properties):
    return {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "alerts", **properties}}


def attributes(aws, arn):
    return aws.client("sns").get_topic_attributes(TopicArn=arn)["Attributes"]


def test_topic_properties_update_in_place_keep_subscriptions_and_delete(aws):
    resources = {
        "Topic": topic(DisplayName="alerts one", KmsMasterKeyId=KEY, Tags=[{"Key": "Name", "Value": "one"}]),
        "Mail": {"Type": "AWS::SNS::Subscription",
                 "Properties": {"TopicArn": {"Ref": "Topic"}, "Protocol": "email", "Endpoint": "ops@matbakh.app"}},  # fmt: skip
    }
    outputs = {"Ref": {"Value": {"Ref": "Topic"}}, "Arn": {"Value": {"Fn::GetAtt": ["Topic", "TopicArn"]}},
               "Name": {"Value": {"Fn::GetAtt": ["Topic", "TopicName"]}}}  # fmt: skip
    aws.deploy("t", {"Resources": resources, "Outputs": outputs})
    out = aws.outputs("t")
    arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"
    assert out == {"Ref": arn, "Arn": arn, "Name": "alerts"}
    found = attributes(aws, arn)
    assert (found["DisplayName"], found["KmsMasterKeyId"]) == ("alerts one", KEY)
    sns = aws.client("sns")
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "Name", "Value": "one"}]

    resources["Topic"] = topic(DisplayName="alerts two", Tags=[{"Key": "Name", "Value": "two"}])
    aws.deploy("t", {"Resources": resources, "Outputs": outputs})
    assert aws.physical_id("t", "Topic") == arn
    found = attributes(aws, arn)
    assert found["DisplayName"] == "alerts two" and "KmsMasterKeyId" not in found
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "Name", "Value": "two"}]
    # The subscription of the other resource survived the topic's update.
    assert [s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]] == ["ops@matbakh.app"]

    aws.cfn.delete_stack(StackName="t")
    assert sns.list_topics()["Topics"] == [] and sns.list_subscriptions()["Subscriptions"] == []


def test_topic_with_inline_subscriptions(aws):
    inline = [{"Protocol": "email", "Endpoint": "a@matbakh.app"}]
    aws.deploy("t", {"Resources": {"Topic": topic(Subscription=inline)}})
    arn = aws.physical_id("t", "Topic")
    sns = aws.client("sns")
    assert [s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]] == ["a@matbakh.app"]
    aws.deploy("t", {"Resources": {"Topic": topic(Subscription=[{"Protocol": "email", "Endpoint": "b@matbakh.app"}])}})
    assert [s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]] == ["b@matbakh.app"]


def test_topic_name_taken_fails_the_resource(aws):
    aws.client("sns").create_topic(Name="alerts")
    aws.deploy("t", {"Resources": {"Topic": topic()}}, expect="ROLLBACK_COMPLETE")


def test_subscriptions_with_attributes_update_and_unsubscribe(aws):
    filter_policy = {"severity": ["critical"]}
    resources = {
        "Topic": topic(),
        "Sms": {"Type": "AWS::SNS::Subscription", "Properties": {
            "TopicArn": {"Ref": "Topic"}, "Protocol": "sms", "Endpoint": "+49123456789"}},
        "Hook": {"Type": "AWS::SNS::Subscription", "Properties": {
            "TopicArn": {"Ref": "Topic"}, "Protocol": "https", "Endpoint": "https://hooks.example.com/x",
            "FilterPolicy": filter_policy, "RawMessageDelivery": True}},
    }  # fmt: skip
    outputs = {"Hook": {"Value": {"Ref": "Hook"}}, "HookArn": {"Value": {"Fn::GetAtt": ["Hook", "Arn"]}}}
    aws.deploy("t", {"Resources": resources, "Outputs": outputs})
    out = aws.outputs("t")
    arn = aws.physical_id("t", "Topic")
    sns = aws.client("sns")
    listed = {s["Protocol"]: s for s in sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]}
    assert set(listed) == {"sms", "https"}
    assert out["Hook"] == out["HookArn"] == listed["https"]["SubscriptionArn"] == aws.physical_id("t", "Hook")
    assert out["Hook"].startswith(arn + ":")
    found = sns.get_subscription_attributes(SubscriptionArn=out["Hook"])["Attributes"]
    assert json.loads(found["FilterPolicy"]) == filter_policy
    assert found["RawMessageDelivery"] == "true" and found["Endpoint"] == "https://hooks.example.com/x"

    hook = resources["Hook"]["Properties"]
    hook["FilterPolicy"] = {"severity": ["warning"]}
    del hook["RawMessageDelivery"]
    aws.deploy("t", {"Resources": resources, "Outputs": outputs})
    assert aws.physical_id("t", "Hook") == out["Hook"]
    found = sns.get_subscription_attributes(SubscriptionArn=out["Hook"])["Attributes"]
    assert json.loads(found["FilterPolicy"]) == {"severity": ["warning"]}
    assert found["RawMessageDelivery"] == "false"

    del resources["Sms"]
    aws.deploy("t", {"Resources": resources, "Outputs": outputs})
    assert [s["Protocol"] for s in sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]] == ["https"]


def test_topic_policy_sets_policies_moves_and_restores_the_default(aws):
    def policy(topics):
        return {"Type": "AWS::SNS::TopicPolicy", "Properties": {
            "Topics": [{"Ref": t} for t in topics],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Sid": "AllowCloudWatchAlarmsToPublish", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": ["sns:Publish"], "Resource": [{"Ref": t} for t in topics]}]}}}  # fmt: skip

    resources = {"A": topic(TopicName="a"), "B": topic(TopicName="b"), "Policy": policy(["A", "B"])}
    outputs = {"Ref": {"Value": {"Ref": "Policy"}}, "Id": {"Value": {"Fn::GetAtt": ["Policy", "Id"]}}}
    aws.deploy("t", {"Resources": resources, "Outputs": outputs})
    out = aws.outputs("t")
    assert out["Ref"] == out["Id"] == aws.physical_id("t", "Policy") and out["Ref"].startswith("t-Policy-")
    a, b = aws.physical_id("t", "A"), aws.physical_id("t", "B")
    for arn in (a, b):
        statement = json.loads(attributes(aws, arn)["Policy"])["Statement"][0]
        assert statement["Sid"] == "AllowCloudWatchAlarmsToPublish"

    resources["Policy"] = policy(["A"])
    aws.deploy("t", {"Resources": resources, "Outputs": outputs})
    assert aws.physical_id("t", "Policy") == out["Ref"]
    assert json.loads(attributes(aws, a)["Policy"])["Statement"][0]["Sid"] == "AllowCloudWatchAlarmsToPublish"
    assert json.loads(attributes(aws, b)["Policy"])["Id"] == "__default_policy_ID"

    del resources["Policy"]
    aws.deploy("t", {"Resources": resources})
    assert json.loads(attributes(aws, a)["Policy"])["Id"] == "__default_policy_ID"


def test_subscription_endpoint_change_replaces_it(aws):
    """Endpoint is createOnly: the engine replaces the subscription (a new ARN; the old one
    is unsubscribed)."""
    resources = {"Topic": topic(), "Mail": {"Type": "AWS::SNS::Subscription", "Properties": {
        "TopicArn": {"Ref": "Topic"}, "Protocol": "email", "Endpoint": "a@matbakh.app"}}}  # fmt: skip
    aws.deploy("t", {"Resources": resources})
    old = aws.physical_id("t", "Mail")
    resources["Mail"]["Properties"]["Endpoint"] = "b@matbakh.app"
    aws.deploy("t", {"Resources": resources})
    new = aws.physical_id("t", "Mail")
    assert new != old
    listed = aws.client("sns").list_subscriptions()["Subscriptions"]
    assert [s["Endpoint"] for s in listed] == ["b@matbakh.app"]
    with pytest.raises(ClientError):
        aws.client("sns").get_subscription_attributes(SubscriptionArn=old)


# --------------------------------------------------------------------------- probes: moto still broken


def test_probe_topic_update_recreates_and_drops_subscriptions(aws):
    create = _cfn.original(Topic, "create_from_cloudformation_json")
    props = {"TopicName": "probe", "Tags": [{"Key": "k", "Value": "v"}]}
    created = create("probe", {"Properties": props}, ACCOUNT, REGION)
    assert created._tags == {}, FIXED.format("Topic Tags")
    backend = sns_backends[ACCOUNT][REGION]
    backend.subscribe(created.arn, "a@matbakh.app", "email")
    update = _cfn.original(Topic, "update_from_cloudformation_json")
    update(created, "probe", {"Properties": {**props, "DisplayName": "x"}}, ACCOUNT, REGION)
    assert backend.list_subscriptions_by_topic(created.arn)[0] == [], FIXED.format("Topic updates in place")
    assert not _cfn.original(Topic, "has_cfn_attr")("TopicArn"), FIXED.format("Topic GetAtt TopicArn")


def test_probe_no_subscription_nor_topic_policy_model():
    moto_types = {c.cloudformation_type() for c in CloudFormationModel.__subclasses__() if c.__module__.startswith("moto.")}
    for kind in ("AWS::SNS::Subscription", "AWS::SNS::TopicPolicy"):
        assert kind not in moto_types, FIXED.format(kind)


