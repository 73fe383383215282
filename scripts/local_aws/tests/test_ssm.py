"""AWS::SSM::Parameter through change sets, the golden auth stacks' parameter, and probes
that moto 5.2.5 is still broken where local_aws/ssm.py works around it."""

import pytest
from botocore.exceptions import ClientError
from moto.ssm.models import Parameter, ssm_backends

from _support import fake_imports, golden_placeholders, golden_subset
from conftest import ACCOUNT, REGION, golden_template
from local_aws._cfn import original


def parameter_template(**overrides):
    props = {
        "Name": "/app/endpoint",
        "Type": "String",
        "Value": "https://one.example",
        "Description": "first",
        "AllowedPattern": "^https://.*",
        "Tags": {"team": "a", "gone": "soon"},
        **overrides,
    }
    return {"Resources": {"Param": {"Type": "AWS::SSM::Parameter", "Properties": props}}, "Outputs": {
        "Ref": {"Value": {"Ref": "Param"}},
        "Type": {"Value": {"Fn::GetAtt": ["Param", "Type"]}},
        "Value": {"Value": {"Fn::GetAtt": ["Param", "Value"]}},
        "Arn": {"Value": {"Fn::GetAtt": ["Param", "Arn"]}},
    }}


def tags(ssm, name):
    return {t["Key"]: t["Value"] for t in ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]}


def description(ssm, name):
    found = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])["Parameters"]
    return found[0].get("Description")


def test_parameter_is_created_updated_in_place_and_deleted(aws):
    ssm = aws.client("ssm")
    aws.deploy("params", parameter_template())
    assert aws.physical_id("params", "Param") == "/app/endpoint"
    assert aws.outputs("params") == {
        "Ref": "/app/endpoint", "Type": "String", "Value": "https://one.example",
        "Arn": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/endpoint",
    }
    param = ssm.get_parameter(Name="/app/endpoint")["Parameter"]
    assert (param["Value"], param["Type"], param["Version"]) == ("https://one.example", "String", 1)
    assert description(ssm, "/app/endpoint") == "first"
    assert tags(ssm, "/app/endpoint") == {"team": "a", "gone": "soon"}

    aws.deploy("params", parameter_template(Value="https://two.example", Description="second", Tags={"team": "b"}))
    param = ssm.get_parameter(Name="/app/endpoint")["Parameter"]
    assert (param["Value"], param["Version"]) == ("https://two.example", 2)  # a new version, history kept
    assert [p["Value"] for p in ssm.get_parameter_history(Name="/app/endpoint")["Parameters"]] == [
        "https://one.example", "https://two.example"]
    assert description(ssm, "/app/endpoint") == "second"
    assert tags(ssm, "/app/endpoint") == {"team": "b"}
    assert aws.outputs("params")["Value"] == "https://two.example"

    aws.deploy("params", parameter_template(Value="https://two.example", Description="second", Tags={"team": "c"}))
    assert ssm.get_parameter(Name="/app/endpoint")["Parameter"]["Version"] == 2  # tags only
    assert tags(ssm, "/app/endpoint") == {"team": "c"}

    aws.deploy("params", {"Resources": {"Nothing": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}})
    with pytest.raises(ClientError, match="ParameterNotFound"):
        ssm.get_parameter(Name="/app/endpoint")


def test_string_list_without_name(aws):
    param = {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "StringList", "Value": "a,b"}}
    aws.deploy("lists", {"Resources": {"Param": param}, "Outputs": {"Type": {"Value": {"Fn::GetAtt": ["Param", "Type"]}}}})
    name = aws.physical_id("lists", "Param")
    assert name.startswith("lists-Param-")
    assert aws.client("ssm").get_parameter(Name=name)["Parameter"]["Value"] == "a,b"
    assert aws.outputs("lists") == {"Type": "StringList"}


def test_secure_string_is_refused(aws):
    aws.deploy("secure", parameter_template(Type="SecureString"), expect="ROLLBACK_COMPLETE")
    with pytest.raises(ClientError, match="ParameterNotFound"):
        aws.client("ssm").get_parameter(Name="/app/endpoint")


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_golden_auth_parameter(aws, env):
    ssm = aws.client("ssm")
    placeholders = golden_placeholders(env)
    template = golden_template(env, "auth")
    subset = golden_subset(template, {"AWS::SSM::Parameter"}, placeholders)
    fake_imports(aws, subset)
    stack = f"matbakh-{env}-auth"
    aws.deploy(stack, subset)
    assert len(subset["Resources"]) == 2, "the pool id and the server-side client id"
    for logical, resource in subset["Resources"].items():
        props = resource["Properties"]
        assert aws.physical_id(stack, logical) == props["Name"]
        param = ssm.get_parameter(Name=props["Name"])["Parameter"]
        named = template["Resources"][logical]["Properties"]["Value"]["Ref"]
        assert (param["Type"], param["Value"]) == (props["Type"], placeholders[named])
        assert description(ssm, props["Name"]) == props["Description"]
        assert tags(ssm, props["Name"]) == props["Tags"]


# --------------------------------------------------------------------------- probes


def moto_create(props):
    return original(Parameter, "create_from_cloudformation_json")(props.get("Name"), {"Properties": props}, ACCOUNT, REGION)


def test_probe_parameter_tags_map_answers_500(aws):
    with pytest.raises(TypeError, match="string indices"):
        moto_create({"Name": "/probe", "Type": "String", "Value": "v", "Tags": {"a": "b"}})
        pytest.fail("moto accepts the Tags map of AWS::SSM::Parameter upstream: remove that from local_aws/ssm.py")


def test_probe_parameter_update_recreates_and_has_no_attributes(aws):
    props = {"Name": "/probe", "Type": "String", "Value": "v"}
    first = moto_create(props)
    update = original(Parameter, "update_from_cloudformation_json")
    updated = update(first, "/probe", {"Properties": {**props, "Value": "w"}}, ACCOUNT, REGION)
    assert updated.version == 1, "moto updates AWS::SSM::Parameter in place upstream: remove that from local_aws/ssm.py"
    assert len(ssm_backends[ACCOUNT][REGION]._parameters["/probe"]) == 1
    assert original(Parameter, "get_cfn_attribute") is None, (
        "moto supports Fn::GetAtt on AWS::SSM::Parameter upstream: remove that from local_aws/ssm.py")
