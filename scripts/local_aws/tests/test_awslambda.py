"""AWS::Lambda::Function, LayerVersion, Version, Alias, Permission through change sets, the
golden app templates, and probes that moto 5.2.5 is still broken where local_aws/awslambda.py
works around it."""

import copy
import io
import json
import zipfile

import pytest
import yaml
from botocore.exceptions import ClientError
from moto.awslambda import models as moto_lambda
from moto.awslambda.utils import get_backend
from moto.core.common_models import CloudFormationModel

from _support import BUCKET, deploy_golden_app, upload
from conftest import ACCOUNT, REGION, REPO
from local_aws import _cfn

ROLE = {
    "Type": "AWS::IAM::Role",
    "Properties": {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
        }
    },
}
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"


def function(**properties):
    base = {
        "FunctionName": "t-fn",
        "Runtime": "nodejs22.x",
        "Handler": "index.handler",
        "Role": {"Fn::GetAtt": ["Role", "Arn"]},
        "Code": {"S3Bucket": BUCKET, "S3Key": "fn-1.zip"},
    }
    base.update(properties)
    return {"Type": "AWS::Lambda::Function", "Properties": base}


def layer(key="layer-1.zip", **properties):
    return {
        "Type": "AWS::Lambda::LayerVersion",
        "Properties": {"LayerName": "t-shared", "Content": {"S3Bucket": BUCKET, "S3Key": key}, **properties},
    }


def not_found(call, **kwargs):
    with pytest.raises(ClientError) as error:
        call(**kwargs)
    return error.value.response["Error"]["Code"]


# --------------------------------------------------------------------------- Function


def test_function_keeps_every_property_updates_in_place_and_is_deleted(aws):
    sha1 = upload(aws, "fn-1.zip", "v1")
    sha2 = upload(aws, "fn-2.zip", "v2")
    upload(aws, "layer-1.zip", "layer")
    fn = function(
        Description="test function",
        Architectures=["arm64"],
        MemorySize=1024,
        Timeout=30,
        Layers=[{"Ref": "Layer"}],
        Environment={"Variables": {"NODE_ENV": "test", "PORT": 5432, "DEBUG": True}},
        KmsKeyArn=KEY_ARN,
        VpcConfig={"SecurityGroupIds": ["sg-0123"], "SubnetIds": ["subnet-0a", "subnet-0b"]},
        TracingConfig={"Mode": "Active"},
        ReservedConcurrentExecutions=5,
        EphemeralStorage={"Size": 1024},
        LoggingConfig={"LogFormat": "JSON", "LogGroup": "/custom/t-fn"},
        Tags=[{"Key": "team", "Value": "platform"}],
    )
    template = {
        "Resources": {"Role": ROLE, "Layer": layer(), "Fn": fn},
        "Outputs": {"Name": {"Value": {"Ref": "Fn"}}, "Arn": {"Value": {"Fn::GetAtt": ["Fn", "Arn"]}}},
    }
    aws.deploy("fn", template)
    lam = aws.client("lambda")
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:t-fn"
    assert aws.outputs("fn") == {"Name": "t-fn", "Arn": arn}
    assert aws.physical_id("fn", "Fn") == "t-fn"

    got = lam.get_function(FunctionName="t-fn")
    c = got["Configuration"]
    assert c["FunctionArn"] == arn
    assert c["Description"] == "test function"
    assert c["Architectures"] == ["arm64"]
    assert (c["MemorySize"], c["Timeout"]) == (1024, 30)
    assert [l["Arn"] for l in c["Layers"]] == [f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:t-shared:1"]
    # Environment.Variables is a map of strings (notes row 15)
    assert c["Environment"]["Variables"] == {"NODE_ENV": "test", "PORT": "5432", "DEBUG": "true"}
    assert c["KMSKeyArn"] == KEY_ARN
    assert sorted(c["VpcConfig"]["SubnetIds"]) == ["subnet-0a", "subnet-0b"]
    assert c["VpcConfig"]["SecurityGroupIds"] == ["sg-0123"]
    assert c["TracingConfig"] == {"Mode": "Active"}
    assert c["EphemeralStorage"] == {"Size": 1024}
    assert c["LoggingConfig"] == {"LogFormat": "JSON", "LogGroup": "/custom/t-fn"}
    assert c["CodeSha256"] == sha1
    assert got["Concurrency"] == {"ReservedConcurrentExecutions": 5}
    assert got["Tags"]["team"] == "platform"
    assert got["Tags"]["aws:cloudformation:logical-id"] == "Fn"
    assert got["Tags"]["aws:cloudformation:stack-name"] == "fn"

    # Update: configuration and code in place; what the template drops goes back to defaults.
    updated = copy.deepcopy(template)
    props = updated["Resources"]["Fn"]["Properties"]
    props.update(MemorySize=512, Timeout=60, Architectures=["x86_64"], Code={"S3Bucket": BUCKET, "S3Key": "fn-2.zip"})
    props["Environment"]["Variables"].pop("DEBUG")
    for dropped in ("TracingConfig", "Layers", "KmsKeyArn", "ReservedConcurrentExecutions", "LoggingConfig"):
        props.pop(dropped)
    aws.deploy("fn", updated)
    assert aws.physical_id("fn", "Fn") == "t-fn"
    got = lam.get_function(FunctionName="t-fn")
    c = got["Configuration"]
    assert c["FunctionArn"] == arn
    assert (c["MemorySize"], c["Timeout"], c["Architectures"]) == (512, 60, ["x86_64"])
    assert c["Environment"]["Variables"] == {"NODE_ENV": "test", "PORT": "5432"}
    assert c["TracingConfig"] == {"Mode": "PassThrough"}
    assert c["Layers"] == []
    assert c.get("KMSKeyArn") is None
    assert c["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/aws/lambda/t-fn"}
    assert c["CodeSha256"] == sha2
    assert "Concurrency" not in got

    # Out-of-band change through the API (what our drift test does) is visible.
    lam.update_function_configuration(FunctionName="t-fn", MemorySize=256, TracingConfig={"Mode": "Active"})
    c = lam.get_function(FunctionName="t-fn")["Configuration"]
    assert (c["MemorySize"], c["TracingConfig"]) == (256, {"Mode": "Active"})

    # Delete: remove it from the template.
    removed = copy.deepcopy(updated)
    del removed["Resources"]["Fn"]
    removed["Outputs"] = {"Layer": {"Value": {"Ref": "Layer"}}}
    aws.deploy("fn", removed)
    assert not_found(lam.get_function, FunctionName="t-fn") == "ResourceNotFoundException"


def test_inline_code_is_zipped_as_index_of_the_runtime(aws):
    template = {"Resources": {"Role": ROLE, "Fn": function(Code={"ZipFile": "exports.handler = async () => 1;"})}}
    aws.deploy("inline", template)
    fn = get_backend(ACCOUNT, REGION).get_function("t-fn")
    assert zipfile.ZipFile(io.BytesIO(fn.code_bytes)).namelist() == ["index.js"]


def test_function_without_name_gets_a_generated_one(aws):
    upload(aws, "fn-1.zip", "v1")
    template = {"Resources": {"Role": ROLE, "Fn": function(FunctionName=None)}, "Outputs": {"Name": {"Value": {"Ref": "Fn"}}}}
    del template["Resources"]["Fn"]["Properties"]["FunctionName"]
    aws.deploy("gen", template)
    name = aws.outputs("gen")["Name"]
    assert name.startswith("gen-Fn-")
    assert aws.client("lambda").get_function(FunctionName=name)["Configuration"]["FunctionName"] == name


# --------------------------------------------------------------------------- LayerVersion


def test_layer_version_is_named_replaced_on_change_and_deleted(aws):
    sha = upload(aws, "layer-1.zip", "one")
    sha2 = upload(aws, "layer-2.zip", "two")
    template = {
        "Resources": {
            "Layer": layer(
                Description="shared helpers",
                CompatibleRuntimes=["nodejs22.x"],
                CompatibleArchitectures=["arm64"],
                LicenseInfo="MIT",
            )
        },
        "Outputs": {"Ref": {"Value": {"Ref": "Layer"}}, "Arn": {"Value": {"Fn::GetAtt": ["Layer", "LayerVersionArn"]}}},
    }
    aws.deploy("layer", template)
    arn1 = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:t-shared:1"
    assert aws.outputs("layer") == {"Ref": arn1, "Arn": arn1}
    assert aws.physical_id("layer", "Layer") == arn1
    lam = aws.client("lambda")
    got = lam.get_layer_version(LayerName="t-shared", VersionNumber=1)
    assert got["LayerVersionArn"] == arn1
    assert got["Description"] == "shared helpers"
    assert got["CompatibleRuntimes"] == ["nodejs22.x"]
    assert got["CompatibleArchitectures"] == ["arm64"]
    assert got["LicenseInfo"] == "MIT"
    assert got["Content"]["CodeSha256"] == sha

    # Every property is createOnly: new content = a new layer version, the old one deleted.
    changed = copy.deepcopy(template)
    changed["Resources"]["Layer"]["Properties"]["Content"]["S3Key"] = "layer-2.zip"
    aws.deploy("layer", changed)
    arn2 = arn1[:-1] + "2"
    assert aws.outputs("layer") == {"Ref": arn2, "Arn": arn2}
    assert lam.get_layer_version(LayerName="t-shared", VersionNumber=2)["Content"]["CodeSha256"] == sha2
    assert [v["Version"] for v in lam.list_layer_versions(LayerName="t-shared")["LayerVersions"]] == [2]

    aws.deploy("layer", {"Resources": {"Other": {"Type": "AWS::SNS::Topic"}}})
    assert lam.list_layer_versions(LayerName="t-shared")["LayerVersions"] == []


# --------------------------------------------------------------------------- Version and Alias


def versioned(version_id, description, function_version=None, **alias_properties):
    """Function + Version + live Alias, the way our app template wires them."""
    return {
        "Resources": {
            "Role": ROLE,
            "Fn": function(),
            version_id: {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}, "Description": description}},
            "Live": {
                "Type": "AWS::Lambda::Alias",
                "Properties": {
                    "Name": "live",
                    "FunctionName": {"Ref": "Fn"},
                    "FunctionVersion": function_version or {"Fn::GetAtt": [version_id, "Version"]},
                    **alias_properties,
                },
            },
        },
        "Outputs": {
            "VersionRef": {"Value": {"Ref": version_id}},
            "Version": {"Value": {"Fn::GetAtt": [version_id, "Version"]}},
            "VersionFunctionArn": {"Value": {"Fn::GetAtt": [version_id, "FunctionArn"]}},
            "AliasRef": {"Value": {"Ref": "Live"}},
            "AliasArn": {"Value": {"Fn::GetAtt": ["Live", "AliasArn"]}},
        },
    }


def test_version_and_alias_follow_new_code(aws):
    upload(aws, "fn-1.zip", "v1")
    sha2 = upload(aws, "fn-2.zip", "v2")
    lam = aws.client("lambda")
    fn_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:t-fn"
    aws.deploy("ver", versioned("VersionA", "code one", Description="what callers invoke"))
    assert aws.outputs("ver") == {
        "VersionRef": f"{fn_arn}:1",
        "Version": "1",
        "VersionFunctionArn": f"{fn_arn}:1",
        "AliasRef": f"{fn_arn}:live",
        "AliasArn": f"{fn_arn}:live",
    }
    versions = lam.list_versions_by_function(FunctionName="t-fn")["Versions"]
    assert [(v["Version"], v["Description"]) for v in versions][1:] == [("1", "code one")]
    alias = lam.get_alias(FunctionName="t-fn", Name="live")
    assert (alias["FunctionVersion"], alias["Description"]) == ("1", "what callers invoke")

    # New code and a new Version resource (the app template names it after the code hash);
    # the alias moves in place. The engine creates the new version and deletes the old one.
    template = versioned(
        "VersionB",
        "code two",
        Description="moved",
        RoutingConfig={"AdditionalVersionWeights": []},
        ProvisionedConcurrencyConfig={"ProvisionedConcurrentExecutions": 2},
    )
    template["Resources"]["Fn"]["Properties"]["Code"]["S3Key"] = "fn-2.zip"
    aws.deploy("ver", template)
    outputs = aws.outputs("ver")
    assert outputs["Version"] == "2" and outputs["VersionRef"] == f"{fn_arn}:2"
    assert outputs["AliasRef"] == f"{fn_arn}:live"
    alias = lam.get_alias(FunctionName="t-fn", Name="live")
    assert (alias["FunctionVersion"], alias["Description"]) == ("2", "moved")
    versions = {v["Version"]: v for v in lam.list_versions_by_function(FunctionName="t-fn")["Versions"]}
    assert sorted(versions) == ["$LATEST", "2"]
    assert versions["2"]["CodeSha256"] == sha2

    aws.cfn.delete_stack(StackName="ver")
    assert not_found(lam.get_function, FunctionName="t-fn") == "ResourceNotFoundException"


def test_alias_update_changes_version_in_place_and_deletes(aws):
    upload(aws, "fn-1.zip", "v1")
    lam = aws.client("lambda")
    template = versioned("VersionA", "one")
    aws.deploy("alias", template)
    # publish a second version out of band, then point the alias at it through the template
    lam.update_function_configuration(FunctionName="t-fn", MemorySize=256)
    assert lam.publish_version(FunctionName="t-fn")["Version"] == "2"
    weights = {"AdditionalVersionWeights": [{"FunctionVersion": "1", "FunctionWeight": 0.25}]}
    aws.deploy("alias", versioned("VersionA", "one", function_version="2", RoutingConfig=weights))
    alias = lam.get_alias(FunctionName="t-fn", Name="live")
    assert alias["FunctionVersion"] == "2"
    assert alias["RoutingConfig"] == {"AdditionalVersionWeights": {"1": 0.25}}
    assert aws.physical_id("alias", "Live") == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:t-fn:live"

    removed = versioned("VersionA", "one")
    del removed["Resources"]["Live"]
    removed["Outputs"] = {}
    aws.deploy("alias", removed)
    assert not_found(lam.get_alias, FunctionName="t-fn", Name="live") == "ResourceNotFoundException"
    # the Version resource's delete removes the version
    aws.deploy("alias", {"Resources": {"Role": ROLE, "Fn": function()}})
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="t-fn")["Versions"]] == ["$LATEST", "2"]


def test_version_refuses_a_code_sha256_other_than_latest(aws):
    upload(aws, "fn-1.zip", "v1")
    template = versioned("VersionA", "one")
    template["Resources"]["VersionA"]["Properties"]["CodeSha256"] = "bm90IHRoZSBoYXNo"
    with pytest.raises(AssertionError):
        aws.deploy("sha", template)
    [failed] = [e for e in aws.cfn.describe_stack_events(StackName="sha")["StackEvents"] if e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed["LogicalResourceId"] == "VersionA"
    assert "is different from current CodeSHA256" in failed["ResourceStatusReason"]


def test_a_new_version_of_an_unchanged_function_is_refused(aws):
    """PublishVersion returns the last version when nothing changed; CloudFormation fails
    the new Version resource instead of letting two resources share (and delete) it."""
    upload(aws, "fn-1.zip", "v1")
    aws.deploy("same", versioned("VersionA", "one"))
    template = versioned("VersionA", "one")
    template["Resources"]["VersionB"] = {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}}}
    with pytest.raises(AssertionError, match="A version for this Lambda function exists"):
        aws.deploy("same", template)
    versions = aws.client("lambda").list_versions_by_function(FunctionName="t-fn")["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1"]


# --------------------------------------------------------------------------- Permission


def permitted(source_arn):
    template = versioned("VersionA", "one")
    template["Resources"]["Perm"] = {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Ref": "Live"},  # the alias ARN, as the auth template imports it
            "Principal": "cognito-idp.amazonaws.com",
            "SourceArn": source_arn,
            "SourceAccount": {"Ref": "AWS::AccountId"},
        },
    }
    template["Outputs"] = {"Ref": {"Value": {"Ref": "Perm"}}, "Id": {"Value": {"Fn::GetAtt": ["Perm", "Id"]}}}
    return template


def test_permission_lands_in_the_alias_policy_is_replaced_and_removed(aws):
    upload(aws, "fn-1.zip", "v1")
    lam = aws.client("lambda")
    pool1 = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{REGION}_one"
    aws.deploy("perm", permitted(pool1))
    outputs = aws.outputs("perm")
    sid = outputs["Ref"]
    assert outputs["Id"] == sid and sid.startswith("perm-Perm-")
    assert aws.physical_id("perm", "Perm") == sid
    policy = json.loads(lam.get_policy(FunctionName="t-fn", Qualifier="live")["Policy"])
    [statement] = policy["Statement"]
    assert statement["Sid"] == sid
    assert statement["Resource"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:t-fn:live"
    assert statement["Action"] == "lambda:InvokeFunction"
    assert statement["Principal"] == {"Service": "cognito-idp.amazonaws.com"}
    assert statement["Condition"] == {
        "ArnLike": {"AWS:SourceArn": pool1},
        "StringEquals": {"AWS:SourceAccount": ACCOUNT},
    }
    # only the alias's policy has it
    assert not_found(lam.get_policy, FunctionName="t-fn") == "ResourceNotFoundException"
    assert not_found(lam.get_policy, FunctionName="t-fn", Qualifier="1") == "ResourceNotFoundException"

    # Every property is createOnly: a new SourceArn = a new statement, the old one removed.
    pool2 = pool1.replace("_one", "_two")
    aws.deploy("perm", permitted(pool2))
    new_sid = aws.outputs("perm")["Ref"]
    assert new_sid != sid
    policy = json.loads(lam.get_policy(FunctionName="t-fn", Qualifier="live")["Policy"])
    assert [(s["Sid"], s["Condition"]["ArnLike"]["AWS:SourceArn"]) for s in policy["Statement"]] == [(new_sid, pool2)]

    without = permitted(pool2)
    del without["Resources"]["Perm"]
    without["Outputs"] = {}
    aws.deploy("perm", without)
    assert not_found(lam.get_policy, FunctionName="t-fn", Qualifier="live") == "ResourceNotFoundException"


def test_api_version_numbers_and_policies_per_qualifier(aws):
    """PublishVersion never reuses a number; versions and aliases have their own policy."""
    upload(aws, "fn-1.zip", "v1")
    aws.deploy("api", {"Resources": {"Role": ROLE, "Fn": function()}})
    lam = aws.client("lambda")
    assert lam.publish_version(FunctionName="t-fn")["Version"] == "1"
    assert lam.publish_version(FunctionName="t-fn")["Version"] == "1"  # nothing changed
    lam.update_function_configuration(FunctionName="t-fn", MemorySize=256)
    assert lam.publish_version(FunctionName="t-fn")["Version"] == "2"
    lam.delete_function(FunctionName="t-fn", Qualifier="2")
    lam.update_function_configuration(FunctionName="t-fn", MemorySize=512)
    assert lam.publish_version(FunctionName="t-fn")["Version"] == "3"

    lam.create_alias(FunctionName="t-fn", Name="live", FunctionVersion="3")
    lam.add_permission(FunctionName="t-fn", Qualifier="3", StatementId="v3", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
    lam.add_permission(FunctionName="t-fn:live", StatementId="a", Action="lambda:InvokeFunction", Principal="sns.amazonaws.com")
    sids = lambda **kw: [s["Sid"] for s in json.loads(lam.get_policy(FunctionName="t-fn", **kw)["Policy"])["Statement"]]
    assert sids(Qualifier="3") == ["v3"]
    assert sids(Qualifier="live") == ["a"]
    assert not_found(lam.get_policy, FunctionName="t-fn") == "ResourceNotFoundException"
    lam.remove_permission(FunctionName="t-fn", StatementId="a", Qualifier="live")
    assert not_found(lam.get_policy, FunctionName="t-fn", Qualifier="live") == "ResourceNotFoundException"
    assert sids(Qualifier="3") == ["v3"]


# --------------------------------------------------------------------------- golden templates


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_golden_app_template_deploys(aws, env):
    template, values = deploy_golden_app(aws, env)
    lam = aws.client("lambda")
    outputs = aws.outputs(f"matbakh-{env}-app")
    functions = {n: r["Properties"] for n, r in template["Resources"].items() if r["Type"] == "AWS::Lambda::Function"}
    # Every function the environment defines, and only those.
    defined = yaml.safe_load((REPO / "stacks" / f"{env}.yaml").read_text())["functions"]["definitions"]
    assert sorted(p["FunctionName"] for p in functions.values()) == sorted(f"matbakh-{env}-{d['name']}" for d in defined)
    for logical, props in functions.items():
        got = lam.get_function(FunctionName=props["FunctionName"])
        c = got["Configuration"]
        assert c["Architectures"] == props["Architectures"]
        assert (c["MemorySize"], c["Timeout"], c["Runtime"]) == (props["MemorySize"], props["Timeout"], props["Runtime"])
        assert c["TracingConfig"] == {"Mode": "Active"}
        assert c["KMSKeyArn"] == values[f"matbakh-{env}-security-LambdaKeyArn"]
        assert sorted(c["Environment"]["Variables"]) == sorted(props["Environment"]["Variables"])
        assert all(isinstance(v, str) for v in c["Environment"]["Variables"].values())
        assert ",".join(c["VpcConfig"]["SubnetIds"]) == values[f"matbakh-{env}-network-PrivateSubnetIds"]
        layer_names = [l["Ref"] for l in props.get("Layers", [])]
        want = [template["Resources"][n]["Properties"]["LayerName"] for n in layer_names]
        assert [l["Arn"].split(":")[-2] for l in c["Layers"]] == want
        reserved = props.get("ReservedConcurrentExecutions")
        assert got.get("Concurrency", {}).get("ReservedConcurrentExecutions") == reserved
        stem = logical[: -len("Function")]
        alias_arn = outputs[f"{stem}AliasArn"]
        assert alias_arn == f"{c['FunctionArn']}:live"
        assert lam.get_alias(FunctionName=props["FunctionName"], Name="live")["FunctionVersion"] == "1"
    # prod: ProvisionedConcurrencyConfig on the vc-start alias is accepted (moto has no API to show it)


# --------------------------------------------------------------------------- probes: moto still broken


def _moto_model(resource_type):
    return [
        m for m in CloudFormationModel.__subclasses__()
        if m.__module__.startswith("moto.") and m.cloudformation_type() == resource_type
    ]


def test_probe_function_cloudformation_drops_properties(aws):
    upload(aws, "fn-1.zip", "v1")
    aws.deploy("probe", {"Resources": {"Role": ROLE}})
    role = aws.client("iam").list_roles()["Roles"][0]["Arn"]
    props = function(Role=role, FunctionName="probe-fn", Architectures=["arm64"], TracingConfig={"Mode": "Active"},
                     KmsKeyArn=KEY_ARN, EphemeralStorage={"Size": 1024}, Tags=[{"Key": "a", "Value": "b"}],
                     Environment={"Variables": {"PORT": 5432}})
    create = _cfn.original(moto_lambda.LambdaFunction, "create_from_cloudformation_json")
    fn = create("probe-fn", props, ACCOUNT, REGION)
    kept = (fn.architectures, fn.tracing_config, fn.kms_key_arn, fn.ephemeral_storage, fn.tags)
    assert kept == (["x86_64"], {"Mode": "PassThrough"}, None, 512, {}), (
        "moto fixed LambdaFunction.create_from_cloudformation_json dropping properties upstream: "
        "remove the extension in local_aws/awslambda.py"
    )
    assert fn.environment_vars == {"PORT": 5432}, (
        "moto fixed non-string Lambda environment values upstream (row 15): remove the extension in local_aws/awslambda.py"
    )


def test_probe_update_function_configuration_ignores_parameters(aws):
    upload(aws, "fn-1.zip", "v1")
    aws.deploy("probe", {"Resources": {"Role": ROLE, "Fn": function()}})
    fn = get_backend(ACCOUNT, REGION).get_function("t-fn")
    _cfn.original(moto_lambda.LambdaFunction, "update_configuration")(
        fn, {"TracingConfig": {"Mode": "Active"}, "KMSKeyArn": KEY_ARN}
    )
    config = _cfn.original(moto_lambda.LambdaFunction, "get_configuration")(fn)
    assert (config["TracingConfig"], config["KMSKeyArn"], "LoggingConfig" in config) == ({"Mode": "PassThrough"}, None, False), (
        "moto fixed UpdateFunctionConfiguration / LoggingConfig upstream: remove the extension in local_aws/awslambda.py"
    )


def test_probe_layer_version_ignores_layer_name(aws):
    upload(aws, "layer-1.zip", "l")
    [moto_layer] = _moto_model("AWS::Lambda::LayerVersion")
    created = moto_layer.create_from_cloudformation_json(
        "stack-Layer-ABC", {"Properties": {"LayerName": "named", "Content": {"S3Bucket": BUCKET, "S3Key": "layer-1.zip"}}}, ACCOUNT, REGION
    )
    assert created.name == "stack-Layer-ABC" and not hasattr(moto_layer, "physical_resource_id"), (
        "moto fixed AWS::Lambda::LayerVersion (LayerName, physical id) upstream: remove the model in local_aws/awslambda.py"
    )


def test_probe_version_has_no_physical_id_nor_attributes():
    [moto_version] = _moto_model("AWS::Lambda::Version")
    assert not hasattr(moto_version, "physical_resource_id") and not hasattr(moto_version, "get_cfn_attribute"), (
        "moto fixed AWS::Lambda::Version (Ref, GetAtt Version) upstream: remove the model in local_aws/awslambda.py"
    )


def test_probe_no_alias_model():
    assert _moto_model("AWS::Lambda::Alias") == [], (
        "moto added an AWS::Lambda::Alias model upstream: remove ours in local_aws/awslambda.py"
    )


def test_probe_permission_loses_alias_qualifier(aws):
    upload(aws, "fn-1.zip", "v1")
    aws.deploy("probe", versioned("VersionA", "one"))
    [moto_permission] = _moto_model("AWS::Lambda::Permission")
    alias_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:t-fn:live"
    created = moto_permission.create_from_cloudformation_json(
        "probe-Perm-X", {"Properties": {"FunctionName": alias_arn, "Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com"}}, ACCOUNT, REGION
    )
    version = get_backend(ACCOUNT, REGION).get_function("t-fn", "1")
    resources = [s["Resource"] for s in version.policy.statements]
    assert not hasattr(created, "physical_resource_id") and alias_arn not in resources, (
        "moto fixed AWS::Lambda::Permission (physical id, alias qualifier) upstream: remove the model in local_aws/awslambda.py"
    )


def test_probe_publish_version_reuses_numbers_and_shares_the_policy(aws):
    upload(aws, "fn-1.zip", "v1")
    aws.deploy("probe", {"Resources": {"Role": ROLE, "Fn": function()}})
    backend = get_backend(ACCOUNT, REGION)
    publish = _cfn.original(moto_lambda.LambdaStorage, "publish_version")
    storage = backend._lambdas
    latest = backend.get_function("t-fn")
    first = publish(storage, "t-fn")
    latest.code_or_config_updated = True
    publish(storage, "t-fn")
    backend.delete_function("t-fn", "1")
    latest.code_or_config_updated = True
    again = publish(storage, "t-fn")
    assert again.version == 2 and first.policy is latest.policy, (
        "moto fixed LambdaStorage.publish_version (number reuse, shared policy) upstream: "
        "remove the extension in local_aws/awslambda.py"
    )
