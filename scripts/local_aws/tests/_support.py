"""Helpers the test modules share: error codes; the stacks a golden template imports
from, faked by tiny exporting stacks; a golden template cut down to some resource types;
the golden app stack deployed with its code (the auth stack imports its aliases)."""

import base64
import hashlib
import io
import re
import uuid
import zipfile

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, golden_template


def public_image(parameter):
    """Makes the image a public Systems Manager parameter names exist in the EC2 backend, as
    it does on AWS (conftest turns moto's ~40000 default images off for speed); returns its
    id. The golden network templates launch the bastion from such a parameter."""
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.amis import Ami
    from moto.ssm.models import ssm_backends
    from moto.utilities.utils import load_resource

    image_id = ssm_backends[ACCOUNT][REGION].get_parameter(parameter).value
    backend = ec2_backends[ACCOUNT][REGION]
    if image_id not in backend.amis:
        data = next(a for a in load_resource(f"ec2/resources/latest_amis/{REGION}.json") if a["ami_id"] == image_id)
        backend.amis[image_id] = Ami(backend, **{k: v for k, v in data.items() if k != "creation_date"})
    return image_id


def error_code(call, **kwargs):
    """The error code of the ClientError ``call(**kwargs)`` raises."""
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"]


def with_topic(resources):
    """A template needs one resource: keeps a stack alive once ours are removed."""
    return {"Topic": {"Type": "AWS::SNS::Topic"}, **resources}


# --------------------------------------------------------------------------- golden imports

STACKS = ["network", "security", "data", "cache", "app", "auth", "api", "edge", "observability", "datalake"]


def imported_names(node):
    """The export names ``Fn::ImportValue`` reads anywhere in ``node``."""
    if isinstance(node, dict):
        if set(node) == {"Fn::ImportValue"} and isinstance(node["Fn::ImportValue"], str):
            return {node["Fn::ImportValue"]}
        return set().union(*(imported_names(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(imported_names(v) for v in node)) if node else set()
    return set()


def plausible(name):
    """A value shaped like what the exporting stack would export under ``name``."""
    output = name.rsplit("-", 1)[-1]
    shapes = [
        ("SubnetIds", "subnet-0a1b2c3d4e5f60001,subnet-0a1b2c3d4e5f60002"),
        ("SecurityGroupId", "sg-0a1b2c3d4e5f60001"),
        ("VpcId", "vpc-0a1b2c3d4e5f60001"),
        ("RedisPort", "6379"),
        ("Port", "5432"),
        ("Address", f"{output.lower()}.abcdefghij.{REGION}.rds.amazonaws.com"),
        ("KeyArn", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0a1b2c3d-0000-4000-8000-{abs(hash(name)) % 10**12:012d}"),
        ("SecretArn", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{output}-AbCdEf"),
        ("AliasArn", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{output}:live"),
        ("FunctionName", output),
        ("UserPoolArn", f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{REGION}_AbCdEf123"),
        ("StageArn", f"arn:aws:apigateway:{REGION}::/restapis/a1b2c3d4e5/stages/v1"),
        ("InstanceIdentifier", "matbakh-db"),
    ]
    return next((value for suffix, value in shapes if output.endswith(suffix)), f"{output}-value")


def export_stack(aws, stack, exports):
    """Deploys ``stack``, a tiny stack exporting ``exports`` (name -> value): it stands for
    the stacks a golden template imports from."""
    outputs = {f"O{i}": {"Value": value, "Export": {"Name": name}} for i, (name, value) in enumerate(exports.items())}
    aws.deploy(stack, {"Resources": {"Nothing": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}, "Outputs": outputs})


def fake_imports(aws, template, known=None):
    """A tiny stack exporting what ``template`` imports and nobody exports yet: ``known``
    values, else plausible ones. Returns every imported name's value."""
    exported = {e["Name"]: e["Value"] for e in aws.cfn.list_exports()["Exports"]}
    missing = sorted(imported_names(template) - set(exported))
    values = {name: (known or {}).get(name) or plausible(name) for name in missing}
    if values:
        export_stack(aws, f"imports-{uuid.uuid4().hex[:8]}", values)
    return {**exported, **values}


# --------------------------------------------------------------------------- golden subsets


def golden_subset(template, types, placeholders=None):
    """The resources of ``types`` from ``template`` with the outputs that use only them;
    a reference to another resource becomes ``placeholders["Logical"]`` or
    ``placeholders["Logical.Attribute"]`` (a KeyError names a missing placeholder)."""
    resources = template["Resources"]
    keep = {k for k, r in resources.items() if r["Type"] in types}

    def other(name):
        return name in resources and name not in keep

    def sub(node, values):
        if isinstance(node, list):
            return [sub(v, values) for v in node]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Ref"} and other(node["Ref"]):
            return values[node["Ref"]]
        if set(node) == {"Fn::GetAtt"}:
            name, attr = node["Fn::GetAtt"] if isinstance(node["Fn::GetAtt"], list) else node["Fn::GetAtt"].split(".", 1)
            return values[f"{name}.{attr}"] if other(name) else node
        if set(node) == {"Fn::Sub"}:
            text, variables = (node["Fn::Sub"], None) if isinstance(node["Fn::Sub"], str) else node["Fn::Sub"]

            def replace(match):
                ref = match.group(1)
                local = variables is not None and ref in variables
                return values[ref] if not local and other(ref.split(".")[0]) else match.group(0)

            text = re.sub(r"\$\{([^}!][^}]*)\}", replace, text)
            return {"Fn::Sub": text if variables is None else [text, sub(variables, values)]}
        return {k: sub(v, values) for k, v in node.items()}

    kept = {}
    for name in sorted(keep):
        resource = sub(resources[name], placeholders or {})
        depends = resource.get("DependsOn")
        if depends is not None:
            depends = [d for d in ([depends] if isinstance(depends, str) else depends) if d in keep]
            resource = {k: v for k, v in resource.items() if k != "DependsOn"}
            if depends:
                resource["DependsOn"] = depends
        kept[name] = resource
    outputs = {}
    for name, output in template.get("Outputs", {}).items():
        try:
            outputs[name] = sub(output, {})
        except KeyError:
            pass  # uses a resource left out
    subset = {k: v for k, v in template.items() if k not in ("Resources", "Outputs")}
    return {**subset, "Resources": kept, **({"Outputs": outputs} if outputs else {})}


def golden_placeholders(env):
    """Values for the references the roles, log groups and keys make to other resources."""
    return {
        "RestApi": "a1b2c3d4e5",
        "DataLakeBucket.Arn": f"arn:aws:s3:::matbakh-{env}-datalake-{ACCOUNT}",
        "GlueSecurityGroup.GroupId": "sg-0a1b2c3d4e5f60009",
        "UserPool": f"{REGION}_AbCdEf123",
        "ApiClient": "1a2b3c4d5e6f7g8h9i0j1k2l3m",
        "SesIdentity": "matbakh.app" if env == "prod" else f"{env}.matbakh.app",
        "Database": f"matbakh-{env}",
        "ApiLogsDeliveryStream.Arn": f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/matbakh-{env}-api-logs",
        "LambdaLogsDeliveryStream.Arn": f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/matbakh-{env}-lambda-logs",
    }


# --------------------------------------------------------------------------- golden app

BUCKET = "local-aws-test-assets"


def zipped(text, name="index.js"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


def upload(aws, key, text, bucket=BUCKET):
    """Uploads a small zip; returns its CodeSha256 (base64 of the SHA-256), as Lambda reports it."""
    s3 = aws.client("s3")
    if bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    body = zipped(text)
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    return base64.b64encode(hashlib.sha256(body).digest()).decode()


def golden_imports(aws, env):
    """A tiny stack exporting what the app template imports from network, security, data
    and cache, with values of the right shape (ids of real VPC objects, keys, secrets)."""
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"] for i in (1, 2)]
    sg = ec2.create_security_group(GroupName="lambda", Description="lambda", VpcId=vpc)["GroupId"]
    kms, secrets = aws.client("kms"), aws.client("secretsmanager")
    p = f"matbakh-{env}"
    values = {
        f"{p}-network-PrivateSubnetIds": ",".join(subnets),
        f"{p}-network-LambdaSecurityGroupId": sg,
        f"{p}-security-LambdaKeyArn": kms.create_key()["KeyMetadata"]["Arn"],
        f"{p}-security-RdsKeyArn": kms.create_key()["KeyMetadata"]["Arn"],
        f"{p}-data-DatabaseEndpointAddress": f"{p}-db.abc123.{REGION}.rds.amazonaws.com",
        f"{p}-data-DatabaseEndpointPort": "5432",
        f"{p}-data-DatabaseInstanceIdentifier": p,
        f"{p}-data-AnalyticsReplicaEndpointAddress": f"{p}-analytics.abc123.{REGION}.rds.amazonaws.com",
        f"{p}-data-ReportingReplicaEndpointAddress": f"{p}-reporting.abc123.{REGION}.rds.amazonaws.com",
        f"{p}-cache-RedisConfigurationEndpointAddress": f"clustercfg.{p}-redis.abc123.euc1.cache.amazonaws.com",
        f"{p}-cache-RedisPort": "6379",
    }
    for name in ("RdsCredentials", "EtlCredentials", "AnalyticsCredentials", "RedisAuthToken", "ExternalApiKeys"):
        values[f"{p}-security-{name}SecretArn"] = secrets.create_secret(Name=f"{p}/{name}", SecretString="{}")["ARN"]
    export_stack(aws, f"{p}-imports", dict(sorted(values.items())))
    return values


def deploy_golden_app(aws, env):
    """Deploys matbakh-ENV-app as apply does, after faking its imports and uploading its
    code to the artifacts bucket. Returns (template, imported values)."""
    values = golden_imports(aws, env)
    template = golden_template(env, "app")
    bucket = f"matbakh-{env}-assets-{ACCOUNT}-{REGION}"
    for name, resource in template["Resources"].items():
        code = resource["Properties"].get("Code") or resource["Properties"].get("Content")
        if code:
            upload(aws, code["S3Key"], name, bucket=bucket)
    aws.deploy(f"matbakh-{env}-app", template)
    return template, values
