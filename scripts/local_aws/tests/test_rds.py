"""RDS through CloudFormation (local_aws/rds.py): DBSubnetGroup, DBParameterGroup,
DBInstance and read replicas, created / updated / deleted through change sets and read back
through the RDS API; probes that moto 5.2.5's own code is still broken; the golden data
templates of dev and prod."""

import json

import pytest
from botocore.exceptions import ClientError
from moto.rds import responses as rds_responses
from moto.rds.models import DBInstance, DBParameterGroup, DBSubnetGroup, RDSBackend, rds_backends

from _support import error_code, export_stack, with_topic
from conftest import ACCOUNT, REGION, golden_template
from local_aws._cfn import original

PASSWORD = "a-long-password-1"


@pytest.fixture
def net(aws):
    """A VPC with a subnet in each of three zones, two security groups, a KMS key, an IAM role
    for enhanced monitoring and a credentials secret: what other stacks give the data stack."""
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"]["SubnetId"]
        for i, zone in enumerate("abc")
    ]
    groups = [ec2.create_security_group(GroupName=f"sg{i}", Description="d", VpcId=vpc)["GroupId"] for i in range(2)]
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    role = aws.client("iam").create_role(
        RoleName="rds-monitoring",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "monitoring.rds.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
    )["Role"]["Arn"]
    secret = aws.client("secretsmanager").create_secret(
        Name="rds-credentials", SecretString=json.dumps({"username": "matbakh", "password": PASSWORD})
    )["ARN"]
    default_group = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    return {"vpc": vpc, "subnets": subnets, "groups": groups, "key": key, "role": role, "secret": secret,
            "default_group": default_group}


def rds(aws):
    return aws.client("rds")


SUBNET_PARAMETERS = {"Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"}}


# ----------------------------------------------------------------------------- subnet groups


def subnet_group_template(description):
    return {
        "Parameters": SUBNET_PARAMETERS,
        "Resources": with_topic({"Group": {"Type": "AWS::RDS::DBSubnetGroup", "Properties": {
            "DBSubnetGroupName": "Matbakh-DB", "DBSubnetGroupDescription": description,
            "SubnetIds": {"Ref": "Subnets"}, "Tags": [{"Key": "project", "Value": "matbakh"}]}}}),
        "Outputs": {"Name": {"Value": {"Ref": "Group"}}},
    }


def test_db_subnet_group_create_update_delete(aws, net):
    subnets = net["subnets"]
    aws.deploy("data", subnet_group_template("two zones"), {"Subnets": ",".join(subnets[:2])})
    # Ref = the name, lower-cased as RDS stores it.
    assert aws.outputs("data")["Name"] == "matbakh-db"
    assert aws.physical_id("data", "Group") == "matbakh-db"
    group = rds(aws).describe_db_subnet_groups(DBSubnetGroupName="matbakh-db")["DBSubnetGroups"][0]
    assert group["DBSubnetGroupDescription"] == "two zones"
    assert group["VpcId"] == net["vpc"]
    assert [(s["SubnetIdentifier"], s["SubnetAvailabilityZone"]["Name"]) for s in group["Subnets"]] == [
        (subnets[0], f"{REGION}a"), (subnets[1], f"{REGION}b")]

    aws.deploy("data", subnet_group_template("three zones"), {"Subnets": ",".join(subnets)})
    assert aws.physical_id("data", "Group") == "matbakh-db"
    group = rds(aws).describe_db_subnet_groups(DBSubnetGroupName="matbakh-db")["DBSubnetGroups"][0]
    assert group["DBSubnetGroupDescription"] == "three zones"
    assert [s["SubnetIdentifier"] for s in group["Subnets"]] == subnets

    aws.deploy("data", {"Resources": with_topic({})})
    assert error_code(lambda: rds(aws).describe_db_subnet_groups(DBSubnetGroupName="matbakh-db")) == "DBSubnetGroupNotFoundFault"


# -------------------------------------------------------------------------- parameter groups


def parameter_group_template(parameters):
    return {
        "Resources": with_topic({"Params": {"Type": "AWS::RDS::DBParameterGroup", "Properties": {
            "Description": "matbakh postgres", "Family": "postgres15", "Parameters": parameters}}}),
        "Outputs": {"Name": {"Value": {"Ref": "Params"}}, "Arn": {"Value": {"Fn::GetAtt": ["Params", "DBParameterGroupArn"]}}},
    }


def user_parameters(aws, name):
    described = rds(aws).describe_db_parameters(DBParameterGroupName=name, Source="user")["Parameters"]
    assert all(p["Source"] == "user" for p in described)
    return {p["ParameterName"]: p["ParameterValue"] for p in described}


def test_db_parameter_group_create_update_delete(aws):
    aws.deploy("data", parameter_group_template({"rds.force_ssl": "1", "timezone": "UTC"}))
    name = aws.outputs("data")["Name"]
    # No DBParameterGroupName: CloudFormation generates a (lower-case) name; Ref returns it.
    assert name.startswith("data-params-") and name == name.lower()
    assert aws.outputs("data")["Arn"] == f"arn:aws:rds:{REGION}:{ACCOUNT}:pg:{name}"
    group = rds(aws).describe_db_parameter_groups(DBParameterGroupName=name)["DBParameterGroups"][0]
    assert (group["DBParameterGroupFamily"], group["Description"]) == ("postgres15", "matbakh postgres")
    assert user_parameters(aws, name) == {"rds.force_ssl": "1", "timezone": "UTC"}

    # Parameters change in place; one left out is reset (no longer user-set).
    aws.deploy("data", parameter_group_template({"rds.force_ssl": "0", "log_min_duration_statement": "500"}))
    assert aws.outputs("data")["Name"] == name
    assert user_parameters(aws, name) == {"rds.force_ssl": "0", "log_min_duration_statement": "500"}
    assert user_parameters(aws, name) == {
        p["ParameterName"]: p["ParameterValue"]
        for p in rds(aws).describe_db_parameters(DBParameterGroupName=name)["Parameters"]}
    assert rds(aws).describe_db_parameters(DBParameterGroupName=name, Source="engine-default")["Parameters"] == []

    aws.cfn.delete_stack(StackName="data")
    assert error_code(lambda: rds(aws).describe_db_parameters(DBParameterGroupName=name)) == "DBParameterGroupNotFound"


# ---------------------------------------------------------------------------------- instances


def instance_properties(**overrides):
    props = {
        "DBInstanceIdentifier": "Matbakh-Test", "DBInstanceClass": "db.t4g.medium", "Engine": "postgres",
        "EngineVersion": "15.19", "DBName": "matbakh", "MasterUsername": "matbakh", "MasterUserPassword": PASSWORD,
        "DBSubnetGroupName": {"Ref": "Subnets"}, "DBParameterGroupName": {"Ref": "Params"},
        "VPCSecurityGroups": [{"Ref": "SecurityGroup"}], "BackupRetentionPeriod": 1,
        "PreferredBackupWindow": "03:00-04:00", "PreferredMaintenanceWindow": "Sun:04:30-Sun:05:30",
        "MultiAZ": False, "AllocatedStorage": "20", "MaxAllocatedStorage": 100, "StorageType": "gp3",
        "StorageThroughput": 125, "StorageEncrypted": True, "KmsKeyId": {"Ref": "Key"},
        "MonitoringInterval": 60, "MonitoringRoleArn": {"Ref": "Role"},
        "EnablePerformanceInsights": True, "PerformanceInsightsKMSKeyId": {"Ref": "Key"},
        "PerformanceInsightsRetentionPeriod": 7, "EnableCloudwatchLogsExports": ["postgresql"],
        "DeletionProtection": False, "PubliclyAccessible": False, "AutoMinorVersionUpgrade": False,
        "CopyTagsToSnapshot": True, "CACertificateIdentifier": "rds-ca-ecc384-g1",
        "Tags": [{"Key": "project", "Value": "matbakh"}],
    }
    props.update(overrides)
    return {k: v for k, v in props.items() if v is not None}


def instance_template(extra_resources=None, outputs=None, families=("postgres15",), **overrides):
    resources = {
        "Subnets": {"Type": "AWS::RDS::DBSubnetGroup", "Properties": {
            "DBSubnetGroupDescription": "db", "SubnetIds": {"Ref": "SubnetIds"}}},
        "Db": {"Type": "AWS::RDS::DBInstance", "Properties": instance_properties(**overrides)},
    }
    for i, family in enumerate(families):
        resources["Params" if i == 0 else f"Params{i}"] = {"Type": "AWS::RDS::DBParameterGroup", "Properties": {
            "Description": family, "Family": family, "Parameters": {"rds.force_ssl": "1"}}}
    resources.update(extra_resources or {})
    return {
        "Parameters": {"SubnetIds": {"Type": "List<AWS::EC2::Subnet::Id>"}, "SecurityGroup": {"Type": "String"},
                       "Key": {"Type": "String"}, "Role": {"Type": "String"}},
        "Resources": resources,
        "Outputs": outputs if outputs is not None else {
            "Id": {"Value": {"Ref": "Db"}},
            "Address": {"Value": {"Fn::GetAtt": ["Db", "Endpoint.Address"]}},
            "Port": {"Value": {"Fn::GetAtt": ["Db", "Endpoint.Port"]}},
            "HostedZone": {"Value": {"Fn::GetAtt": ["Db", "Endpoint.HostedZoneId"]}},
            "Arn": {"Value": {"Fn::GetAtt": ["Db", "DBInstanceArn"]}},
            "ResourceId": {"Value": {"Fn::GetAtt": ["Db", "DbiResourceId"]}},
        },
    }


def instance_parameters(net, group=0):
    return {"SubnetIds": ",".join(net["subnets"]), "SecurityGroup": net["groups"][group], "Key": net["key"], "Role": net["role"]}


def describe(aws, identifier):
    return rds(aws).describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]


def test_db_instance_create(aws, net):
    aws.deploy("data", instance_template(), instance_parameters(net))
    outputs = aws.outputs("data")
    db = describe(aws, "matbakh-test")
    # Ref = identifier (lower-cased by RDS); attributes are strings; postgres listens on 5432.
    assert outputs["Id"] == aws.physical_id("data", "Db") == "matbakh-test"
    assert outputs["Address"] == db["Endpoint"]["Address"]
    assert outputs["Port"] == "5432" and db["Endpoint"]["Port"] == 5432
    assert outputs["HostedZone"] == "Z1RLNUO7B9Q6NB"
    assert outputs["Arn"] == db["DBInstanceArn"] == f"arn:aws:rds:{REGION}:{ACCOUNT}:db:matbakh-test"
    assert outputs["ResourceId"] == db["DbiResourceId"] and db["DbiResourceId"].startswith("db-")
    subnet_group = aws.physical_id("data", "Subnets")
    params = aws.physical_id("data", "Params")
    assert db["DBSubnetGroup"]["DBSubnetGroupName"] == subnet_group
    assert [g["DBParameterGroupName"] for g in db["DBParameterGroups"]] == [params]
    assert [g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]] == [net["groups"][0]]
    assert {k: db.get(k) for k in [
        "DBInstanceClass", "Engine", "EngineVersion", "DBName", "MasterUsername", "BackupRetentionPeriod",
        "PreferredBackupWindow", "PreferredMaintenanceWindow", "MultiAZ", "AllocatedStorage", "MaxAllocatedStorage",
        "StorageType", "StorageThroughput", "StorageEncrypted", "KmsKeyId", "MonitoringInterval", "MonitoringRoleArn",
        "PerformanceInsightsEnabled", "PerformanceInsightsKMSKeyId", "PerformanceInsightsRetentionPeriod",
        "EnabledCloudwatchLogsExports", "DeletionProtection", "PubliclyAccessible", "AutoMinorVersionUpgrade",
        "CopyTagsToSnapshot", "CACertificateIdentifier", "TagList"]} == {
        "DBInstanceClass": "db.t4g.medium", "Engine": "postgres", "EngineVersion": "15.19", "DBName": "matbakh",
        "MasterUsername": "matbakh", "BackupRetentionPeriod": 1, "PreferredBackupWindow": "03:00-04:00",
        "PreferredMaintenanceWindow": "sun:04:30-sun:05:30", "MultiAZ": False, "AllocatedStorage": 20,
        "MaxAllocatedStorage": 100, "StorageType": "gp3", "StorageThroughput": 125, "StorageEncrypted": True,
        "KmsKeyId": net["key"], "MonitoringInterval": 60, "MonitoringRoleArn": net["role"],
        "PerformanceInsightsEnabled": True, "PerformanceInsightsKMSKeyId": net["key"],
        "PerformanceInsightsRetentionPeriod": 7, "EnabledCloudwatchLogsExports": ["postgresql"],
        "DeletionProtection": False, "PubliclyAccessible": False, "AutoMinorVersionUpgrade": False,
        "CopyTagsToSnapshot": True, "CACertificateIdentifier": "rds-ca-ecc384-g1",
        "TagList": [{"Key": "project", "Value": "matbakh"}],
    }


def test_db_instance_defaults_follow_the_engine(aws, net):
    """Without Port, VPCSecurityGroups, PI: the engine's port, the VPC's default group, PI off."""
    template = instance_template(Port=None, VPCSecurityGroups=None, EnablePerformanceInsights=None,
                                 PerformanceInsightsKMSKeyId=None, PerformanceInsightsRetentionPeriod=None,
                                 MonitoringInterval=None, MonitoringRoleArn=None)
    aws.deploy("data", template, instance_parameters(net))
    db = describe(aws, "matbakh-test")
    assert aws.outputs("data")["Port"] == "5432"
    assert [g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]] == [net["default_group"]]
    assert db["PerformanceInsightsEnabled"] is False and db["MonitoringInterval"] == 0


def test_db_instance_update_in_place(aws, net):
    aws.deploy("data", instance_template(families=("postgres15", "postgres16")), instance_parameters(net))
    before = describe(aws, "matbakh-test")
    new_params = aws.physical_id("data", "Params1")
    changed = instance_template(
        families=("postgres15", "postgres16"),
        BackupRetentionPeriod=7, AllocatedStorage="50", MaxAllocatedStorage=200, DBInstanceClass="db.r6g.large",
        MultiAZ=True, DeletionProtection=True, MonitoringInterval=30, EnablePerformanceInsights=False,
        PerformanceInsightsKMSKeyId=None, PerformanceInsightsRetentionPeriod=None, EngineVersion="16.6",
        DBParameterGroupName={"Ref": "Params1"}, EnableCloudwatchLogsExports=["postgresql", "upgrade"],
        PreferredMaintenanceWindow="mon:01:00-mon:02:00", Tags=[{"Key": "project", "Value": "other"}],
    )
    aws.deploy("data", changed, instance_parameters(net, group=1))
    assert aws.physical_id("data", "Db") == "matbakh-test"
    db = describe(aws, "matbakh-test")
    assert db["DbiResourceId"] == before["DbiResourceId"]  # the same instance, not a new one
    assert {k: db.get(k) for k in [
        "BackupRetentionPeriod", "AllocatedStorage", "MaxAllocatedStorage", "DBInstanceClass", "MultiAZ",
        "DeletionProtection", "MonitoringInterval", "PerformanceInsightsEnabled", "EngineVersion",
        "EnabledCloudwatchLogsExports", "PreferredMaintenanceWindow", "TagList"]} == {
        "BackupRetentionPeriod": 7, "AllocatedStorage": 50, "MaxAllocatedStorage": 200,
        "DBInstanceClass": "db.r6g.large", "MultiAZ": True, "DeletionProtection": True, "MonitoringInterval": 30,
        "PerformanceInsightsEnabled": False, "EngineVersion": "16.6",
        "EnabledCloudwatchLogsExports": ["postgresql", "upgrade"],
        "PreferredMaintenanceWindow": "mon:01:00-mon:02:00", "TagList": [{"Key": "project", "Value": "other"}],
    }
    assert [g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]] == [net["groups"][1]]
    assert [g["DBParameterGroupName"] for g in db["DBParameterGroups"]] == [new_params]
    assert aws.outputs("data")["Id"] == "matbakh-test"


def test_db_instance_removed_from_template_is_deleted(aws, net):
    aws.deploy("data", instance_template(), instance_parameters(net))
    template = instance_template(outputs={})
    del template["Resources"]["Db"]
    aws.deploy("data", template, instance_parameters(net))
    assert error_code(lambda: describe(aws, "matbakh-test")) == "DBInstanceNotFound"


def test_db_instance_with_deletion_protection_cannot_be_deleted(aws, net):
    """AWS: DeleteDBInstance fails with InvalidParameterCombination, so does the stack delete
    (DELETE_FAILED) and the instance stays. How the failure surfaces is the engine's business:
    moto's engine answers DeleteStack with the error itself."""
    aws.deploy("data", instance_template(DeletionProtection=True), instance_parameters(net))
    try:
        aws.cfn.delete_stack(StackName="data")
    except ClientError as error:
        assert "Cannot delete protected DB Instance, please disable deletion protection and try again." in str(error)
    else:
        assert aws.cfn.describe_stacks(StackName="data")["Stacks"][0]["StackStatus"] == "DELETE_FAILED"
    assert describe(aws, "matbakh-test")["DeletionProtection"] is True


def replica(source, zone, **overrides):
    props = {"DBInstanceIdentifier": f"matbakh-test-{zone}", "DBInstanceClass": "db.t4g.medium",
             "SourceDBInstanceIdentifier": source, "AvailabilityZone": f"{REGION}{zone}",
             "DBParameterGroupName": {"Ref": "Params"}, "DeletionProtection": False}
    props.update(overrides)
    return {"Type": "AWS::RDS::DBInstance", "Properties": props}


def test_read_replicas(aws, net):
    replicas = {
        "ReplicaB": replica({"Ref": "Db"}, "b"),
        # An ARN names the source as well as an identifier does.
        "ReplicaC": replica({"Fn::GetAtt": ["Db", "DBInstanceArn"]}, "c", VPCSecurityGroups=[{"Ref": "SecurityGroup"}]),
    }
    outputs = {"B": {"Value": {"Fn::GetAtt": ["ReplicaB", "Endpoint.Address"]}}}
    aws.deploy("data", instance_template(extra_resources=replicas, outputs=outputs), instance_parameters(net))
    primary = describe(aws, "matbakh-test")
    assert sorted(primary["ReadReplicaDBInstanceIdentifiers"]) == ["matbakh-test-b", "matbakh-test-c"]
    b, c = describe(aws, "matbakh-test-b"), describe(aws, "matbakh-test-c")
    assert aws.outputs("data")["B"] == b["Endpoint"]["Address"]
    for r, zone in ((b, "b"), (c, "c")):
        assert r["ReadReplicaSourceDBInstanceIdentifier"] == "matbakh-test"
        assert r["AvailabilityZone"] == f"{REGION}{zone}"
        # Inherited from the source (CreateDBInstanceReadReplica).
        assert (r["Engine"], r["EngineVersion"], r["StorageEncrypted"], r["KmsKeyId"], r["Endpoint"]["Port"]) == (
            "postgres", "15.19", True, net["key"], 5432)
        assert r["DBSubnetGroup"]["DBSubnetGroupName"] == primary["DBSubnetGroup"]["DBSubnetGroupName"]
        assert r["BackupRetentionPeriod"] == 0
        assert r["StatusInfos"][0]["Status"] == "replicating"
    # Without VPCSecurityGroups: the default group of the subnet group's VPC.
    assert [g["VpcSecurityGroupId"] for g in b["VpcSecurityGroups"]] == [net["default_group"]]
    assert [g["VpcSecurityGroupId"] for g in c["VpcSecurityGroups"]] == [net["groups"][0]]

    # A replica updates in place; a replica removed from the template is deleted and unlinked.
    replicas["ReplicaB"] = replica({"Ref": "Db"}, "b", DBInstanceClass="db.r6g.large")
    del replicas["ReplicaC"]
    aws.deploy("data", instance_template(extra_resources=replicas, outputs=outputs), instance_parameters(net))
    assert describe(aws, "matbakh-test-b")["DBInstanceClass"] == "db.r6g.large"
    assert describe(aws, "matbakh-test-b")["DbiResourceId"] == b["DbiResourceId"]
    assert error_code(lambda: describe(aws, "matbakh-test-c")) == "DBInstanceNotFound"
    assert describe(aws, "matbakh-test")["ReadReplicaDBInstanceIdentifiers"] == ["matbakh-test-b"]


def test_managed_master_user_password(aws, net):
    template = instance_template(MasterUserPassword=None, ManageMasterUserPassword=True,
                                 outputs={"Secret": {"Value": {"Fn::GetAtt": ["Db", "MasterUserSecret.SecretArn"]}}})
    aws.deploy("data", template, instance_parameters(net))
    secret = describe(aws, "matbakh-test")["MasterUserSecret"]["SecretArn"]
    assert aws.outputs("data")["Secret"] == secret
    aws.client("secretsmanager").describe_secret(SecretId=secret)


# ------------------------------------------------------------------------------ golden templates


def deploy_exports(aws, env, net):
    """Other stacks' exports the data stack imports, with values of real resources."""
    secrets = aws.client("secretsmanager")
    users = {name: secrets.create_secret(Name=f"matbakh-{env}/{name}", SecretString=json.dumps({"username": user, "password": "pw"}))["ARN"]
             for name, user in (("etl-credentials", "etl_user"), ("analytics-credentials", "matbakh_analytics"))}  # fmt: skip
    export_stack(aws, f"exports-{env}", {
        f"matbakh-{env}-network-DatabaseSubnetIds": ",".join(net["subnets"]),
        f"matbakh-{env}-network-RdsSecurityGroupId": net["groups"][0],
        f"matbakh-{env}-security-RdsCredentialsSecretArn": net["secret"],
        f"matbakh-{env}-security-EtlCredentialsSecretArn": users["etl-credentials"],
        f"matbakh-{env}-security-AnalyticsCredentialsSecretArn": users["analytics-credentials"],
        f"matbakh-{env}-security-RdsKeyArn": net["key"],
    })


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_golden_data_template(aws, net, env):
    deploy_exports(aws, env, net)
    stack = f"matbakh-{env}-data"
    aws.deploy(stack, golden_template(env, "data"))
    outputs = aws.outputs(stack)
    primary = describe(aws, f"matbakh-{env}")
    assert outputs["DatabaseInstanceIdentifier"] == f"matbakh-{env}"
    assert outputs["DatabaseEndpointAddress"] == primary["Endpoint"]["Address"]
    assert outputs["DatabaseEndpointPort"] == "5432"
    assert [g["VpcSecurityGroupId"] for g in primary["VpcSecurityGroups"]] == [net["groups"][0]]
    assert primary["KmsKeyId"] == net["key"] and primary["StorageEncrypted"] is True
    assert primary["EnabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    # #14: the master password is RDS's, in a secret under the RDS key.
    assert primary["MasterUsername"] == "matbakh_admin"
    assert primary["MasterUserSecret"]["KmsKeyId"] == net["key"] and primary["MasterUserSecret"]["SecretArn"]
    params = primary["DBParameterGroups"][0]["DBParameterGroupName"]
    assert user_parameters(aws, params)["rds.force_ssl"] == "1"
    # §6: the primary invokes the cache invalidator with the stack's role (issue 11).
    role_arn = aws.client("iam").get_role(RoleName=aws.physical_id(stack, "CacheInvalidationRole"))["Role"]["Arn"]
    assert associated(aws, f"matbakh-{env}") == [("Lambda", role_arn, "ACTIVE")]
    if env == "dev":
        assert primary["MultiAZ"] is False and primary["AvailabilityZone"] == f"{REGION}a"
        assert primary["DeletionProtection"] is False and primary["PerformanceInsightsEnabled"] is False
    else:
        assert primary["MultiAZ"] is True and primary["DeletionProtection"] is True
        assert primary["PerformanceInsightsEnabled"] is True
        assert sorted(primary["ReadReplicaDBInstanceIdentifiers"]) == ["matbakh-prod-analytics", "matbakh-prod-reporting"]
        for name, zone, output in (("analytics", "b", "AnalyticsReplicaEndpointAddress"),
                                   ("reporting", "c", "ReportingReplicaEndpointAddress")):
            replica_db = describe(aws, f"matbakh-prod-{name}")
            assert replica_db["ReadReplicaSourceDBInstanceIdentifier"] == "matbakh-prod"
            assert replica_db["AvailabilityZone"] == f"{REGION}{zone}"
            assert outputs[output] == replica_db["Endpoint"]["Address"]


def lambda_role(aws, name):
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    return aws.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def associated(aws, identifier):
    return sorted((r["FeatureName"], r["RoleArn"], r["Status"]) for r in describe(aws, identifier).get("AssociatedRoles", []))


def test_db_instance_associated_roles_create_update_and_remove(aws, net):
    """Issue 11: AssociatedRoles through the template, ACTIVE; changed in place; RemoveRoleFromDBInstance."""
    invoke, other = lambda_role(aws, "rds-invoke"), lambda_role(aws, "rds-import")
    aws.deploy("data", instance_template(AssociatedRoles=[{"RoleArn": invoke, "FeatureName": "Lambda"}]),
               instance_parameters(net))
    assert associated(aws, "matbakh-test") == [("Lambda", invoke, "ACTIVE")]
    resource_id = describe(aws, "matbakh-test")["DbiResourceId"]

    roles = [{"RoleArn": other, "FeatureName": "Lambda"}, {"RoleArn": invoke, "FeatureName": "s3Import"}]
    aws.deploy("data", instance_template(AssociatedRoles=roles), instance_parameters(net))
    assert describe(aws, "matbakh-test")["DbiResourceId"] == resource_id
    assert associated(aws, "matbakh-test") == [("Lambda", other, "ACTIVE"), ("s3Import", invoke, "ACTIVE")]

    aws.deploy("data", instance_template(), instance_parameters(net))
    assert associated(aws, "matbakh-test") == []

    client = rds(aws)
    client.add_role_to_db_instance(DBInstanceIdentifier="matbakh-test", RoleArn=invoke, FeatureName="Lambda")
    assert associated(aws, "matbakh-test") == [("Lambda", invoke, "ACTIVE")]
    assert error_code(client.remove_role_from_db_instance, DBInstanceIdentifier="matbakh-test", RoleArn=invoke,
                      FeatureName="s3Import") == "DBInstanceRoleNotFound"
    client.remove_role_from_db_instance(DBInstanceIdentifier="matbakh-test", RoleArn=invoke, FeatureName="Lambda")
    assert associated(aws, "matbakh-test") == []
    assert error_code(client.remove_role_from_db_instance, DBInstanceIdentifier="matbakh-test", RoleArn=invoke,
                      FeatureName="Lambda") == "DBInstanceRoleNotFound"


def test_db_instance_takes_one_role_per_feature(aws, net):
    invoke, other = lambda_role(aws, "rds-invoke"), lambda_role(aws, "rds-other")
    roles = [{"RoleArn": invoke, "FeatureName": "Lambda"}, {"RoleArn": other, "FeatureName": "Lambda"}]
    with pytest.raises(AssertionError, match="DBInstanceRoleAlreadyExists|already assigned"):
        aws.deploy("data", instance_template(AssociatedRoles=roles), instance_parameters(net))


# ---------------------------------------------------------------------------------- probes


def fix_hint(bug):
    return f"moto fixed {bug} upstream: remove the extension in local_aws/rds.py"


def test_probe_groups_have_no_physical_id():
    assert original(DBSubnetGroup, "physical_resource_id") is None, fix_hint("DBSubnetGroup's physical id (issue 1)")
    assert original(DBParameterGroup, "physical_resource_id") is None, fix_hint("DBParameterGroup's physical id (issue 1)")
    assert original(DBParameterGroup, "cloudformation_name_type")() == "", fix_hint("DBParameterGroupName (issue 1)")


def test_probe_instance_rejects_group_names(aws, net):
    create = original(DBInstance, "create_from_cloudformation_json")
    props = {"DBInstanceClass": "db.t4g.micro", "Engine": "postgres", "MasterUsername": "u",
             "MasterUserPassword": PASSWORD}
    with pytest.raises(AttributeError):
        create("probe-a", {"Properties": {**props, "DBSubnetGroupName": "some-group"}}, ACCOUNT, REGION)
    group = rds_backends[ACCOUNT][REGION].create_db_parameter_group(
        {"db_parameter_group_name": "probe", "description": "d", "db_parameter_group_family": "postgres15"})
    with pytest.raises(AttributeError, match="startswith"):
        create("probe-b", {"Properties": {**props, "DBParameterGroupName": group}}, ACCOUNT, REGION)


def test_probe_instance_drops_properties_and_defaults_to_3306(aws, net):
    create = original(DBInstance, "create_from_cloudformation_json")
    db = create("probe", {"Properties": {
        "DBInstanceClass": "db.t4g.micro", "Engine": "postgres", "MasterUsername": "u", "MasterUserPassword": PASSWORD,
        "VPCSecurityGroups": [net["groups"][0]], "DeletionProtection": True, "MaxAllocatedStorage": 100,
        "AllocatedStorage": 20, "EnableCloudwatchLogsExports": ["postgresql"]}}, ACCOUNT, REGION)
    dropped = (db.vpc_security_group_ids != [net["groups"][0]] and db.deletion_protection is False
               and db.max_allocated_storage is None and db.enabled_cloudwatch_logs_exports == [])
    assert dropped, fix_hint("DBInstance properties dropped by create_from_cloudformation_json (issue 3)")
    assert db.port == 3306, fix_hint("the engine's default port for DBInstance (issue 5)")


def test_probe_performance_insights_not_stored(aws):
    backend = rds_backends[ACCOUNT][REGION]
    db = DBInstance.__new__(DBInstance)
    original(DBInstance, "__init__")(db, backend, db_instance_identifier="probe", db_instance_class="db.t4g.micro",
                                     engine="postgres", enable_performance_insights=True)
    assert original(DBInstance, "performance_insights_enabled") is None and not hasattr(
        db, "performance_insights_kms_key_id"), fix_hint("Performance Insights on DBInstance (issue 4)")
    assert db.dbi_resource_id == "db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U", fix_hint("unique DbiResourceId (issue 4)")


def test_probe_get_att(aws):
    db = rds_backends[ACCOUNT][REGION].create_db_instance({
        "db_instance_identifier": "probe", "db_instance_class": "db.t4g.micro", "engine": "postgres"})
    assert original(DBInstance, "get_cfn_attribute")(db, "Endpoint.Port") == 5432, fix_hint("string Endpoint.Port (issue 6)")
    assert not original(DBInstance, "has_cfn_attr")("DBInstanceArn"), fix_hint("GetAtt DBInstanceArn (issue 6)")


def test_probe_associated_roles_ignored_and_no_remove_role(aws, net):
    create = original(DBInstance, "create_from_cloudformation_json")
    db = create("probe", {"Properties": {
        "DBInstanceClass": "db.t4g.micro", "Engine": "postgres", "MasterUsername": "u", "MasterUserPassword": PASSWORD,
        "AssociatedRoles": [{"RoleArn": net["role"], "FeatureName": "Lambda"}]}}, ACCOUNT, REGION)
    assert db.associated_roles == [], fix_hint("DBInstance AssociatedRoles (issue 11)")
    assert original(rds_responses.RDSResponse, "remove_role_from_db_instance") is None, fix_hint(
        "RemoveRoleFromDBInstance (issue 11)")


def test_probe_no_update_handlers():
    for cls in (DBSubnetGroup, DBParameterGroup, DBInstance):
        assert hasattr(original(cls, "update_from_cloudformation_json"), "__isabstractmethod__"), fix_hint(
            f"{cls.__name__}.update_from_cloudformation_json (issue 7)")


def test_probe_replica_shares_state_with_primary(aws):
    client = rds(aws)
    client.create_db_instance(DBInstanceIdentifier="primary", DBInstanceClass="db.t4g.micro", Engine="postgres",
                              MasterUsername="u", MasterUserPassword=PASSWORD, EnableCloudwatchLogsExports=["postgresql"])
    client.create_db_instance_read_replica(DBInstanceIdentifier="replica", SourceDBInstanceIdentifier="primary")
    client.modify_db_instance(DBInstanceIdentifier="primary",
                              CloudwatchLogsExportConfiguration={"EnableLogTypes": ["upgrade"]})
    replica_exports = describe(aws, "replica")["EnabledCloudwatchLogsExports"]
    assert "upgrade" in replica_exports, fix_hint("shared state between a replica and its source (issue 8)")


def test_probe_describe_db_parameters_ignores_source(aws, monkeypatch):
    monkeypatch.setattr(rds_responses.RDSResponse, "describe_db_parameters",
                        original(rds_responses.RDSResponse, "describe_db_parameters"))
    monkeypatch.setattr(DBParameterGroup, "update_parameters", original(DBParameterGroup, "update_parameters"))
    client = rds(aws)
    client.create_db_parameter_group(DBParameterGroupName="probe", DBParameterGroupFamily="postgres15", Description="d")
    client.modify_db_parameter_group(DBParameterGroupName="probe", Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"}])
    listed = client.describe_db_parameters(DBParameterGroupName="probe", Source="engine-default")["Parameters"]
    assert listed and "Source" not in listed[0], fix_hint("DescribeDBParameters Source (issue 9)")


def test_groups_in_use_cannot_be_deleted(aws, net):
    client = rds(aws)
    client.create_db_subnet_group(DBSubnetGroupName="sg", DBSubnetGroupDescription="d", SubnetIds=net["subnets"])
    client.create_db_parameter_group(DBParameterGroupName="pg", DBParameterGroupFamily="postgres15", Description="d")
    client.create_db_instance(DBInstanceIdentifier="db", DBInstanceClass="db.t4g.micro", Engine="postgres",
                              MasterUsername="u", MasterUserPassword=PASSWORD, DBSubnetGroupName="sg",
                              DBParameterGroupName="pg")
    assert error_code(lambda: client.delete_db_parameter_group(DBParameterGroupName="pg")) == "InvalidDBParameterGroupState"
    assert error_code(lambda: client.delete_db_subnet_group(DBSubnetGroupName="sg")) == "InvalidDBSubnetGroupStateFault"
    client.delete_db_instance(DBInstanceIdentifier="db", SkipFinalSnapshot=True)
    client.delete_db_parameter_group(DBParameterGroupName="pg")
    client.delete_db_subnet_group(DBSubnetGroupName="sg")


def test_probe_groups_in_use_can_be_deleted(aws, net, monkeypatch):
    monkeypatch.setattr(RDSBackend, "delete_db_parameter_group", original(RDSBackend, "delete_db_parameter_group"))
    client = rds(aws)
    client.create_db_parameter_group(DBParameterGroupName="pg", DBParameterGroupFamily="postgres15", Description="d")
    client.create_db_instance(DBInstanceIdentifier="db", DBInstanceClass="db.t4g.micro", Engine="postgres",
                              MasterUsername="u", MasterUserPassword=PASSWORD, DBParameterGroupName="pg")
    client.delete_db_parameter_group(DBParameterGroupName="pg")  # AWS: InvalidDBParameterGroupState
    assert "pg" not in rds_backends[ACCOUNT][REGION].db_parameter_groups, fix_hint("deleting a group in use (issue 10)")
