"""The CloudFormation engine (local_aws/cloudformation.py): change sets, execution, events,
rollback, updates by resolved-property diff, replacement, dynamic references, and the
probes that show each moto bug it works around is still there."""

import json
import uuid

import pytest
import requests
from botocore.exceptions import ClientError
from moto.cloudformation.models import CloudFormationBackend, Stack, cloudformation_backends
from moto.cloudformation import parsing
from moto.cloudformation.parsing import ResourceMap
from moto.cloudformation.responses import CloudFormationResponse, StackResourceDTO
from moto.core.common_models import CloudFormationModel
from moto.core.exceptions import ServiceException

from local_aws import _cfn
from local_aws._engine_template import create_only, requires_replacement

from conftest import ACCOUNT, REGION, golden_template

# ---------------------------------------------------------------- a test-only resource type

THINGS: dict[str, dict] = {}  # physical id -> properties: the "service" behind the test types
SPIES: dict[str, object] = {}  # Thing property Spy -> what to call while the Thing is created


class ThingRefused(ServiceException):
    code = "InvalidRequest"


class Thing(CloudFormationModel):
    """LocalTest::Engine::Thing: fails on demand (property Fail / FailUpdate / FailDelete)."""

    __module__ = "local_aws.test_cloudformation"  # moto's model tracker reads the 2nd part

    def __init__(self, name, props):
        self.name, self.props = name, props

    @staticmethod
    def cloudformation_type():
        return "LocalTest::Engine::Thing"

    @staticmethod
    def cloudformation_name_type():
        return "ThingName"

    @property
    def physical_resource_id(self):
        return self.name

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr == "Size"

    def get_cfn_attribute(self, attr):
        return str(self.props.get("Size", ""))

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]
        if props.get("Fail"):
            raise ThingRefused(f"Thing {resource_name} refused: {props['Fail']}")
        if props.get("Spy"):
            SPIES[props["Spy"]]()  # e.g. a request of another client while the operation runs
        THINGS[resource_name] = dict(props)
        return cls(resource_name, dict(props))

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = cloudformation_json["Properties"]
        if props.get("FailUpdate"):
            raise ThingRefused(f"Thing {original_resource.name} cannot become {props['FailUpdate']}")
        original_resource.props = THINGS[original_resource.name] = dict(props)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        if cloudformation_json["Properties"].get("FailDelete"):
            raise ThingRefused(f"Thing {resource_name} is still in use")
        THINGS.pop(resource_name, None)

    def is_created(self):
        return True


class Frozen(CloudFormationModel):
    """LocalTest::Engine::Frozen: a model without an update handler (as many of moto's)."""

    __module__ = "local_aws.test_cloudformation"

    def __init__(self, name):
        self.name = name

    @staticmethod
    def cloudformation_type():
        return "LocalTest::Engine::Frozen"

    @staticmethod
    def cloudformation_name_type():
        return ""

    @property
    def physical_resource_id(self):
        return self.name

    @classmethod
    def has_cfn_attr(cls, attr):
        return False

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        THINGS[resource_name] = dict(cloudformation_json["Properties"])
        return cls(resource_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        THINGS.pop(resource_name, None)

    def is_created(self):
        return True


_cfn.model(Thing)
_cfn.model(Frozen)


@pytest.fixture(autouse=True)
def _things():
    THINGS.clear()
    SPIES.clear()
    yield
    THINGS.clear()
    SPIES.clear()


# ---------------------------------------------------------------- helpers


def thing(name=None, **props):
    return {"Type": "LocalTest::Engine::Thing", "Properties": {**({"ThingName": name} if name else {}), **props}}


def queue(name=None, **props):
    return {"Type": "AWS::SQS::Queue", "Properties": {**({"QueueName": name} if name else {}), **props}}


def param(name, value):
    return {"Type": "AWS::SSM::Parameter", "Properties": {"Name": name, "Type": "String", "Value": value}}


def template(resources, outputs=None, parameters=None, **extra):
    body = {"Resources": resources, **extra}
    if outputs:
        body["Outputs"] = outputs
    if parameters:
        body["Parameters"] = parameters
    return body


def change_set(aws, stack, body, kind, parameters=None, name=None):
    """Creates a change set; returns its description."""
    arn = aws.cfn.create_change_set(
        StackName=stack,
        ChangeSetName=name or f"cs-{uuid.uuid4().hex[:10]}",
        ChangeSetType=kind,
        TemplateBody=json.dumps(body),
        Parameters=[{"ParameterKey": k, "ParameterValue": str(v)} for k, v in (parameters or {}).items()],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )["Id"]
    return aws.cfn.describe_change_set(ChangeSetName=arn)


def execute(aws, stack, body, kind, parameters=None, token=None):
    """Creates and executes a change set whatever the outcome; returns the stack status."""
    described = change_set(aws, stack, body, kind, parameters)
    assert described["Status"] == "CREATE_COMPLETE", described.get("StatusReason")
    extra = {"ClientRequestToken": token} if token else {}
    answer = aws.cfn.execute_change_set(ChangeSetName=described["ChangeSetId"], **extra)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    return status(aws, stack)


def status(aws, stack):
    return aws.cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]


def events(aws, stack):
    """(logical id, status, reason) oldest first."""
    listed = aws.cfn.describe_stack_events(StackName=stack)["StackEvents"]
    return [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason")) for e in reversed(listed)]


def statuses(aws, stack, since=0):
    return [(logical, state) for logical, state, _ in events(aws, stack)[since:]]


def resources(aws, stack):
    rows = aws.cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    return {r["LogicalResourceId"]: (r["ResourceStatus"], r.get("PhysicalResourceId")) for r in rows}


def exports(aws):
    return {e["Name"]: e["Value"] for e in aws.cfn.list_exports()["Exports"]}


def reason(aws, stack, logical_id, state):
    return next(r for lid, s, r in events(aws, stack) if lid == logical_id and s == state)


def ssm_value(aws, name):
    return aws.client("ssm").get_parameter(Name=name)["Parameter"]["Value"]


def queue_names(aws):
    return sorted(u.rsplit("/", 1)[1] for u in aws.client("sqs").list_queues().get("QueueUrls", []))


# ---------------------------------------------------------------- change-set create: outputs and exports


def test_change_set_create_registers_outputs_and_exports_and_a_second_stack_imports_them(aws):
    producer = template(
        {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "shared"}}},
        outputs={
            "TopicArn": {"Value": {"Ref": "Topic"}, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-TopicArn"}}},
            "Same": {"Value": {"Ref": "Topic"}},  # same value, not exported: no ExportName
        },
    )
    stack = aws.deploy("producer", producer)
    arn = aws.client("sns").list_topics()["Topics"][0]["TopicArn"]
    outputs = {o["OutputKey"]: o for o in stack["Outputs"]}
    assert outputs["TopicArn"]["OutputValue"] == arn and outputs["TopicArn"]["ExportName"] == "producer-TopicArn"
    assert "ExportName" not in outputs["Same"]
    listed = aws.cfn.list_exports()["Exports"]
    assert listed == [{"ExportingStackId": stack["StackId"], "Name": "producer-TopicArn", "Value": arn}]

    consumer = template({"Imported": param("/imported", {"Fn::ImportValue": "producer-TopicArn"})})
    aws.deploy("consumer", consumer)
    assert ssm_value(aws, "/imported") == arn

    # Export names are unique per region: a second exporter fails and rolls back.
    rival = template({"Queue": queue("rival")},
                     outputs={"Out": {"Value": "x", "Export": {"Name": "producer-TopicArn"}}})
    assert execute(aws, "rival", rival, "CREATE") == "ROLLBACK_COMPLETE"
    assert reason(aws, "rival", "rival", "ROLLBACK_IN_PROGRESS") == (
        "Export with name producer-TopicArn is already exported by stack producer. Rollback requested by user."
    )
    assert queue_names(aws) == []
    assert exports(aws) == {"producer-TopicArn": arn}


def test_outputs_and_exports_are_refreshed_after_an_update(aws):
    body = template(
        {"Value": param("/value", {"Ref": "V"})},
        parameters={"V": {"Type": "String"}},
        outputs={
            "Kept": {"Value": {"Ref": "V"}, "Export": {"Name": "kept"}},
            "Dropped": {"Value": "old", "Export": {"Name": "dropped"}},
        },
    )
    aws.deploy("outs", body, {"V": "one"})
    assert exports(aws) == {"kept": "one", "dropped": "old"}

    body["Outputs"].pop("Dropped")
    body["Outputs"]["Added"] = {"Value": {"Fn::Sub": "${V}-added"}, "Export": {"Name": "added"}}
    aws.deploy("outs", body, {"V": "two"})
    assert aws.outputs("outs") == {"Kept": "two", "Added": "two-added"}
    assert exports(aws) == {"kept": "two", "added": "two-added"}
    assert ssm_value(aws, "/value") == "two"


# ---------------------------------------------------------------- events


def test_per_resource_events_in_order_with_timestamps_and_the_request_token(aws):
    body = template({"Queue": queue("events-q"), "Url": param("/url", {"Ref": "Queue"})})
    assert execute(aws, "ev", body, "CREATE", token="apply-1") == "CREATE_COMPLETE"
    listed = aws.cfn.describe_stack_events(StackName="ev")["StackEvents"]
    stamps = [e["Timestamp"] for e in listed]
    assert stamps == sorted(stamps, reverse=True), "newest first, non-decreasing in time"
    assert statuses(aws, "ev") == [
        ("ev", "REVIEW_IN_PROGRESS"),
        ("ev", "CREATE_IN_PROGRESS"),
        ("Queue", "CREATE_IN_PROGRESS"),
        ("Queue", "CREATE_IN_PROGRESS"),
        ("Queue", "CREATE_COMPLETE"),
        ("Url", "CREATE_IN_PROGRESS"),
        ("Url", "CREATE_IN_PROGRESS"),
        ("Url", "CREATE_COMPLETE"),
        ("ev", "CREATE_COMPLETE"),
    ]
    url = aws.client("sqs").get_queue_url(QueueName="events-q")["QueueUrl"]
    by_status = {(e["LogicalResourceId"], e["ResourceStatus"]): e for e in listed}
    assert by_status[("Queue", "CREATE_COMPLETE")]["PhysicalResourceId"] == url
    assert by_status[("Queue", "CREATE_COMPLETE")]["ResourceType"] == "AWS::SQS::Queue"
    assert by_status[("ev", "CREATE_IN_PROGRESS")]["ResourceStatusReason"] == "User Initiated"
    assert {e.get("ClientRequestToken") for e in listed if e["ResourceStatus"] != "REVIEW_IN_PROGRESS"} == {"apply-1"}
    assert resources(aws, "ev") == {"Queue": ("CREATE_COMPLETE", url), "Url": ("CREATE_COMPLETE", "/url")}

    seen = len(events(aws, "ev"))
    body["Resources"]["Url"]["Properties"]["Description"] = "the queue"
    assert execute(aws, "ev", body, "UPDATE", token="apply-2") == "UPDATE_COMPLETE"
    assert statuses(aws, "ev", seen) == [
        ("ev", "UPDATE_IN_PROGRESS"),
        ("Url", "UPDATE_IN_PROGRESS"),
        ("Url", "UPDATE_COMPLETE"),
        ("ev", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"),
        ("ev", "UPDATE_COMPLETE"),
    ]
    detail = aws.cfn.describe_stack_resources(StackName="ev", LogicalResourceId="Url")["StackResources"][0]
    assert (detail["ResourceStatus"], detail["PhysicalResourceId"]) == ("UPDATE_COMPLETE", "/url")
    assert aws.cfn.describe_stacks(StackName="ev")["Stacks"][0]["LastUpdatedTime"]


# ---------------------------------------------------------------- failures and rollback


def test_create_failure_rolls_back_and_the_stack_can_only_be_deleted(aws):
    body = template({
        "Queue": queue("doomed-q"),
        "Url": param("/doomed", {"Ref": "Queue"}),
        "Broken": {**thing("broken", Fail="no capacity"), "DependsOn": "Url"},
    })
    assert execute(aws, "doomed", body, "CREATE") == "ROLLBACK_COMPLETE"  # ExecuteChangeSet answered 200
    assert reason(aws, "doomed", "Broken", "CREATE_FAILED") == "Thing broken refused: no capacity"
    assert reason(aws, "doomed", "doomed", "ROLLBACK_IN_PROGRESS") == (
        "The following resource(s) failed to create: [Broken]. Rollback requested by user."
    )
    tail = statuses(aws, "doomed")[-7:]
    assert tail == [
        ("doomed", "ROLLBACK_IN_PROGRESS"),
        ("Broken", "DELETE_COMPLETE"),
        ("Url", "DELETE_IN_PROGRESS"),
        ("Url", "DELETE_COMPLETE"),
        ("Queue", "DELETE_IN_PROGRESS"),
        ("Queue", "DELETE_COMPLETE"),
        ("doomed", "ROLLBACK_COMPLETE"),
    ]
    assert queue_names(aws) == []
    with pytest.raises(ClientError, match="ParameterNotFound"):
        aws.client("ssm").get_parameter(Name="/doomed")
    assert {k: v[0] for k, v in resources(aws, "doomed").items()} == {
        "Queue": "DELETE_COMPLETE", "Url": "DELETE_COMPLETE", "Broken": "DELETE_COMPLETE"}
    assert aws.cfn.describe_stacks()["Stacks"][0].get("Outputs") is None  # no 500

    stack_id = aws.cfn.describe_stacks(StackName="doomed")["Stacks"][0]["StackId"]
    with pytest.raises(ClientError) as refused:
        change_set(aws, "doomed", body, "UPDATE")
    assert refused.value.response["Error"]["Code"] == "ValidationError"
    assert refused.value.response["Error"]["Message"] == (
        f"Stack:{stack_id} is in ROLLBACK_COMPLETE state and can not be updated."
    )
    aws.cfn.delete_stack(StackName="doomed")
    assert aws.cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"


def test_update_failure_rolls_back_to_the_previous_state(aws):
    before = template({
        "Queue": queue("upd-q", VisibilityTimeout=30),
        "Value": param("/upd", "v1"),
        "Widget": thing("widget", Size="1"),
    })
    aws.deploy("upd", before)
    stack_id = aws.cfn.describe_stacks(StackName="upd")["Stacks"][0]["StackId"]
    after = json.loads(json.dumps(before))
    after["Resources"]["Queue"]["Properties"]["VisibilityTimeout"] = 60
    after["Resources"]["Value"]["Properties"]["Value"] = "v2"
    after["Resources"]["Extra"] = thing("extra", Size="9")
    after["Resources"]["Widget"] = {**thing("widget", Size="2", FailUpdate="too big"),
                                    "DependsOn": ["Queue", "Value", "Extra"]}
    seen = len(events(aws, "upd"))

    assert execute(aws, "upd", after, "UPDATE") == "UPDATE_ROLLBACK_COMPLETE"
    assert reason(aws, "upd", "Widget", "UPDATE_FAILED") == "Thing widget cannot become too big"
    assert reason(aws, "upd", "upd", "UPDATE_ROLLBACK_IN_PROGRESS") == (
        "The following resource(s) failed to update: [Widget]. "
    )
    got = statuses(aws, "upd", seen)
    rollback = got[got.index(("upd", "UPDATE_ROLLBACK_IN_PROGRESS")):]
    assert rollback == [
        ("upd", "UPDATE_ROLLBACK_IN_PROGRESS"),
        ("Widget", "UPDATE_IN_PROGRESS"),
        ("Widget", "UPDATE_COMPLETE"),
        ("Value", "UPDATE_IN_PROGRESS"),
        ("Value", "UPDATE_COMPLETE"),
        ("Queue", "UPDATE_IN_PROGRESS"),
        ("Queue", "UPDATE_COMPLETE"),
        ("upd", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"),
        ("Extra", "DELETE_IN_PROGRESS"),
        ("Extra", "DELETE_COMPLETE"),
        ("upd", "UPDATE_ROLLBACK_COMPLETE"),
    ]
    url = aws.client("sqs").get_queue_url(QueueName="upd-q")["QueueUrl"]
    attrs = aws.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
    assert attrs["Attributes"]["VisibilityTimeout"] == "30"
    assert ssm_value(aws, "/upd") == "v1"
    assert THINGS == {"widget": {"ThingName": "widget", "Size": "1"}}
    assert set(resources(aws, "upd")) == {"Queue", "Value", "Widget"}
    assert aws.cfn.get_template(StackName="upd")["TemplateBody"] == before

    # UPDATE_ROLLBACK_COMPLETE is a stable state: the stack can be updated again.
    after["Resources"]["Widget"] = thing("widget", Size="2")
    aws.deploy("upd", after)
    assert THINGS["widget"]["Size"] == "2" and THINGS["extra"]["Size"] == "9"
    assert aws.cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"


def test_create_stack_runs_the_same_engine(aws):
    failing = json.dumps(template({"Broken": thing(Fail="nope")}))
    aws.cfn.create_stack(StackName="direct", TemplateBody=failing, ClientRequestToken="tok-direct")
    assert status(aws, "direct") == "ROLLBACK_COMPLETE"
    listed = aws.cfn.describe_stack_events(StackName="direct")["StackEvents"]
    assert {e.get("ClientRequestToken") for e in listed} == {"tok-direct"}
    with pytest.raises(ClientError, match="AlreadyExistsException"):
        aws.cfn.create_stack(StackName="direct", TemplateBody=failing)
    kept = json.dumps(template({"Made": thing("made"), "Broken": {**thing(Fail="nope"), "DependsOn": "Made"}}))
    aws.cfn.create_stack(StackName="kept", TemplateBody=kept, OnFailure="DO_NOTHING")
    assert status(aws, "kept") == "CREATE_FAILED" and set(THINGS) == {"made"}  # nothing rolled back

    body = template({"Widget": thing(Size="1")}, outputs={"Size": {"Value": {"Fn::GetAtt": ["Widget", "Size"]},
                                                                   "Export": {"Name": "size"}}})
    aws.cfn.create_stack(StackName="direct2", TemplateBody=json.dumps(body))
    assert status(aws, "direct2") == "CREATE_COMPLETE" and exports(aws) == {"size": "1"}
    body["Resources"]["Widget"]["Properties"]["Size"] = "3"
    aws.cfn.update_stack(StackName="direct2", TemplateBody=json.dumps(body))
    assert status(aws, "direct2") == "UPDATE_COMPLETE" and exports(aws) == {"size": "3"}
    with pytest.raises(ClientError, match="No updates are to be performed."):
        aws.cfn.update_stack(StackName="direct2", TemplateBody=json.dumps(body))


# ---------------------------------------------------------------- updates


def test_replacement_creates_the_new_resource_first_and_updates_what_refers_to_it(aws):
    assert create_only("AWS::SQS::Queue") >= {"QueueName"}  # the registry schema says so
    body = template({"Queue": queue("q-one"), "Url": param("/q-url", {"Ref": "Queue"})})
    aws.deploy("repl", body)
    old_url = aws.physical_id("repl", "Queue")
    body["Resources"]["Queue"]["Properties"]["QueueName"] = "q-two"

    described = change_set(aws, "repl", body, "UPDATE")
    changes = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in described["Changes"]}
    assert changes["Queue"] == {
        "Action": "Modify", "LogicalResourceId": "Queue", "PhysicalResourceId": old_url,
        "ResourceType": "AWS::SQS::Queue", "Replacement": "True", "Scope": ["Properties"],
        "PolicyAction": "ReplaceAndDelete",
        "Details": [{"Target": {"Attribute": "Properties", "Name": "QueueName", "RequiresRecreation": "Always"},
                     "Evaluation": "Static", "ChangeSource": "DirectModification"}],
    }
    assert changes["Url"]["Replacement"] == "False"
    assert changes["Url"]["Details"] == [
        {"Target": {"Attribute": "Properties", "Name": "Value", "RequiresRecreation": "Never"},
         "Evaluation": "Dynamic", "ChangeSource": "ResourceReference", "CausingEntity": "Queue"}]

    seen = len(events(aws, "repl"))
    aws.cfn.execute_change_set(ChangeSetName=described["ChangeSetId"])
    assert status(aws, "repl") == "UPDATE_COMPLETE"
    new_url = aws.physical_id("repl", "Queue")
    assert new_url != old_url and new_url.endswith("/q-two")
    listed = aws.cfn.describe_stack_events(StackName="repl")["StackEvents"][::-1][seen:]
    assert [(e["LogicalResourceId"], e["ResourceStatus"], e.get("PhysicalResourceId")) for e in listed] == [
        ("repl", "UPDATE_IN_PROGRESS", listed[0]["PhysicalResourceId"]),
        ("Queue", "UPDATE_IN_PROGRESS", old_url),
        ("Queue", "UPDATE_IN_PROGRESS", new_url),
        ("Queue", "UPDATE_COMPLETE", new_url),
        ("Url", "UPDATE_IN_PROGRESS", "/q-url"),
        ("Url", "UPDATE_COMPLETE", "/q-url"),
        ("repl", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", listed[0]["PhysicalResourceId"]),
        ("Queue", "DELETE_IN_PROGRESS", old_url),
        ("Queue", "DELETE_COMPLETE", old_url),
        ("repl", "UPDATE_COMPLETE", listed[0]["PhysicalResourceId"]),
    ]
    assert listed[1]["ResourceStatusReason"] == (
        "Requested update requires the creation of a new physical resource; hence creating one."
    )
    assert queue_names(aws) == ["q-two"]
    assert ssm_value(aws, "/q-url") == new_url


def test_a_custom_named_resource_that_needs_replacing_fails_the_update(aws):
    assert create_only("AWS::IAM::Role") >= {"Path", "RoleName"}
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    role = {"Type": "AWS::IAM::Role",
            "Properties": {"RoleName": "fixed-role", "Path": "/a/", "AssumeRolePolicyDocument": trust}}
    aws.deploy("named", template({"Role": role}))
    role["Properties"]["Path"] = "/b/"
    assert execute(aws, "named", template({"Role": role}), "UPDATE") == "UPDATE_ROLLBACK_COMPLETE"
    assert reason(aws, "named", "Role", "UPDATE_FAILED") == (
        "CloudFormation cannot update a stack when a custom-named resource requires replacing. "
        "Rename fixed-role and update the stack again."
    )
    assert aws.client("iam").get_role(RoleName="fixed-role")["Role"]["Path"] == "/a/"


def test_a_nested_create_only_path_replaces_only_when_it_changes(aws):
    """AWS::Glue::Connection's schema lists /properties/ConnectionInput/Name: the rest of
    ConnectionInput is updated in place; the detail names the top-level property."""
    assert create_only("AWS::Glue::Connection") >= {"ConnectionInput/Name"}

    def connection(name, url):
        return {"Type": "AWS::Glue::Connection", "Properties": {"CatalogId": {"Ref": "AWS::AccountId"}, "ConnectionInput": {
            "Name": name, "ConnectionType": "JDBC", "ConnectionProperties": {"JDBC_CONNECTION_URL": url}}}}

    aws.deploy("nested", template({"Conn": connection("c-one", "jdbc:a")}))
    described = change_set(aws, "nested", template({"Conn": connection("c-one", "jdbc:b")}), "UPDATE")
    (change,) = [c["ResourceChange"] for c in described["Changes"]]
    assert (change["Replacement"], change["Details"]) == ("False", [
        {"Target": {"Attribute": "Properties", "Name": "ConnectionInput", "RequiresRecreation": "Never"},
         "Evaluation": "Static", "ChangeSource": "DirectModification"}])
    assert execute(aws, "nested", template({"Conn": connection("c-one", "jdbc:b")}), "UPDATE") == "UPDATE_COMPLETE"
    assert aws.physical_id("nested", "Conn") == "c-one"

    described = change_set(aws, "nested", template({"Conn": connection("c-two", "jdbc:b")}), "UPDATE")
    (change,) = [c["ResourceChange"] for c in described["Changes"]]
    assert (change["Replacement"], change["Details"][0]["Target"]["RequiresRecreation"]) == ("True", "Always")
    assert execute(aws, "nested", template({"Conn": connection("c-two", "jdbc:b")}), "UPDATE") == "UPDATE_COMPLETE"
    assert [c["Name"] for c in aws.client("glue").get_connections()["ConnectionList"]] == ["c-two"]


def test_create_only_pointers_through_arrays_compare_each_item():
    """``*`` in a schema pointer designates every item of an array (e.g. AWS::MSK::Replicator
    /properties/ReplicationInfoList/*/TargetCompressionType)."""
    kind, prop = "AWS::MSK::Replicator", "ReplicationInfoList"
    assert "ReplicationInfoList/*/TargetCompressionType" in create_only(kind)
    before = [{"TargetCompressionType": "GZIP", "TopicReplication": {"TopicsToReplicate": ["a"]}}]

    def changed(after):
        return requires_replacement(kind, prop, before, after, REGION)

    assert not changed([{"TargetCompressionType": "GZIP", "TopicReplication": {"TopicsToReplicate": ["b"]}}])
    assert changed([{"TargetCompressionType": "NONE", "TopicReplication": {"TopicsToReplicate": ["a"]}}])
    assert changed(before + before)  # an added item brings its create-only values
    assert requires_replacement("AWS::Glue::Connection", "ConnectionInput", None, {"Name": "c"}, REGION)
    assert not requires_replacement("AWS::Glue::Connection", "ConnectionInput", {"Name": "c"}, {"Name": "c", "X": 1}, REGION)


def test_a_type_without_update_handler_fails_the_update_instead_of_dropping_the_resource(aws):
    body = template({"Ice": {"Type": "LocalTest::Engine::Frozen", "Properties": {"Size": "1"}}})
    aws.deploy("frozen", body)
    physical = aws.physical_id("frozen", "Ice")
    body["Resources"]["Ice"]["Properties"]["Size"] = "2"
    assert execute(aws, "frozen", body, "UPDATE") == "UPDATE_ROLLBACK_COMPLETE"
    assert "no update handler" in reason(aws, "frozen", "Ice", "UPDATE_FAILED")
    assert resources(aws, "frozen") == {"Ice": ("UPDATE_FAILED", physical)}  # still in the stack
    assert THINGS == {physical: {"Size": "1"}}


def test_removed_resources_honour_their_deletion_policy(aws):
    body = template({
        "Kept": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "kept"}, "DeletionPolicy": "Retain"},
        "Gone": {**queue("gone-q"), "DeletionPolicy": "Snapshot"},
        "Stays": param("/stays", "x"),
    })
    aws.deploy("retain", body)
    del body["Resources"]["Kept"], body["Resources"]["Gone"]
    described = change_set(aws, "retain", body, "UPDATE")
    removed = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"]["PolicyAction"] for c in described["Changes"]}
    assert removed == {"Kept": "Retain", "Gone": "Snapshot"}
    aws.cfn.execute_change_set(ChangeSetName=described["ChangeSetId"])
    assert status(aws, "retain") == "UPDATE_COMPLETE"
    assert ("Kept", "DELETE_SKIPPED") in statuses(aws, "retain")
    assert ("Gone", "DELETE_COMPLETE") in statuses(aws, "retain")
    assert [t["TopicArn"].rsplit(":", 1)[1] for t in aws.client("sns").list_topics()["Topics"]] == ["kept"]
    assert queue_names(aws) == []
    assert set(resources(aws, "retain")) == {"Stays"}


def test_parameter_only_changes_and_conditions_update_the_resources(aws):
    body = template(
        {"Value": param("/p", {"Ref": "V"}),
         "Optional": {**param("/optional", "here"), "Condition": "WithOptional"}},
        parameters={"V": {"Type": "String"}, "Extra": {"Type": "String", "Default": "no"}},
        Conditions={"WithOptional": {"Fn::Equals": [{"Ref": "Extra"}, "yes"]}},
    )
    aws.deploy("params", body, {"V": "a"})
    assert set(resources(aws, "params")) == {"Value"}
    same = change_set(aws, "params", body, "UPDATE", {"V": "a"})
    assert (same["Status"], same["StatusReason"]) == (
        "FAILED", "The submitted information didn't contain changes. Submit different information to create a change set.")

    described = change_set(aws, "params", body, "UPDATE", {"V": "b", "Extra": "yes"})
    changes = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in described["Changes"]}
    assert changes["Optional"]["Action"] == "Add"
    assert changes["Value"]["Details"] == [
        {"Target": {"Attribute": "Properties", "Name": "Value", "RequiresRecreation": "Never"},
         "Evaluation": "Static", "ChangeSource": "ParameterReference", "CausingEntity": "V"}]
    with_values = aws.cfn.describe_change_set(ChangeSetName=described["ChangeSetId"], IncludePropertyValues=True)
    target = with_values["Changes"][0]["ResourceChange"]["Details"][0]["Target"]
    assert (target["BeforeValue"], target["AfterValue"]) == ("a", "b")
    aws.cfn.execute_change_set(ChangeSetName=described["ChangeSetId"])
    assert ssm_value(aws, "/p") == "b" and ssm_value(aws, "/optional") == "here"

    aws.deploy("params", body, {"V": "b", "Extra": "no"})
    assert set(resources(aws, "params")) == {"Value"}
    with pytest.raises(ClientError, match="ParameterNotFound"):
        aws.client("ssm").get_parameter(Name="/optional")


def test_list_parameter_defaults_are_typed_and_no_echo_values_hidden(aws):
    body = template(
        {"First": param("/first", {"Fn::Select": ["1", {"Ref": "Zones"}]})},
        parameters={"Zones": {"Type": "CommaDelimitedList", "Default": "eu-central-1a,eu-central-1b"},
                    "Secret": {"Type": "String", "NoEcho": True, "Default": "hunter2"}},
    )
    stack = aws.deploy("typed", body)
    assert ssm_value(aws, "/first") == "eu-central-1b"
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]} == {
        "Zones": "eu-central-1a,eu-central-1b", "Secret": "****"}


# ---------------------------------------------------------------- deletion


def test_delete_stack_deletes_in_reverse_dependency_order_with_events(aws):
    body = template({
        "Third": param("/third", {"Fn::Sub": "${Second}-3"}),
        "Second": param("/second", {"Fn::Sub": "${First}-2"}),
        "First": queue("first-q"),
        "Kept": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "kept"}, "DeletionPolicy": "Retain"},
    }, outputs={"Out": {"Value": {"Ref": "First"}, "Export": {"Name": "first-url"}}})
    aws.deploy("del", body)
    stack_id = aws.cfn.describe_stacks(StackName="del")["Stacks"][0]["StackId"]
    seen = len(events(aws, "del"))
    aws.cfn.delete_stack(StackName="del", ClientRequestToken="bye")
    listed = aws.cfn.describe_stack_events(StackName=stack_id)["StackEvents"][::-1][seen:]
    assert [(e["LogicalResourceId"], e["ResourceStatus"]) for e in listed] == [
        ("del", "DELETE_IN_PROGRESS"),
        ("Kept", "DELETE_SKIPPED"),
        ("Third", "DELETE_IN_PROGRESS"),
        ("Third", "DELETE_COMPLETE"),
        ("Second", "DELETE_IN_PROGRESS"),
        ("Second", "DELETE_COMPLETE"),
        ("First", "DELETE_IN_PROGRESS"),
        ("First", "DELETE_COMPLETE"),
        ("del", "DELETE_COMPLETE"),
    ]
    assert {e.get("ClientRequestToken") for e in listed} == {"bye"}
    assert aws.cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"
    assert queue_names(aws) == [] and exports(aws) == {}
    assert len(aws.client("sns").list_topics()["Topics"]) == 1
    with pytest.raises(ClientError, match="does not exist"):
        aws.cfn.describe_stacks(StackName="del")


def test_a_resource_that_cannot_be_deleted_fails_the_deletion_and_keeps_what_it_needs(aws):
    body = template({"Base": thing("base"), "Stuck": thing("stuck", FailDelete="yes", Base={"Ref": "Base"}),
                     "Free": thing("free")}, outputs={"Out": {"Value": {"Ref": "Base"}, "Export": {"Name": "base"}}})
    aws.deploy("stuck", body)
    aws.cfn.delete_stack(StackName="stuck")
    described = aws.cfn.describe_stacks(StackName="stuck")["Stacks"][0]
    assert (described["StackStatus"], described["StackStatusReason"]) == (
        "DELETE_FAILED", "The following resource(s) failed to delete: [Stuck]. ")
    assert reason(aws, "stuck", "Stuck", "DELETE_FAILED") == "Thing stuck is still in use"
    assert set(THINGS) == {"base", "stuck"}  # Base is not attempted while Stuck needs it
    assert exports(aws) == {"base": "base"}
    assert {k: v[0] for k, v in resources(aws, "stuck").items()} == {
        "Base": "CREATE_COMPLETE", "Stuck": "DELETE_FAILED", "Free": "DELETE_COMPLETE"}


def test_reset_clears_the_engine_state(aws):
    aws.deploy("gone", template({"Q": queue("reset-q")}, outputs={"O": {"Value": "v", "Export": {"Name": "e"}}}))
    requests.post("http://motoapi.amazonaws.com/moto-api/reset")
    assert aws.cfn.describe_stacks()["Stacks"] == [] and exports(aws) == {}
    aws.deploy("gone", template({"Q": queue("reset-q")}, outputs={"O": {"Value": "v", "Export": {"Name": "e"}}}))


def test_a_golden_stack_deploys_and_a_second_apply_finds_no_changes(aws):
    body = golden_template("dev", "security")
    parameters = {k: v["Default"] for k, v in (body.get("Parameters") or {}).items() if "Default" in v}
    aws.deploy("matbakh-dev-security", body, parameters)
    assert all(state == "CREATE_COMPLETE" and physical
               for state, physical in resources(aws, "matbakh-dev-security").values())
    again = change_set(aws, "matbakh-dev-security", body, "UPDATE", parameters)
    assert again["Status"] == "FAILED" and "didn't contain changes" in again["StatusReason"]


# ---------------------------------------------------------------- intrinsic functions


def test_get_azs_answers_the_zones_of_the_region(aws):
    zones = "eu-central-1a,eu-central-1b,eu-central-1c"
    body = template({
        "Here": param("/azs/here", {"Fn::Join": [",", {"Fn::GetAZs": ""}]}),
        "Ref": param("/azs/ref", {"Fn::Join": [",", {"Fn::GetAZs": {"Ref": "AWS::Region"}}]}),
        "First": param("/azs/first", {"Fn::Select": [0, {"Fn::GetAZs": "eu-west-1"}]}),
    }, outputs={"Zones": {"Value": {"Fn::Join": [",", {"Fn::GetAZs": ""}]}}})
    aws.deploy("azs", body)
    assert (ssm_value(aws, "/azs/here"), ssm_value(aws, "/azs/ref")) == (zones, zones)
    assert ssm_value(aws, "/azs/first") == "eu-west-1a"
    assert aws.outputs("azs") == {"Zones": zones}


# ---------------------------------------------------------------- dynamic references


DYNAMIC = """\
Parameters:
  Arn: {Type: String}
Resources:
  Password:
    Type: AWS::SSM::Parameter
    Properties: {Name: /dyn/password, Type: String, Value: "{{resolve:secretsmanager:db-secret:SecretString:password}}"}
  ByArn:
    Type: AWS::SSM::Parameter
    Properties:
      Name: /dyn/user
      Type: String
      Value: !Sub "{{resolve:secretsmanager:${Arn}:SecretString:username}}"
  Whole:
    Type: AWS::SSM::Parameter
    Properties: {Name: /dyn/whole, Type: String, Value: "{{resolve:secretsmanager:db-secret}}"}
  Greeting:
    Type: AWS::SSM::Parameter
    Properties: {Name: /dyn/greeting, Type: String, Value: "<{{resolve:ssm:/cfg/greeting}}>"}
"""


def test_dynamic_references_resolve_at_deploy_time_and_stay_in_the_template(aws):
    secret = aws.client("secretsmanager").create_secret(
        Name="db-secret", SecretString=json.dumps({"username": "app", "password": "s3cr3t"}))
    aws.client("ssm").put_parameter(Name="/cfg/greeting", Value="hello", Type="String")
    aws.deploy("dyn", DYNAMIC, {"Arn": secret["ARN"]})
    assert ssm_value(aws, "/dyn/password") == "s3cr3t"
    assert ssm_value(aws, "/dyn/user") == "app"
    assert json.loads(ssm_value(aws, "/dyn/whole")) == {"username": "app", "password": "s3cr3t"}
    assert ssm_value(aws, "/dyn/greeting") == "<hello>"
    assert aws.cfn.get_template(StackName="dyn")["TemplateBody"] == DYNAMIC  # byte-identical, unresolved

    missing = template({"Bad": param("/dyn/bad", "{{resolve:ssm:/nope}}")})
    assert execute(aws, "dyn-bad", missing, "CREATE") == "ROLLBACK_COMPLETE"
    assert "/nope" in reason(aws, "dyn-bad", "Bad", "CREATE_FAILED")


# ---------------------------------------------------------------- change sets


def test_change_set_names_are_per_stack(aws):
    one = change_set(aws, "one", template({"Q": queue("q-1")}), "CREATE", name="same")
    two = change_set(aws, "two", template({"Q": queue("q-2")}), "CREATE", name="same")
    assert one["StackId"] != two["StackId"]
    assert aws.cfn.describe_change_set(ChangeSetName="same", StackName="two")["ChangeSetId"] == two["ChangeSetId"]
    assert [s["ChangeSetName"] for s in aws.cfn.list_change_sets(StackName="one")["Summaries"]] == ["same"]
    with pytest.raises(ClientError, match="StackName must be specified"):
        aws.cfn.describe_change_set(ChangeSetName="same")
    with pytest.raises(ClientError, match="AlreadyExistsException"):
        change_set(aws, "one", template({"Q": queue("q-1")}), "CREATE", name="same")
    aws.cfn.execute_change_set(ChangeSetName="same", StackName="one")
    aws.cfn.execute_change_set(ChangeSetName="same", StackName="two")
    assert queue_names(aws) == ["q-1", "q-2"]
    with pytest.raises(ClientError) as missing:
        aws.cfn.describe_change_set(ChangeSetName="other", StackName="one")
    assert missing.value.response["Error"]["Code"] == "ChangeSetNotFound"
    with pytest.raises(ClientError, match="already exists and cannot be created again"):
        change_set(aws, "one", template({"Q": queue("q-1")}), "CREATE")


def test_execute_change_set_is_idempotent_for_its_token(aws):
    described = change_set(aws, "idem", template({"Q": queue("idem-q")}), "CREATE")
    aws.cfn.execute_change_set(ChangeSetName=described["ChangeSetId"], ClientRequestToken="t1")
    aws.cfn.execute_change_set(ChangeSetName=described["ChangeSetId"], ClientRequestToken="t1")  # a retry
    with pytest.raises(ClientError) as again:
        aws.cfn.execute_change_set(ChangeSetName=described["ChangeSetId"], ClientRequestToken="t2")
    assert again.value.response["Error"]["Code"] == "InvalidChangeSetStatus"
    assert aws.cfn.describe_change_set(ChangeSetName=described["ChangeSetId"])["ExecutionStatus"] == "EXECUTE_COMPLETE"


def test_template_errors_are_answered_synchronously(aws):
    with pytest.raises(ClientError, match=r"Unresolved resource dependencies \[Nowhere\]"):
        change_set(aws, "bad", template({"P": param("/x", {"Ref": "Nowhere"})}), "CREATE")
    with pytest.raises(ClientError, match="Circular dependency between resources"):
        change_set(aws, "bad", template({"A": param("/a", {"Ref": "B"}), "B": param("/b", {"Ref": "A"})}), "CREATE")
    with pytest.raises(ClientError, match=r"Parameters: \[V\] must have values"):
        change_set(aws, "bad", template({"P": param("/x", {"Ref": "V"})}, parameters={"V": {"Type": "String"}}), "CREATE")

    aws.cfn.create_stack(StackName="unknown", TemplateBody=json.dumps(template({"X": {"Type": "LocalTest::Engine::Unknown"}})))
    assert reason(aws, "unknown", "X", "CREATE_FAILED") == (
        "Resource type LocalTest::Engine::Unknown is not emulated by the local AWS (moto has no CloudFormation model for it)")


# ---------------------------------------------------------------- change sets kept and executed later


def refusal(call, **kwargs):
    """(error code, HTTP status, message) of the ClientError ``call(**kwargs)`` raises."""
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    answer = raised.value.response
    return answer["Error"]["Code"], answer["ResponseMetadata"]["HTTPStatusCode"], answer["Error"]["Message"]


def gone(change_set_id):
    """DescribeChangeSet's answer for a change set that no longer exists (API
    DescribeChangeSet error ChangeSetNotFound, HTTP 404; wording as AWS answers it)."""
    return "ChangeSetNotFound", 404, f"ChangeSet [{change_set_id}] does not exist"


def describe(aws, described):
    return aws.cfn.describe_change_set(ChangeSetName=described["ChangeSetId"])


def test_execution_status_follows_a_change_set_from_computed_to_executed(aws):
    """API DescribeChangeSet ExecutionStatus: AVAILABLE when it can be executed,
    UNAVAILABLE when FAILED, EXECUTE_IN_PROGRESS / EXECUTE_COMPLETE / EXECUTE_FAILED once
    executed (Status stays CREATE_COMPLETE); executing one deletes the stack's others."""
    observed, ids = [], {}
    SPIES["life"] = lambda: observed.append(aws.cfn.describe_change_set(ChangeSetName=ids["cs"])["ExecutionStatus"])
    body = template({"Value": param("/life", "v1"), "Spy": thing("spy", Spy="life")})
    created = change_set(aws, "life", body, "CREATE")
    ids["cs"] = created["ChangeSetId"]
    assert (created["Status"], created["ExecutionStatus"]) == ("CREATE_COMPLETE", "AVAILABLE")
    aws.cfn.execute_change_set(ChangeSetName=created["ChangeSetId"])
    assert observed == ["EXECUTE_IN_PROGRESS"]  # what another client sees while it runs
    done = describe(aws, created)
    assert (done["Status"], done["ExecutionStatus"]) == ("CREATE_COMPLETE", "EXECUTE_COMPLETE")
    assert status(aws, "life") == "CREATE_COMPLETE"

    same = change_set(aws, "life", body, "UPDATE")
    assert (same["Status"], same["ExecutionStatus"]) == ("FAILED", "UNAVAILABLE")
    kept = change_set(aws, "life", template({"Value": param("/life", "v2"), "Spy": thing("spy", Spy="life")}), "UPDATE")
    failing = change_set(aws, "life", template({"Value": param("/life", "v3"),
                                                "Spy": {**thing("spy", Spy="life", FailUpdate="refused"),
                                                        "DependsOn": "Value"}}), "UPDATE")
    assert [describe(aws, c)["ExecutionStatus"] for c in (created, same, kept, failing)] == [
        "EXECUTE_COMPLETE", "UNAVAILABLE", "AVAILABLE", "AVAILABLE"]

    aws.cfn.execute_change_set(ChangeSetName=failing["ChangeSetId"])
    assert status(aws, "life") == "UPDATE_ROLLBACK_COMPLETE" and ssm_value(aws, "/life") == "v1"
    after = describe(aws, failing)
    assert (after["Status"], after["ExecutionStatus"]) == ("CREATE_COMPLETE", "EXECUTE_FAILED")
    for other in (created, same, kept):  # "deletes all other change sets associated with the stack"
        assert refusal(aws.cfn.describe_change_set, ChangeSetName=other["ChangeSetId"]) == gone(other["ChangeSetId"])
    assert [c["ChangeSetId"] for c in aws.cfn.list_change_sets(StackName="life")["Summaries"]] == [failing["ChangeSetId"]]


def test_execute_change_set_refuses_a_change_set_that_is_not_available(aws):
    """API ExecuteChangeSet error InvalidChangeSetStatus (HTTP 400), worded as AWS answers
    it: "ChangeSet [<ARN>] cannot be executed in its current status of [FAILED]" for a
    change set that could not be computed, "... in its current execution status of [X]"
    for one that was executed, is executing or became OBSOLETE."""
    body = template({"Value": param("/avail", "v1"), "Spy": thing("spy-a", Spy="avail")})
    SPIES["avail"] = lambda: None
    aws.deploy("avail", body)

    def cannot(described, what, state):
        return ("InvalidChangeSetStatus", 400,
                f"ChangeSet [{described['ChangeSetId']}] cannot be executed in its current {what} of [{state}]")

    unchanged = change_set(aws, "avail", body, "UPDATE")
    assert refusal(aws.cfn.execute_change_set, ChangeSetName=unchanged["ChangeSetId"]) == cannot(unchanged, "status", "FAILED")

    # Executed: again with another token (or none) is refused, the same token is a retry.
    body["Resources"]["Value"]["Properties"]["Value"] = "v2"
    executed = change_set(aws, "avail", body, "UPDATE")
    aws.cfn.execute_change_set(ChangeSetName=executed["ChangeSetId"], ClientRequestToken="apply-1")
    assert refusal(aws.cfn.execute_change_set, ChangeSetName=executed["ChangeSetId"]) == cannot(
        executed, "execution status", "EXECUTE_COMPLETE")
    aws.cfn.execute_change_set(ChangeSetName=executed["ChangeSetId"], ClientRequestToken="apply-1")

    # Failed in execution.
    broken = json.loads(json.dumps(body))
    broken["Resources"]["Spy"]["Properties"]["FailUpdate"] = "refused"
    failed = change_set(aws, "avail", broken, "UPDATE")
    aws.cfn.execute_change_set(ChangeSetName=failed["ChangeSetId"])
    assert refusal(aws.cfn.execute_change_set, ChangeSetName=failed["ChangeSetId"]) == cannot(
        failed, "execution status", "EXECUTE_FAILED")

    # While it runs: a second ExecuteChangeSet (another process's apply) is refused, and the
    # stack's other change sets are already gone.
    body["Resources"]["Value"]["Properties"]["Value"] = "v3"
    body["Resources"]["Added"] = thing("added", Spy="avail")
    running = change_set(aws, "avail", body, "UPDATE")
    rival = change_set(aws, "avail", template({"Value": param("/avail", "rival"), "Spy": thing("spy-a", Spy="avail")}),
                       "UPDATE")
    answers = []
    SPIES["avail"] = lambda: answers.extend([
        refusal(aws.cfn.execute_change_set, ChangeSetName=running["ChangeSetId"]),
        refusal(aws.cfn.execute_change_set, ChangeSetName=rival["ChangeSetId"]),
    ])
    aws.cfn.execute_change_set(ChangeSetName=running["ChangeSetId"])
    assert answers == [cannot(running, "execution status", "EXECUTE_IN_PROGRESS"), gone(rival["ChangeSetId"])]
    assert status(aws, "avail") == "UPDATE_COMPLETE" and ssm_value(aws, "/avail") == "v3"

    # A direct UpdateStack makes the kept change sets OBSOLETE ("because the stack was
    # already updated"); executing one is refused and changes nothing.
    SPIES["avail"] = lambda: None
    body["Resources"]["Value"]["Properties"]["Value"] = "v4"
    stale = change_set(aws, "avail", body, "UPDATE")
    direct = json.loads(json.dumps(body))
    direct["Resources"]["Value"]["Properties"]["Value"] = "direct"
    aws.cfn.update_stack(StackName="avail", TemplateBody=json.dumps(direct))
    assert describe(aws, stale)["ExecutionStatus"] == "OBSOLETE"
    assert refusal(aws.cfn.execute_change_set, ChangeSetName=stale["ChangeSetId"]) == cannot(
        stale, "execution status", "OBSOLETE")
    assert ssm_value(aws, "/avail") == "direct"


def test_a_missing_export_fails_the_execution_not_the_change_set(aws):
    """AWS computes a change set whose import does not exist yet (CREATE_COMPLETE,
    AVAILABLE; the value KNOWN_AFTER_APPLY, IncludePropertyValues saying why) and resolves
    imports when it is executed: still missing, the stack rolls back "No export named N
    found. Rollback requested by user."; exported meanwhile, it succeeds (recorded against
    AWS in localstack's test_change_set_exports_imports, 2025-08-05)."""
    importing = template({"Copy": param("/copy", {"Fn::ImportValue": "later"})})
    early = change_set(aws, "early", importing, "CREATE")
    assert (early["Status"], early["ExecutionStatus"], early.get("StatusReason")) == ("CREATE_COMPLETE", "AVAILABLE", None)
    assert [c["ResourceChange"]["Action"] for c in early["Changes"]] == ["Add"]
    with_values = aws.cfn.describe_change_set(ChangeSetName=early["ChangeSetId"], IncludePropertyValues=True)
    assert (with_values["Status"], with_values["StatusReason"]) == ("CREATE_COMPLETE", (
        "[WARN] --include-property-values option can return incomplete ChangeSet data because: "
        "ChangeSet creation failed for resource [Copy] because: No export named later"))

    answer = aws.cfn.execute_change_set(ChangeSetName=early["ChangeSetId"])
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert status(aws, "early") == "ROLLBACK_COMPLETE"
    assert events(aws, "early")[1:] == [
        ("early", "CREATE_IN_PROGRESS", "User Initiated"),
        ("early", "ROLLBACK_IN_PROGRESS", "No export named later found. Rollback requested by user."),
        ("early", "ROLLBACK_COMPLETE", None),
    ]  # no resource touched
    assert describe(aws, early)["ExecutionStatus"] == "EXECUTE_FAILED"

    # Computed while the export is missing, executed once it exists: it succeeds.
    waiting = change_set(aws, "waiting", importing, "CREATE")
    aws.deploy("exporter", template({"Q": queue("later-q")},
                                    outputs={"Url": {"Value": {"Ref": "Q"}, "Export": {"Name": "later"}}}))
    aws.cfn.execute_change_set(ChangeSetName=waiting["ChangeSetId"])
    assert status(aws, "waiting") == "CREATE_COMPLETE"
    assert ssm_value(aws, "/copy") == aws.client("sqs").get_queue_url(QueueName="later-q")["QueueUrl"]

    # An update: the change set shows the value as known after apply; executing it while the
    # export is missing rolls the update back before touching a resource.
    aws.deploy("importer", template({"Value": param("/importer", "plain")}))
    update = change_set(aws, "importer", template({"Value": param("/importer", {"Fn::ImportValue": "absent"})}), "UPDATE")
    assert (update["Status"], update["ExecutionStatus"]) == ("CREATE_COMPLETE", "AVAILABLE")
    shown = aws.cfn.describe_change_set(ChangeSetName=update["ChangeSetId"], IncludePropertyValues=True)
    (change,) = [c["ResourceChange"] for c in shown["Changes"]]
    target = change["Details"][0]["Target"]
    assert (change["Action"], target["Name"], target["BeforeValue"], target["AfterValue"]) == (
        "Modify", "Value", "plain", "{{changeSet:KNOWN_AFTER_APPLY}}")
    assert shown["StatusReason"].endswith("failed for resource [Value] because: No export named absent")
    seen = len(events(aws, "importer"))
    aws.cfn.execute_change_set(ChangeSetName=update["ChangeSetId"])
    assert [(lid, s) for lid, s, _ in events(aws, "importer")[seen:]] == [
        ("importer", "UPDATE_IN_PROGRESS"),
        ("importer", "UPDATE_ROLLBACK_IN_PROGRESS"),
        ("importer", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"),
        ("importer", "UPDATE_ROLLBACK_COMPLETE"),
    ]
    assert reason(aws, "importer", "importer", "UPDATE_ROLLBACK_IN_PROGRESS") == "No export named absent found."
    assert ssm_value(aws, "/importer") == "plain"

    # CreateStack checks its imports the same way when it starts.
    direct = template({"P": param("/direct", {"Fn::ImportValue": "nope"})})
    aws.cfn.create_stack(StackName="direct", TemplateBody=json.dumps(direct))
    assert status(aws, "direct") == "ROLLBACK_COMPLETE"
    assert reason(aws, "direct", "direct", "ROLLBACK_IN_PROGRESS") == "No export named nope found. Rollback requested by user."


def test_a_kept_change_set_is_gone_once_another_one_updated_the_stack(aws):
    """plan keeps a change set; meanwhile another change set of the stack is executed
    (another apply): the kept one was deleted with the others, so describing or executing
    it by its ARN answers 404 ChangeSetNotFound."""
    aws.deploy("kept", template({"Value": param("/kept", "v1")}))
    planned = change_set(aws, "kept", template({"Value": param("/kept", "planned")}), "UPDATE", name="plan-1")
    other = change_set(aws, "kept", template({"Value": param("/kept", "other")}), "UPDATE", name="plan-2")
    assert describe(aws, planned)["ExecutionStatus"] == "AVAILABLE"
    aws.cfn.execute_change_set(ChangeSetName=other["ChangeSetId"])
    assert status(aws, "kept") == "UPDATE_COMPLETE"

    arn = planned["ChangeSetId"]
    assert refusal(aws.cfn.describe_change_set, ChangeSetName=arn) == gone(arn)
    assert refusal(aws.cfn.describe_change_set, ChangeSetName="plan-1", StackName="kept") == gone("plan-1")
    assert refusal(aws.cfn.execute_change_set, ChangeSetName=arn) == gone(arn)
    assert ssm_value(aws, "/kept") == "other"
    with pytest.raises(aws.cfn.exceptions.ChangeSetNotFoundException):
        aws.cfn.describe_change_set(ChangeSetName=arn)


def test_list_change_sets_lists_the_kept_change_sets_with_their_status(aws):
    """API ListChangeSets / ChangeSetSummary: the stack's change sets (not another
    stack's) with Status, StatusReason, ExecutionStatus; executing one leaves only it."""
    body = template({"Value": param("/listed", "v1")})
    aws.deploy("listed", body)
    aws.deploy("elsewhere", template({"Value": param("/elsewhere", "v1")}))
    change_set(aws, "elsewhere", template({"Value": param("/elsewhere", "v2")}), "UPDATE", name="not-listed")
    first = change_set(aws, "listed", template({"Value": param("/listed", "v2")}), "UPDATE", name="first")
    aws.cfn.create_change_set(StackName="listed", ChangeSetName="second", Description="the second plan",
                              TemplateBody=json.dumps(template({"Value": param("/listed", "v3")})))
    change_set(aws, "listed", body, "UPDATE", name="empty")

    summaries = aws.cfn.list_change_sets(StackName="listed")["Summaries"]
    rows = {s["ChangeSetName"]: (s["Status"], s["ExecutionStatus"], s.get("StatusReason"), s.get("Description"))
            for s in summaries}
    created = next(name for name in rows if name.startswith("cs-"))  # the one aws.deploy executed
    assert rows == {
        created: ("CREATE_COMPLETE", "EXECUTE_COMPLETE", None, None),
        "first": ("CREATE_COMPLETE", "AVAILABLE", None, None),
        "second": ("CREATE_COMPLETE", "AVAILABLE", None, "the second plan"),
        "empty": ("FAILED", "UNAVAILABLE", "The submitted information didn't contain changes. "
                  "Submit different information to create a change set.", None),
    }
    stack_id = aws.cfn.describe_stacks(StackName="listed")["Stacks"][0]["StackId"]
    assert all(s["StackId"] == stack_id and s["StackName"] == "listed" and s["IncludeNestedStacks"] is False
               and s["ChangeSetId"].startswith("arn:aws:cloudformation:") and s["CreationTime"] for s in summaries)
    assert aws.cfn.list_change_sets(StackName=stack_id)["Summaries"] == summaries  # by stack id too

    aws.cfn.execute_change_set(ChangeSetName=first["ChangeSetId"])
    (only,) = aws.cfn.list_change_sets(StackName="listed")["Summaries"]
    assert (only["ChangeSetName"], only["Status"], only["ExecutionStatus"]) == ("first", "CREATE_COMPLETE", "EXECUTE_COMPLETE")
    assert "not-listed" in [s["ChangeSetName"] for s in aws.cfn.list_change_sets(StackName="elsewhere")["Summaries"]]


# ---------------------------------------------------------------- stack_protection hooks


def test_a_stack_policy_denying_replacement_fails_the_update(aws):
    body = template({"Queue": queue("guarded-q")})
    aws.deploy("guarded", body)
    aws.cfn.set_stack_policy(StackName="guarded", StackPolicyBody=json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "Update:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "Update:Replace", "Resource": "LogicalResourceId/Queue"},
    ]}))
    body["Resources"]["Queue"]["Properties"]["QueueName"] = "guarded-q2"
    assert execute(aws, "guarded", body, "UPDATE") == "UPDATE_ROLLBACK_COMPLETE"
    assert reason(aws, "guarded", "Queue", "UPDATE_FAILED").startswith("Action denied by stack policy")
    assert queue_names(aws) == ["guarded-q"]


def test_an_export_in_use_cannot_change(aws):
    producer = template({"Value": param("/exported", {"Ref": "V"})}, parameters={"V": {"Type": "String"}},
                        outputs={"Out": {"Value": {"Ref": "V"}, "Export": {"Name": "in-use"}}})
    aws.deploy("exporter", producer, {"V": "one"})
    aws.deploy("importer", template({"Copy": param("/copy", {"Fn::ImportValue": "in-use"})}))
    assert execute(aws, "exporter", producer, "UPDATE", {"V": "two"}) == "UPDATE_ROLLBACK_COMPLETE"
    assert reason(aws, "exporter", "exporter", "UPDATE_ROLLBACK_IN_PROGRESS") == (
        "Cannot update export in-use as it is in use by importer.")
    assert exports(aws) == {"in-use": "one"} and ssm_value(aws, "/exported") == "one"
    assert aws.outputs("exporter") == {"Out": "one"}


# ---------------------------------------------------------------- probes: moto's own code is still broken

FIXED = "moto fixed issue {} (see the docstring of local_aws/cloudformation.py) upstream: remove that part of the extension"


@pytest.fixture
def backend(aws):
    return cloudformation_backends[ACCOUNT][REGION]


def still_raises(call, match, issue):
    """Runs moto's code expecting its (wrong) exception."""
    try:
        call()
    except Exception as error:  # noqa: BLE001 - whatever moto raises
        assert match in str(error), f"{FIXED.format(issue)}? it now raises {error!r}"
    else:
        pytest.fail(FIXED.format(issue))


def moto(name, owner=CloudFormationBackend):
    return _cfn.original(owner, name)


def moto_stack(backend, name, body, parameters=None):
    return moto("create_stack")(backend, name=name, template=json.dumps(body), parameters=parameters or {})


def moto_update(backend, name, body, parameters=None):
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {}).items()]
    return moto("update_stack")(backend, name, json.dumps(body), None, params, None)


def moto_change_set(backend, stack, body, kind, parameters=None, name="probe"):
    return moto("create_change_set")(backend, stack_name=stack, change_set_name=name, template=json.dumps(body),
                                     parameters=parameters or {}, description=None, change_set_type=kind)[0]


def test_moto_change_set_create_neither_imports_nor_registers_exports(backend):
    exporting = template({"Q": queue("probe-q")}, outputs={"Url": {"Value": {"Ref": "Q"}, "Export": {"Name": "probe-url"}}})
    moto("execute_change_set")(backend, moto_change_set(backend, "probe", exporting, "CREATE"))
    assert "probe-url" not in backend.exports, FIXED.format(1)
    moto_stack(backend, "exporter", exporting)  # CreateStack does register it
    importing = template({"P": param("/probe", {"Fn::ImportValue": "probe-url"})})
    change_set_id = moto_change_set(backend, "importer", importing, "CREATE", name="c2")
    still_raises(lambda: moto("execute_change_set")(backend, change_set_id), "No export named probe-url", 1)


def test_moto_keeps_stale_outputs_after_an_update_change_set(backend):
    body = template({"P": param("/probe", {"Ref": "V"})}, parameters={"V": {"Type": "String"}},
                    outputs={"Out": {"Value": {"Ref": "V"}}})
    stack = moto_stack(backend, "probe", body, {"V": "a"})
    assert stack.outputs[0]["OutputValue"] == "a"
    moto("execute_change_set")(backend, moto_change_set(backend, "probe", body, "UPDATE", {"V": "b"}))
    assert stack.outputs[0]["OutputValue"] == "a", FIXED.format(2)


def test_moto_gives_every_output_with_an_exported_value_its_export_name(backend):
    body = template({"Q": queue("probe-q")}, outputs={
        "Exported": {"Value": {"Ref": "Q"}, "Export": {"Name": "probe-url"}}, "Plain": {"Value": {"Ref": "Q"}}})
    outputs = {o["OutputKey"]: o for o in moto_stack(backend, "probe", body).outputs}
    assert outputs["Plain"]["ExportName"] == "probe-url", FIXED.format(3)


def test_moto_records_no_resource_events_nor_request_tokens(backend):
    stack = moto_stack(backend, "probe", template({"Q": queue("probe-q")}))
    assert {e.resource_type for e in stack.events} == {"AWS::CloudFormation::Stack"}, FIXED.format(4)
    assert "client_request_token" not in moto("execute_change_set").__code__.co_varnames, FIXED.format(4)


def test_moto_has_no_rollback(backend):
    body = template({"Q": queue("probe-q"), "T": {**thing(Fail="x"), "DependsOn": "Q"}})
    still_raises(lambda: moto_stack(backend, "probe", body), "refused", 5)
    stack = next(s for s in backend.stacks.values() if s.name == "probe")
    assert stack.status == "CREATE_IN_PROGRESS", FIXED.format(5)


def test_moto_drops_a_modified_resource_without_update_handler(backend):
    # Frozen stands for moto's models without update handler (e.g. AWS::Logs::LogGroup in 5.2.5).
    body = template({"Ice": {"Type": "LocalTest::Engine::Frozen", "Properties": {"Size": "1"}}})
    stack = moto_stack(backend, "probe", body)
    body["Resources"]["Ice"]["Properties"]["Size"] = "2"
    moto_update(backend, "probe", body)
    assert stack.resource_map._parsed_resources["Ice"] is None, FIXED.format(6)


def test_moto_updates_a_create_only_property_in_place(aws, backend):
    body = template({"Q": queue("probe-one")})
    moto_stack(backend, "probe", body)
    body["Resources"]["Q"]["Properties"]["QueueName"] = "probe-two"
    moto_update(backend, "probe", body)
    assert queue_names(aws) == ["probe-one"], FIXED.format(7)


def test_moto_deletes_a_retained_resource_an_update_removes(aws, backend):
    body = template({"Kept": {"Type": "AWS::SNS::Topic", "DeletionPolicy": "Retain"}, "P": param("/probe", "x")})
    moto_stack(backend, "probe", body)
    del body["Resources"]["Kept"]
    moto_update(backend, "probe", body)
    assert aws.client("sns").list_topics()["Topics"] == [], FIXED.format(8)


def test_moto_deletes_stacks_without_resource_events(backend):
    stack = moto_stack(backend, "probe", template({"Q": queue("probe-q"), "P": param("/probe", {"Ref": "Q"})}))
    moto("delete_stack")(backend, stack.stack_id)
    assert {e.resource_type for e in stack.events} == {"AWS::CloudFormation::Stack"}, FIXED.format(9)


def test_moto_passes_dynamic_references_through(aws, backend):
    aws.client("ssm").put_parameter(Name="/cfg", Value="real", Type="String")
    moto_stack(backend, "probe", template({"P": param("/probe", "{{resolve:ssm:/cfg}}")}))
    assert ssm_value(aws, "/probe") == "{{resolve:ssm:/cfg}}", FIXED.format(10)


def test_moto_change_sets_lack_details_and_miss_parameter_changes(backend):
    body = template({"P": param("/probe", {"Ref": "V"}), "Q": queue("probe-q")}, parameters={"V": {"Type": "String"}})
    moto_stack(backend, "probe", body, {"V": "a"})
    only_parameter = moto_change_set(backend, "probe", body, "UPDATE", {"V": "b"})
    assert backend.change_sets[only_parameter].changes == [], FIXED.format(11)
    body["Resources"]["Q"]["Properties"]["QueueName"] = "probe-q2"
    direct = backend.change_sets[moto_change_set(backend, "probe", body, "UPDATE", {"V": "a"}, name="c2")]
    assert not hasattr(direct.changes[0], "replacement") and not hasattr(direct.changes[0], "details"), FIXED.format(11)


def test_moto_change_set_names_are_global(backend):
    moto_change_set(backend, "one", template({"Q": queue("q-1")}), "CREATE", name="same")
    moto_change_set(backend, "two", template({"Q": queue("q-2")}), "CREATE", name="same")
    assert moto("describe_change_set")(backend, "same").stack_name == "two", FIXED.format(12)
    assert "stack_name" not in moto("describe_change_set").__code__.co_varnames, FIXED.format(12)


def test_moto_create_change_set_accepts_what_aws_refuses(backend):
    stack = moto_stack(backend, "probe", template({"Q": queue("probe-q")}))
    moto_change_set(backend, "probe", template({"Q": queue("probe-q")}), "CREATE")
    assert [s.name for s in backend.stacks.values()].count("probe") == 2, FIXED.format(13)
    stack.status = "ROLLBACK_COMPLETE"
    try:
        moto_change_set(backend, "probe", template({"Q": queue("probe-q2")}), "UPDATE", name="c2")
    except Exception:  # noqa: BLE001
        pytest.fail(FIXED.format(13))


def test_moto_answers_an_unchanged_change_set_with_an_error(aws, monkeypatch):
    body = template({"P": param("/probe", {"Ref": "V"})}, parameters={"V": {"Type": "String"}})
    aws.deploy("probe", body, {"V": "a"})
    monkeypatch.setattr(CloudFormationResponse, "create_change_set",
                        _cfn.ORIGINALS[(CloudFormationResponse, "create_change_set")])
    still_raises(lambda: change_set(aws, "probe", body, "UPDATE", {"V": "a"}), "No updates are to be performed", 14)


def test_moto_does_not_type_parameter_defaults(aws):
    body = template({"P": param("/probe", "x")}, parameters={"Zones": {"Type": "CommaDelimitedList", "Default": "a,b"}})
    resource_map = ResourceMap("id", "probe", {}, {}, REGION, ACCOUNT, body, {})
    resource_map.load()
    assert resource_map.resolved_parameters["Zones"] == "a,b", FIXED.format(15)


def test_moto_shows_no_echo_parameters(backend):
    body = template({"P": param("/probe", "x")}, parameters={"Secret": {"Type": "String", "NoEcho": True}})
    stack = moto_stack(backend, "probe", body, {"Secret": "hunter2"})
    shown = _cfn.original(Stack, "parameter_list").fget(stack)
    assert shown == [{"ParameterKey": "Secret", "ParameterValue": "hunter2"}], FIXED.format(16)


def test_moto_reports_no_resource_status_or_time(backend):
    stack = moto_stack(backend, "probe", template({"Q": queue("probe-q")}))
    row = StackResourceDTO(stack, list(stack.stack_resources)[0])
    assert (row.timestamp, row.resource_status) == ("2010-07-27T22:27:28Z", stack.status), FIXED.format(17)


def test_moto_skips_types_it_has_no_model_for(backend):
    with pytest.warns(UserWarning):
        stack = moto_stack(backend, "probe", template({"X": {"Type": "LocalTest::Engine::Unknown"}}))
        assert stack.status == "CREATE_COMPLETE" and list(stack.stack_resources) == [None], FIXED.format(18)


def test_moto_accepts_undeclared_parameters(backend):
    stack = moto_stack(backend, "probe", template({"Q": queue("probe-q")}), {"Undeclared": "x"})
    assert stack.status == "CREATE_COMPLETE", FIXED.format(19)


def test_moto_update_stack_without_parameters_never_says_no_updates(backend):
    body = template({"Q": queue("probe-q")})
    stack = moto_stack(backend, "probe", body)
    try:
        CloudFormationResponse()._validate_different_update([], json.dumps(body), stack)
    except Exception:  # noqa: BLE001
        pytest.fail(FIXED.format(20))


def test_moto_get_azs_answers_us_east_1_zones(aws):
    resource_map = ResourceMap("id", "probe", {}, {}, REGION, ACCOUNT, template({"P": param("/probe", "x")}), {})
    zones = _cfn.original(parsing, "clean_json")({"Fn::GetAZs": ""}, resource_map)
    assert zones[0] == "us-east-1a", FIXED.format(21)


def test_moto_execute_change_set_ignores_execution_status_and_keeps_other_change_sets(backend):
    stack = moto_stack(backend, "probe", template({"P": param("/probe", "v1")}))
    executed = moto_change_set(backend, "probe", template({"P": param("/probe", "v2")}), "UPDATE", name="c1")
    kept = moto_change_set(backend, "probe", template({"P": param("/probe", "v3")}), "UPDATE", name="c2")
    moto("execute_change_set")(backend, executed)
    try:
        moto("execute_change_set")(backend, executed)  # AWS: InvalidChangeSetStatus
    except Exception:  # noqa: BLE001
        pytest.fail(FIXED.format(22))
    assert backend.change_sets[kept].execution_status == "AVAILABLE", FIXED.format(22)  # AWS: deleted
    assert stack.status == "UPDATE_COMPLETE"
    moto_update(backend, "probe", template({"P": param("/probe", "v4")}))
    assert backend.change_sets[kept].execution_status == "AVAILABLE", FIXED.format(22)  # AWS: OBSOLETE
    still_raises(lambda: moto("describe_change_set")(backend, f"{executed}-gone"), "Stack with id", 22)


def test_moto_fails_execute_change_set_on_a_missing_export_with_an_error(backend):
    stack = moto_stack(backend, "probe", template({"P": param("/probe", "v1")}))
    importing = moto_change_set(backend, "probe", template({"P": param("/probe", {"Fn::ImportValue": "absent"})}), "UPDATE")
    computed = backend.change_sets[importing]
    assert (computed.status, computed.execution_status) == ("CREATE_COMPLETE", "AVAILABLE")  # as AWS
    still_raises(lambda: moto("execute_change_set")(backend, importing), "No export named absent found.", 23)
    assert stack.events[-1].resource_status == "UPDATE_IN_PROGRESS", FIXED.format(23)  # never finished
    assert not any("ROLLBACK" in e.resource_status for e in stack.events), FIXED.format(23)
