"""Stack protections: stack-policy evaluation, termination protection, ListImports and the
exports-in-use guards (see local_aws/stack_protection.py for the AWS sources)."""

import inspect
import json

import pytest
import requests
from botocore.exceptions import ClientError
from moto.cloudformation.models import CloudFormationBackend, cloudformation_backends
from moto.cloudformation.responses import CloudFormationResponse

from local_aws._cfn import original
from local_aws.stack_protection import (
    delete_refusal,
    export_update_refusal,
    importers,
    policy_denial,
    set_imports,
)

from conftest import ACCOUNT, REGION, golden_template

STATEFUL_TYPES = {  # src/plan/model.rs STATEFUL_TYPES minus log groups (src/apply/protection.rs)
    "AWS::RDS::DBInstance",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::KMS::Key",
    "AWS::SecretsManager::Secret",
    "AWS::Cognito::UserPool",
    "AWS::S3::Bucket",
}


def matbakh_policy(stateful):
    """The prod stack policy exactly as src/apply/protection.rs `stack_policy` writes it."""
    return json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "Update:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": ["Update:Replace", "Update:Delete"],
         "Resource": [f"LogicalResourceId/{i}" for i in stateful]},
    ]})


def policy(*statements):
    return json.dumps({"Statement": [{"Principal": "*", **s} for s in statements]})


ALLOW_ALL = {"Effect": "Allow", "Action": "Update:*", "Resource": "*"}
PROD_DATA = [i for i, r in golden_template("prod", "data")["Resources"].items() if r["Type"] in STATEFUL_TYPES]
PROD_POLICY = matbakh_policy(PROD_DATA)
PROD_DENIAL = (
    "Action denied by stack policy: Statement [#2] does not allow [Update:Replace, Update:Delete] for resource ["
    + ", ".join(f"LogicalResourceId/{i}" for i in PROD_DATA) + "];"
)


def not_allowed(action, logical_id):
    return f"Action not allowed by stack policy: no statement allows [{action}] for resource [LogicalResourceId/{logical_id}];"


def denied(number, actions, resources):
    return f"Action denied by stack policy: Statement [#{number}] does not allow [{actions}] for resource [{resources}];"


POLICY_CASES = [
    # (policy, logical id, type, action, expected reason or None)
    (None, "Database", "AWS::RDS::DBInstance", "Update:Replace", None),
    ("", "Database", "AWS::RDS::DBInstance", "Update:Delete", None),
    # the matbakh prod shape: modify anything, never replace or delete the stateful resources
    (PROD_POLICY, "Database", "AWS::RDS::DBInstance", "Update:Modify", None),
    (PROD_POLICY, "Database", "AWS::RDS::DBInstance", "Update:Replace", PROD_DENIAL),
    (PROD_POLICY, "ReportingReplica", "AWS::RDS::DBInstance", "Update:Delete", PROD_DENIAL),
    (PROD_POLICY, "DatabaseSubnetGroup", "AWS::RDS::DBSubnetGroup", "Update:Replace", None),
    (PROD_POLICY, "EnhancedMonitoringRole", "AWS::IAM::Role", "Update:Delete", None),
    # deny wins, whatever the order of the statements
    (policy({"Effect": "Deny", "Action": "Update:*", "Resource": "LogicalResourceId/Db"}, ALLOW_ALL),
     "Db", "AWS::RDS::DBInstance", "Update:Modify", denied(1, "Update:*", "LogicalResourceId/Db")),
    (policy(ALLOW_ALL, {"Effect": "Deny", "Action": "Update:Replace", "Resource": ["LogicalResourceId/Db"]}),
     "Db", "AWS::RDS::DBInstance", "Update:Replace", denied(2, "Update:Replace", "LogicalResourceId/Db")),
    # default deny: only what an Allow matches is allowed; an empty policy allows nothing
    (policy({"Effect": "Allow", "Action": "Update:*", "Resource": "LogicalResourceId/Topic"}),
     "Queue", "AWS::SQS::Queue", "Update:Modify", not_allowed("Update:Modify", "Queue")),
    (policy({"Effect": "Deny", "Action": "Update:Replace", "Resource": "*"}),
     "Queue", "AWS::SQS::Queue", "Update:Modify", not_allowed("Update:Modify", "Queue")),
    ("{}", "Queue", "AWS::SQS::Queue", "Update:Modify", not_allowed("Update:Modify", "Queue")),
    # Statement as a single object, Action as a string
    (json.dumps({"Statement": {"Principal": "*", **ALLOW_ALL}}), "Queue", "AWS::SQS::Queue", "Update:Delete", None),
    # wild cards in logical ids: * and ?
    (policy(ALLOW_ALL, {"Effect": "Deny", "Action": "Update:*", "Resource": "LogicalResourceId/Critical*"}),
     "CriticalTable", "AWS::DynamoDB::Table", "Update:Modify", denied(2, "Update:*", "LogicalResourceId/Critical*")),
    (policy(ALLOW_ALL, {"Effect": "Deny", "Action": "Update:*", "Resource": "LogicalResourceId/Critical*"}),
     "Table", "AWS::DynamoDB::Table", "Update:Modify", None),
    (policy(ALLOW_ALL, {"Effect": "Deny", "Action": "Update:*", "Resource": "LogicalResourceId/Db?"}),
     "Db1", "AWS::RDS::DBInstance", "Update:Modify", denied(2, "Update:*", "LogicalResourceId/Db?")),
    (policy(ALLOW_ALL, {"Effect": "Deny", "Action": "Update:*", "Resource": "LogicalResourceId/Db?"}),
     "Db10", "AWS::RDS::DBInstance", "Update:Modify", None),
    # NotResource: allow everything but ProductionDatabase, which default deny then protects
    (policy({"Effect": "Allow", "Action": "Update:*", "NotResource": "LogicalResourceId/ProductionDatabase"}),
     "ProductionDatabase", "AWS::RDS::DBInstance", "Update:Modify", not_allowed("Update:Modify", "ProductionDatabase")),
    (policy({"Effect": "Allow", "Action": "Update:*", "NotResource": "LogicalResourceId/ProductionDatabase"}),
     "WebServer", "AWS::EC2::Instance", "Update:Replace", None),
    # NotAction: allow all update actions except Update:Delete
    (policy({"Effect": "Allow", "NotAction": "Update:Delete", "Resource": "*"}),
     "Bucket", "AWS::S3::Bucket", "Update:Delete", not_allowed("Update:Delete", "Bucket")),
    (policy({"Effect": "Allow", "NotAction": "Update:Delete", "Resource": "*"}),
     "Bucket", "AWS::S3::Bucket", "Update:Replace", None),
    # Condition on ResourceType: StringEquals (list or string), StringLike with wild cards
    (policy({"Effect": "Deny", "Action": "Update:*", "Resource": "*",
             "Condition": {"StringEquals": {"ResourceType": ["AWS::EC2::Instance", "AWS::RDS::DBInstance"]}}}, ALLOW_ALL),
     "Db", "AWS::RDS::DBInstance", "Update:Modify", denied(1, "Update:*", "*")),
    (policy({"Effect": "Deny", "Action": "Update:*", "Resource": "*",
             "Condition": {"StringEquals": {"ResourceType": ["AWS::EC2::Instance", "AWS::RDS::DBInstance"]}}}, ALLOW_ALL),
     "Bucket", "AWS::S3::Bucket", "Update:Modify", None),
    (policy(ALLOW_ALL, {"Effect": "Deny", "Action": "Update:Delete", "Resource": "*",
                        "Condition": {"StringEquals": {"ResourceType": "AWS::S3::Bucket"}}}),
     "Bucket", "AWS::S3::Bucket", "Update:Delete", denied(2, "Update:Delete", "*")),
    (policy(ALLOW_ALL, {"Effect": "Deny", "Action": "Update:*", "Resource": "*",
                        "Condition": {"StringLike": {"ResourceType": ["AWS::EC2::*"]}}}),
     "PublicSubnet", "AWS::EC2::Subnet", "Update:Modify", denied(2, "Update:*", "*")),
    (policy(ALLOW_ALL, {"Effect": "Deny", "Action": "Update:*", "Resource": "*",
                        "Condition": {"StringEquals": {"ResourceType": ["AWS::EC2::*"]}}}),
     "PublicSubnet", "AWS::EC2::Subnet", "Update:Modify", None),  # wild cards need StringLike
]


@pytest.mark.parametrize("body,logical_id,resource_type,action,expected", POLICY_CASES)
def test_policy_denial(body, logical_id, resource_type, action, expected):
    assert policy_denial(body, logical_id, resource_type, action) == expected


def test_prod_policy_covers_the_stateful_resources_of_the_golden_data_stack():
    assert PROD_DATA == ["Database", "AnalyticsReplica", "ReportingReplica"]


# --- stack policies through the API ----------------------------------------------------------

TOPIC = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t", "DisplayName": "one"}}}}


def topic_template(display="one", name="t", export=None):
    template = json.loads(json.dumps(TOPIC))
    template["Resources"]["Topic"]["Properties"].update(DisplayName=display, TopicName=name)
    if export:
        template["Outputs"] = {"Arn": {"Value": {"Ref": "Topic"}, "Export": {"Name": export}}}
    return json.dumps(template)


@pytest.mark.parametrize("body", [
    "not json",
    json.dumps({"Statement": [{"Effect": "Deny", "Action": "Update:*", "Principal": "someone", "Resource": "*"}]}),
    json.dumps({"Statement": [{"Effect": "Deny", "Action": "Delete:*", "Principal": "*", "Resource": "*"}]}),
])
def test_set_stack_policy_refuses_an_invalid_policy(aws, body):
    aws.deploy("p", TOPIC)
    with pytest.raises(ClientError) as error:
        aws.cfn.set_stack_policy(StackName="p", StackPolicyBody=body)
    assert error.value.response["Error"]["Message"] == "Error validating stack policy: Invalid stack policy"


def test_set_stack_policy_stores_the_matbakh_policy(aws):
    aws.deploy("p", TOPIC)
    aws.cfn.set_stack_policy(StackName="p", StackPolicyBody=PROD_POLICY)
    assert aws.cfn.get_stack_policy(StackName="p")["StackPolicyBody"] == PROD_POLICY


def test_create_stack_reads_the_policy_from_stack_policy_url(aws):
    aws.client("s3").create_bucket(Bucket="policies", CreateBucketConfiguration={"LocationConstraint": REGION})
    aws.client("s3").put_object(Bucket="policies", Key="p.json", Body=PROD_POLICY.encode())
    url = "https://policies.s3.amazonaws.com/p.json"
    aws.cfn.create_stack(StackName="p", TemplateBody=topic_template(), StackPolicyURL=url)
    assert aws.cfn.get_stack_policy(StackName="p")["StackPolicyBody"] == PROD_POLICY
    with pytest.raises(ClientError) as error:
        aws.cfn.create_stack(StackName="q", TemplateBody=topic_template(name="u"), StackPolicyURL=url,
                             StackPolicyBody=PROD_POLICY)
    assert error.value.response["Error"]["Message"] == "You cannot specify both StackPolicyURL and StackPolicyBody"


def test_update_stack_replaces_the_policy_and_keeps_the_during_update_one_temporary(aws):
    aws.cfn.create_stack(StackName="p", TemplateBody=topic_template(), StackPolicyBody=PROD_POLICY)
    allow_all = policy(ALLOW_ALL)
    aws.cfn.update_stack(StackName="p", TemplateBody=topic_template("two"), StackPolicyDuringUpdateBody=allow_all)
    assert aws.cfn.get_stack_policy(StackName="p")["StackPolicyBody"] == PROD_POLICY
    stack = cloudformation_backends[ACCOUNT][REGION].get_stack("p")
    assert not hasattr(stack, "policy_during_update")
    aws.cfn.update_stack(StackName="p", TemplateBody=topic_template("three"), StackPolicyBody=allow_all)
    assert aws.cfn.get_stack_policy(StackName="p")["StackPolicyBody"] == allow_all


# --- termination protection ------------------------------------------------------------------


def topic_arns(aws):
    return [t["TopicArn"] for t in aws.client("sns").list_topics()["Topics"]]


def test_update_termination_protection_is_shown_by_describe_stacks(aws):
    stack_id = aws.deploy("p", TOPIC)["StackId"]
    assert aws.cfn.describe_stacks(StackName="p")["Stacks"][0]["EnableTerminationProtection"] is False
    answer = aws.cfn.update_termination_protection(StackName="p", EnableTerminationProtection=True)
    assert answer["StackId"] == stack_id
    assert aws.cfn.describe_stacks(StackName="p")["Stacks"][0]["EnableTerminationProtection"] is True
    aws.cfn.update_termination_protection(StackName=stack_id, EnableTerminationProtection=False)
    assert aws.cfn.describe_stacks(StackName="p")["Stacks"][0]["EnableTerminationProtection"] is False


def test_update_termination_protection_of_an_unknown_stack_fails(aws):
    with pytest.raises(ClientError) as error:
        aws.cfn.update_termination_protection(StackName="nope", EnableTerminationProtection=True)
    assert error.value.response["Error"]["Code"] == "ValidationError"


def test_delete_stack_is_refused_while_termination_protection_is_on(aws):
    aws.deploy("p", TOPIC)
    aws.cfn.update_termination_protection(StackName="p", EnableTerminationProtection=True)
    with pytest.raises(ClientError) as error:
        aws.cfn.delete_stack(StackName="p")
    assert error.value.response["Error"]["Code"] == "ValidationError"
    assert error.value.response["Error"]["Message"] == "Stack [p] cannot be deleted while TerminationProtection is enabled"
    assert aws.cfn.describe_stacks(StackName="p")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    assert len(topic_arns(aws)) == 1

    aws.cfn.update_termination_protection(StackName="p", EnableTerminationProtection=False)
    aws.cfn.delete_stack(StackName="p")
    assert [s["StackStatus"] for s in aws.cfn.list_stacks()["StackSummaries"]] == ["DELETE_COMPLETE"]
    assert topic_arns(aws) == []


def test_termination_protection_given_to_create_stack_is_enforced(aws):
    aws.cfn.create_stack(StackName="p", TemplateBody=topic_template(), EnableTerminationProtection=True)
    with pytest.raises(ClientError, match=r"Stack \[p\] cannot be deleted while TerminationProtection is enabled"):
        aws.cfn.delete_stack(StackName="p")


# --- imports ---------------------------------------------------------------------------------


def test_list_imports_answers_the_recorded_importers(aws):
    set_imports(ACCOUNT, REGION, "b", {"X", "Y"})
    set_imports(ACCOUNT, REGION, "a", {"X"})
    assert aws.cfn.list_imports(ExportName="X")["Imports"] == ["a", "b"]
    assert aws.cfn.list_imports(ExportName="Y")["Imports"] == ["b"]
    set_imports(ACCOUNT, REGION, "b", {"X"})  # replaces what b imported
    with pytest.raises(ClientError) as error:
        aws.cfn.list_imports(ExportName="Y")
    assert error.value.response["Error"]["Code"] == "ValidationError"
    assert error.value.response["Error"]["Message"] == "Export 'Y' is not imported by any stack."
    set_imports(ACCOUNT, REGION, "a", set())
    assert importers(ACCOUNT, REGION, "X") == ["b"]


def test_list_imports_pages_by_100(aws):
    for n in range(101):
        set_imports(ACCOUNT, REGION, f"s{n:03}", {"X"})
    first = aws.cfn.list_imports(ExportName="X")
    assert len(first["Imports"]) == 100 and first["NextToken"]
    second = aws.cfn.list_imports(ExportName="X", NextToken=first["NextToken"])
    assert second["Imports"] == ["s100"] and "NextToken" not in second


def test_moto_reset_clears_the_imports(aws):
    set_imports(ACCOUNT, REGION, "b", {"X"})
    assert requests.post("http://motoapi.amazonaws.com/moto-api/reset").status_code == 200
    assert importers(ACCOUNT, REGION, "X") == []


def test_export_update_refusal(aws):
    set_imports(ACCOUNT, REGION, "b", {"X"})
    old = {"X": "1", "Y": "2"}
    assert export_update_refusal(ACCOUNT, REGION, "a", old, {"X": "9", "Y": "2"}) == (
        "Cannot update export X as it is in use by b.")
    assert export_update_refusal(ACCOUNT, REGION, "a", old, {"Y": "2"}) == (
        "Delete canceled. Cannot delete export X as it is in use by b.")
    assert export_update_refusal(ACCOUNT, REGION, "a", old, {"X": "1", "Y": "3"}) is None  # Y: nobody imports it
    assert export_update_refusal(ACCOUNT, REGION, "a", old, {"X": "1"}) is None
    assert export_update_refusal(ACCOUNT, REGION, "a", old, {**old, "Z": "new"}) is None
    set_imports(ACCOUNT, REGION, "c", {"X"})
    set_imports(ACCOUNT, REGION, "d", {"X"})
    assert export_update_refusal(ACCOUNT, REGION, "a", old, {"Y": "2"}) == (
        "Delete canceled. Cannot delete export X as it is in use by b, c and d.")


def importer_template(export):
    return json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {
        "TopicName": "importer", "DisplayName": {"Fn::ImportValue": export}}}}})


def test_delete_stack_of_an_exporter_in_use_is_cancelled(aws):
    aws.cfn.create_stack(StackName="a", TemplateBody=topic_template(export="X"))
    aws.cfn.create_stack(StackName="b", TemplateBody=importer_template("X"))
    set_imports(ACCOUNT, REGION, "b", {"X"})
    reason = "Delete canceled. Cannot delete export X as it is in use by b."
    assert delete_refusal(ACCOUNT, REGION, "a") == reason

    aws.cfn.delete_stack(StackName="a")  # accepted, then cancelled
    stack = aws.cfn.describe_stacks(StackName="a")["Stacks"][0]
    assert (stack["StackStatus"], stack["StackStatusReason"]) == ("CREATE_COMPLETE", reason)
    events = [(e["ResourceStatus"], e.get("ResourceStatusReason"))
              for e in aws.cfn.describe_stack_events(StackName="a")["StackEvents"]]
    assert events[:2] == [("CREATE_COMPLETE", reason), ("DELETE_IN_PROGRESS", "User Initiated")]
    assert [e["Name"] for e in aws.cfn.list_exports()["Exports"]] == ["X"]
    assert len(topic_arns(aws)) == 2

    aws.cfn.delete_stack(StackName="b")  # the importer goes, and with it the import
    with pytest.raises(ClientError, match="is not imported by any stack"):
        aws.cfn.list_imports(ExportName="X")
    aws.cfn.delete_stack(StackName="a")
    assert aws.cfn.list_exports()["Exports"] == [] and topic_arns(aws) == []


def test_imports_of_change_set_stacks_end_to_end(aws):
    """A exports X, B imports it, both through change sets; needs the engine
    (local_aws/cloudformation.py) to register exports, call set_imports and enforce
    export_update_refusal."""
    aws.deploy("a", topic_template(export="X"))
    if "X" not in [e["Name"] for e in aws.cfn.list_exports()["Exports"]]:
        pytest.skip("the engine does not register exports of CREATE change sets yet")
    aws.deploy("b", importer_template("X"))
    if not importers(ACCOUNT, REGION, "X"):
        pytest.skip("the engine does not call stack_protection.set_imports yet")
    assert aws.cfn.list_imports(ExportName="X")["Imports"] == ["b"]

    aws.cfn.delete_stack(StackName="a")
    assert aws.cfn.describe_stacks(StackName="a")["Stacks"][0]["StackStatusReason"] == (
        "Delete canceled. Cannot delete export X as it is in use by b.")

    arn = aws.outputs("a")["Arn"]
    aws.deploy("a", topic_template(name="renamed", export="X"), expect="UPDATE_ROLLBACK_COMPLETE")
    reasons = [e.get("ResourceStatusReason") for e in aws.cfn.describe_stack_events(StackName="a")["StackEvents"]]
    assert "Cannot update export X as it is in use by b." in reasons
    assert {e["Name"]: e["Value"] for e in aws.cfn.list_exports()["Exports"]}["X"] == arn


# --- probes: moto still lacks these ----------------------------------------------------------


def test_probe_moto_lacks_update_termination_protection():
    assert original(CloudFormationResponse, "update_termination_protection") is None and not hasattr(
        CloudFormationBackend, "update_termination_protection"
    ), "moto fixed UpdateTerminationProtection upstream: remove the extension in local_aws/stack_protection.py"


def test_probe_moto_lacks_list_imports():
    assert original(CloudFormationResponse, "list_imports") is None and not hasattr(
        CloudFormationBackend, "list_imports"
    ), "moto fixed ListImports upstream: remove the extension in local_aws/stack_protection.py"


def test_probe_moto_deletes_a_protected_stack(aws):
    aws.cfn.create_stack(StackName="p", TemplateBody=topic_template(), EnableTerminationProtection=True)
    backend = cloudformation_backends[ACCOUNT][REGION]
    # by id: by name, moto's delete_stack calls self.delete_stack(id), i.e. our guard
    original(CloudFormationBackend, "delete_stack")(backend, backend.get_stack("p").stack_id)
    assert not [s for s in backend.stacks.values() if s.name == "p"], (
        "moto fixed termination protection on DeleteStack upstream: remove the guard in local_aws/stack_protection.py")


def test_probe_moto_deletes_an_exporter_whose_export_is_imported(aws):
    aws.cfn.create_stack(StackName="a", TemplateBody=topic_template(export="X"))
    aws.cfn.create_stack(StackName="b", TemplateBody=importer_template("X"))
    set_imports(ACCOUNT, REGION, "b", {"X"})
    backend = cloudformation_backends[ACCOUNT][REGION]
    original(CloudFormationBackend, "delete_stack")(backend, backend.get_stack("a").stack_id)
    assert "X" not in backend.exports, (
        "moto fixed exports in use on DeleteStack upstream: remove the guard in local_aws/stack_protection.py")


def test_probe_moto_stores_an_invalid_stack_policy(aws):
    aws.cfn.create_stack(StackName="p", TemplateBody=topic_template())
    backend = cloudformation_backends[ACCOUNT][REGION]
    original(CloudFormationBackend, "set_stack_policy")(backend, "p", "not json")
    assert backend.get_stack("p").policy == "not json", (
        "moto validates stack policies upstream: remove the validation in local_aws/stack_protection.py")


def test_probe_moto_drops_stack_policy_urls_and_update_policies():
    create = inspect.getsource(original(CloudFormationResponse, "create_stack"))
    update = inspect.getsource(original(CloudFormationResponse, "update_stack"))
    assert "StackPolicyURL" not in create and "StackPolicy" not in update, (
        "moto reads StackPolicyURL / UpdateStack's stack policies upstream: "
        "remove those wrappers in local_aws/stack_protection.py")
