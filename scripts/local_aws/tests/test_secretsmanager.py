"""AWS::SecretsManager::Secret and SecretTargetAttachment through change sets, the golden
security and data stacks, and probes that moto 5.2.5 still lacks what
local_aws/secretsmanager.py adds."""

import json
import string

import pytest
from botocore.exceptions import ClientError
from moto.core.common_models import CloudFormationModel

from _support import fake_imports
from conftest import ACCOUNT, REGION, golden_template

EXCLUDED = " \"'/@\\"


def secret_template(**overrides):
    props = {
        "Name": "app/db",
        "Description": "first",
        "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]},
        "GenerateSecretString": {"SecretStringTemplate": '{"username":"app"}', "GenerateStringKey": "password",
                                 "PasswordLength": 20, "ExcludeCharacters": EXCLUDED},
        "Tags": [{"Key": "team", "Value": "a"}],
        **overrides,
    }
    return {"Resources": {
        "Key": {"Type": "AWS::KMS::Key"},
        "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {k: v for k, v in props.items() if v is not None}},
    }, "Outputs": {"Ref": {"Value": {"Ref": "Secret"}}, "Id": {"Value": {"Fn::GetAtt": ["Secret", "Id"]}}}}


def value(sm, secret_id):
    return sm.get_secret_value(SecretId=secret_id)


def test_secret_is_generated_updated_in_place_and_deleted(aws):
    sm, kms = aws.client("secretsmanager"), aws.client("kms")
    aws.deploy("secrets", secret_template())
    described = sm.describe_secret(SecretId="app/db")
    arn = described["ARN"]
    assert arn.startswith(f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app/db-")
    assert aws.physical_id("secrets", "Secret") == arn
    assert aws.outputs("secrets") == {"Ref": arn, "Id": arn}
    key_arn = kms.describe_key(KeyId=aws.physical_id("secrets", "Key"))["KeyMetadata"]["Arn"]
    assert (described["Name"], described["Description"], described["KmsKeyId"]) == ("app/db", "first", key_arn)
    assert described["Tags"] == [{"Key": "team", "Value": "a"}]
    first = value(sm, arn)
    secret = json.loads(first["SecretString"])
    assert secret["username"] == "app" and len(secret["password"]) == 20
    assert not set(EXCLUDED) & set(secret["password"])
    # RequireEachIncludedType defaults to true: every character type appears.
    for kind in (string.ascii_lowercase, string.ascii_uppercase, string.digits, string.punctuation):
        assert set(kind) & set(secret["password"])

    # Description and tags change; an unchanged GenerateSecretString keeps the value.
    aws.deploy("secrets", secret_template(Description="second", Tags=[{"Key": "team", "Value": "b"}]))
    described = sm.describe_secret(SecretId=arn)
    assert (described["Description"], described["Tags"]) == ("second", [{"Key": "team", "Value": "b"}])
    assert value(sm, arn)["VersionId"] == first["VersionId"]

    # A changed GenerateSecretString makes a new version.
    generate = {"SecretStringTemplate": '{"username":"app"}', "GenerateStringKey": "password",
                "PasswordLength": 40, "ExcludePunctuation": True}
    aws.deploy("secrets", secret_template(Description="second", GenerateSecretString=generate))
    second = value(sm, arn)
    assert second["VersionId"] != first["VersionId"]
    password = json.loads(second["SecretString"])["password"]
    assert len(password) == 40 and not set(string.punctuation) & set(password)
    assert sm.get_secret_value(SecretId=arn, VersionStage="AWSPREVIOUS")["VersionId"] == first["VersionId"]
    assert aws.physical_id("secrets", "Secret") == arn

    aws.deploy("secrets", secret_template(GenerateSecretString=None, SecretString="plain", KmsKeyId=None))
    assert value(sm, arn)["SecretString"] == "plain"
    assert "KmsKeyId" not in sm.describe_secret(SecretId=arn)  # back to aws/secretsmanager

    aws.deploy("secrets", {"Resources": {"Key": {"Type": "AWS::KMS::Key"}}})
    with pytest.raises(ClientError, match="ResourceNotFoundException"):  # deleted without recovery window
        sm.describe_secret(SecretId=arn)


def test_secret_without_name_or_value(aws):
    sm = aws.client("secretsmanager")
    aws.deploy("empty", {"Resources": {"Secret": {"Type": "AWS::SecretsManager::Secret"}},
                         "Outputs": {"Ref": {"Value": {"Ref": "Secret"}}}})
    arn = aws.outputs("empty")["Ref"]
    assert sm.describe_secret(SecretId=arn)["Name"].startswith("empty-Secret-")
    with pytest.raises(ClientError, match="ResourceNotFoundException"):  # an empty secret has no value
        sm.get_secret_value(SecretId=arn)


def test_secret_string_and_generate_secret_string_together_fail(aws):
    template = secret_template(SecretString="x")
    aws.deploy("both", template, expect="ROLLBACK_COMPLETE")
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        aws.client("secretsmanager").describe_secret(SecretId="app/db")


def create_databases(aws):
    rds = aws.client("rds")
    rds.create_db_instance(DBInstanceIdentifier="pg", Engine="postgres", DBInstanceClass="db.t4g.micro", Port=5433,
                           MasterUsername="app", MasterUserPassword="password1234", AllocatedStorage=20)
    rds.create_db_instance(DBInstanceIdentifier="my", Engine="mysql", DBInstanceClass="db.t4g.micro",
                           MasterUsername="app", MasterUserPassword="password1234", AllocatedStorage=20)
    rds.create_db_cluster(DBClusterIdentifier="aurora", Engine="aurora-postgresql", MasterUsername="app",
                          MasterUserPassword="password1234")
    return {i["DBInstanceIdentifier"]: i["Endpoint"] for i in rds.describe_db_instances()["DBInstances"]}


def attachment_template(target_id, target_type="AWS::RDS::DBInstance"):
    return {"Resources": {
        "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {
            "Name": "db",
            "GenerateSecretString": {"SecretStringTemplate": '{"username":"app"}', "GenerateStringKey": "password"}}},
        "Attachment": {"Type": "AWS::SecretsManager::SecretTargetAttachment", "Properties": {
            "SecretId": {"Ref": "Secret"}, "TargetId": target_id, "TargetType": target_type}},
    }, "Outputs": {"Ref": {"Value": {"Ref": "Attachment"}}, "Id": {"Value": {"Fn::GetAtt": ["Attachment", "Id"]}}}}


def test_target_attachment_adds_updates_and_removes_connection_details(aws):
    sm = aws.client("secretsmanager")
    endpoints = create_databases(aws)
    aws.deploy("attach", attachment_template("pg"))
    arn = sm.describe_secret(SecretId="db")["ARN"]
    assert aws.outputs("attach") == {"Ref": arn, "Id": arn}
    assert aws.physical_id("attach", "Attachment") == arn
    secret = json.loads(value(sm, "db")["SecretString"])
    password = secret["password"]
    assert secret == {"username": "app", "password": password, "engine": "postgres",
                      "host": endpoints["pg"]["Address"], "port": 5433, "dbInstanceIdentifier": "pg"}

    aws.deploy("attach", attachment_template(f"arn:aws:rds:{REGION}:{ACCOUNT}:db:my"))
    secret = json.loads(value(sm, "db")["SecretString"])
    assert (secret["engine"], secret["host"], secret["port"], secret["dbInstanceIdentifier"]) == (
        "mysql", endpoints["my"]["Address"], 3306, "my")
    assert secret["password"] == password

    aws.deploy("attach", attachment_template("aurora", "AWS::RDS::DBCluster"))
    secret = json.loads(value(sm, "db")["SecretString"])
    cluster = aws.client("rds").describe_db_clusters(DBClusterIdentifier="aurora")["DBClusters"][0]
    assert {k: secret[k] for k in ("engine", "host", "port", "dbClusterIdentifier")} == {
        "engine": "aurora-postgresql", "host": cluster["Endpoint"], "port": cluster["Port"], "dbClusterIdentifier": "aurora"}
    assert "dbInstanceIdentifier" not in secret

    template = attachment_template("pg")
    del template["Resources"]["Attachment"], template["Outputs"]
    aws.deploy("attach", template)
    assert json.loads(value(sm, "db")["SecretString"]) == {"username": "app", "password": password}


def test_target_attachment_to_a_missing_database_fails(aws):
    aws.deploy("missing", attachment_template("nowhere"), expect="ROLLBACK_COMPLETE")


# --------------------------------------------------------------------------- golden templates


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_golden_security_secrets(aws, env):
    sm, kms = aws.client("secretsmanager"), aws.client("kms")
    template = golden_template(env, "security")
    stack = f"matbakh-{env}-security"
    aws.deploy(stack, template)
    outputs = aws.outputs(stack)
    for logical, resource in template["Resources"].items():
        if resource["Type"] != "AWS::SecretsManager::Secret":
            continue
        props = resource["Properties"]
        arn = aws.physical_id(stack, logical)
        assert outputs[f"{logical}Arn"] == arn
        described = sm.describe_secret(SecretId=arn)
        key = props["KmsKeyId"]["Fn::GetAtt"][0]
        assert (described["Name"], described["Description"]) == (props["Name"], props["Description"])
        assert described["KmsKeyId"] == kms.describe_key(KeyId=aws.physical_id(stack, key))["KeyMetadata"]["Arn"]
        assert described["Tags"] == props["Tags"]
        spec = props.get("GenerateSecretString")
        if spec is None:  # set by operators outside the templates
            with pytest.raises(ClientError, match="ResourceNotFoundException"):
                sm.get_secret_value(SecretId=arn)
            continue
        secret = json.loads(value(sm, arn)["SecretString"])
        generated = secret.pop(spec["GenerateStringKey"])
        assert secret == json.loads(spec["SecretStringTemplate"])
        assert len(generated) == spec["PasswordLength"] and not set(spec["ExcludeCharacters"]) & set(generated)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_golden_data_attachment(aws, env):
    """The whole data stack on the security stack's secrets: the database's master
    password is RDS's own secret; each database user's secret gets the instance's
    connection details through its attachment. The network's exports are faked with a
    real VPC's subnets."""
    sm, ec2 = aws.client("secretsmanager"), aws.client("ec2")
    aws.deploy(f"matbakh-{env}-security", golden_template(env, "security"))
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"]["SubnetId"]
        for i, zone in enumerate("abc")
    ]
    group = ec2.create_security_group(GroupName="rds", Description="rds", VpcId=vpc)["GroupId"]
    template = golden_template(env, "data")
    fake_imports(aws, template, {f"matbakh-{env}-network-DatabaseSubnetIds": ",".join(subnets),
                                 f"matbakh-{env}-network-RdsSecurityGroupId": group})
    aws.deploy(f"matbakh-{env}-data", template)
    identifier = template["Resources"]["Database"]["Properties"]["DBInstanceIdentifier"]
    db = aws.client("rds").describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    assert db["MasterUsername"] == "matbakh_admin" and db["MasterUserSecret"]["SecretArn"]
    for name, user in (("rds-credentials", "matbakh_app"), ("etl-credentials", "etl_user"),
                       ("analytics-credentials", "matbakh_analytics")):
        secret = json.loads(value(sm, f"matbakh-{env}/{name}")["SecretString"])
        assert secret["username"] == user
        assert {k: secret[k] for k in ("engine", "host", "port", "dbInstanceIdentifier")} == {
            "engine": db["Engine"], "host": db["Endpoint"]["Address"], "port": db["Endpoint"]["Port"],
            "dbInstanceIdentifier": identifier}


# --------------------------------------------------------------------------- probes


def moto_models(cls=CloudFormationModel):
    for sub in cls.__subclasses__():
        if sub.__module__.startswith("moto."):
            yield sub
        yield from moto_models(sub)


@pytest.mark.parametrize("resource_type", ["AWS::SecretsManager::Secret", "AWS::SecretsManager::SecretTargetAttachment"])
def test_probe_moto_has_no_model(resource_type):
    assert not [m for m in moto_models() if m.cloudformation_type() == resource_type], (
        f"moto has a {resource_type} model upstream: review local_aws/secretsmanager.py")
