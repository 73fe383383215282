"""AWS::Glue::Database, Table, Connection, Job and Trigger through change sets, the golden
datalake templates (with the data lake bucket, its policy, Glue-SG rules and the Athena
workgroup), and probes that moto 5.2.5 is still broken where local_aws/glue.py works
around it."""

import copy
import json

import pytest
from moto.core.common_models import CloudFormationModel
from moto.glue import models as moto_glue

from _support import export_stack, imported_names, public_image
from conftest import ACCOUNT, REGION, golden_template

FIXED = "moto fixed {} upstream: remove the extension in local_aws/glue.py"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/glue"


def catalog(aws):
    return aws.client("glue")


def test_database_update_in_place_and_delete(aws):
    def database(description):
        return {"Type": "AWS::Glue::Database", "Properties": {
            "CatalogId": {"Ref": "AWS::AccountId"},
            "DatabaseInput": {"Name": "matbakh_t", "Description": description, "LocationUri": "s3://lake/curated/"}}}  # fmt: skip

    aws.deploy("g", {"Resources": {"Db": database("one")}, "Outputs": {"Ref": {"Value": {"Ref": "Db"}}}})
    assert aws.outputs("g") == {"Ref": "matbakh_t"}
    found = catalog(aws).get_database(Name="matbakh_t")["Database"]
    assert (found["Description"], found["LocationUri"], found["CatalogId"]) == ("one", "s3://lake/curated/", ACCOUNT)

    aws.deploy("g", {"Resources": {"Db": database("two")}})
    assert aws.physical_id("g", "Db") == "matbakh_t"
    assert catalog(aws).get_database(Name="matbakh_t")["Database"]["Description"] == "two"

    aws.cfn.delete_stack(StackName="g")
    assert catalog(aws).get_databases()["DatabaseList"] == []


def table(location="s3://lake/curated/t/", database={"Ref": "Db"}):
    return {"Type": "AWS::Glue::Table", "Properties": {
        "CatalogId": {"Ref": "AWS::AccountId"}, "DatabaseName": database,
        "TableInput": {
            "Name": "t_curated", "TableType": "EXTERNAL_TABLE",
            "Parameters": {"projection.enabled": "true", "storage.location.template": location + "year=${year}/"},
            "PartitionKeys": [{"Name": "year", "Type": "int"}],
            "StorageDescriptor": {
                "Columns": [{"Name": "id", "Type": "string"}], "Location": location, "Compressed": True,
                "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}}}}  # fmt: skip


def test_table_update_in_place_and_delete(aws):
    db = {"Type": "AWS::Glue::Database", "Properties": {"CatalogId": {"Ref": "AWS::AccountId"}, "DatabaseInput": {"Name": "matbakh_t"}}}
    aws.deploy("g", {"Resources": {"Db": db, "T": table()}, "Outputs": {"Ref": {"Value": {"Ref": "T"}}}})
    assert aws.outputs("g") == {"Ref": "t_curated"}
    found = catalog(aws).get_table(DatabaseName="matbakh_t", Name="t_curated")["Table"]
    assert found["StorageDescriptor"]["Location"] == "s3://lake/curated/t/"
    assert found["Parameters"]["storage.location.template"] == "s3://lake/curated/t/year=${year}/"
    assert found["PartitionKeys"] == [{"Name": "year", "Type": "int"}] and found["TableType"] == "EXTERNAL_TABLE"

    aws.deploy("g", {"Resources": {"Db": db, "T": table(location="s3://lake/curated/t2/")}})
    assert aws.physical_id("g", "T") == "t_curated"
    found = catalog(aws).get_table(DatabaseName="matbakh_t", Name="t_curated")["Table"]
    assert found["StorageDescriptor"]["Location"] == "s3://lake/curated/t2/" and found["VersionId"] == "2"

    aws.deploy("g", {"Resources": {"Db": db}})
    assert catalog(aws).get_tables(DatabaseName="matbakh_t")["TableList"] == []
    aws.cfn.delete_stack(StackName="g")
    assert catalog(aws).get_databases()["DatabaseList"] == []


def test_table_moving_to_another_database_is_not_in_place(aws):
    from local_aws.glue import Table

    aws.deploy("g", {"Resources": {"Db": {"Type": "AWS::Glue::Database", "Properties": {
        "CatalogId": ACCOUNT, "DatabaseInput": {"Name": "matbakh_t"}}}, "T": table()}})  # fmt: skip
    props = {**table(database="matbakh_t")["Properties"], "CatalogId": ACCOUNT}
    record = Table(ACCOUNT, REGION, "t_curated", props)
    with pytest.raises(Exception, match="DatabaseName and CatalogId cannot be updated in place"):
        Table.update_from_cloudformation_json(record, "t_curated", {"Properties": {**props, "DatabaseName": "other"}}, ACCOUNT, REGION)


def connection(url="jdbc:postgresql://db:5432/matbakh", subnet="subnet-1"):
    return {"Type": "AWS::Glue::Connection", "Properties": {
        "CatalogId": {"Ref": "AWS::AccountId"},
        "ConnectionInput": {
            "Name": "t-rds", "Description": "rds", "ConnectionType": "JDBC",
            "ConnectionProperties": {"JDBC_CONNECTION_URL": url, "JDBC_ENFORCE_SSL": "true", "SECRET_ID": "arn:secret"},
            "PhysicalConnectionRequirements": {
                "SubnetId": subnet, "AvailabilityZone": "eu-central-1a", "SecurityGroupIdList": ["sg-1"]}}}}  # fmt: skip


def test_connection_update_in_place_and_delete(aws):
    aws.deploy("g", {"Resources": {"Conn": connection()}, "Outputs": {"Ref": {"Value": {"Ref": "Conn"}}}})
    assert aws.outputs("g") == {"Ref": "t-rds"}
    found = catalog(aws).get_connection(Name="t-rds")["Connection"]
    assert found["ConnectionProperties"]["JDBC_CONNECTION_URL"] == "jdbc:postgresql://db:5432/matbakh"
    assert found["PhysicalConnectionRequirements"] == {
        "SubnetId": "subnet-1", "AvailabilityZone": "eu-central-1a", "SecurityGroupIdList": ["sg-1"]}  # fmt: skip

    aws.deploy("g", {"Resources": {"Conn": connection(url="jdbc:postgresql://db2:5432/matbakh", subnet="subnet-2")}})
    assert aws.physical_id("g", "Conn") == "t-rds"
    found = catalog(aws).get_connection(Name="t-rds")["Connection"]
    assert found["ConnectionProperties"]["JDBC_CONNECTION_URL"] == "jdbc:postgresql://db2:5432/matbakh"
    assert found["PhysicalConnectionRequirements"]["SubnetId"] == "subnet-2"

    aws.cfn.delete_stack(StackName="g")
    assert catalog(aws).get_connections()["ConnectionList"] == []


def test_connection_update_handler_changes_it_in_place(aws):
    """What the change set above should reach: the update handler, called as the engine does."""
    aws.deploy("g", {"Resources": {"Conn": connection()}})
    from local_aws.glue import Connection

    record = Connection(ACCOUNT, REGION, "t-rds", {**connection()["Properties"], "CatalogId": ACCOUNT})
    changed = {"Properties": {**connection(url="jdbc:postgresql://db2:5432/matbakh", subnet="subnet-2")["Properties"], "CatalogId": ACCOUNT}}
    assert Connection.update_from_cloudformation_json(record, "t-rds", changed, ACCOUNT, REGION) is record
    found = catalog(aws).get_connection(Name="t-rds")["Connection"]
    assert found["ConnectionProperties"]["JDBC_CONNECTION_URL"] == "jdbc:postgresql://db2:5432/matbakh"
    assert found["PhysicalConnectionRequirements"]["SubnetId"] == "subnet-2"


def job(**properties):
    base = {
        "Name": "t-rds-to-s3",
        "Description": "export",
        "Role": ROLE,
        "Command": {"Name": "glueetl", "PythonVersion": "3", "ScriptLocation": "s3://assets/job.py"},
        "GlueVersion": "4.0",
        "WorkerType": "G.1X",
        "NumberOfWorkers": 2,
        "Timeout": 120,
        "MaxRetries": 0,
        "ExecutionProperty": {"MaxConcurrentRuns": 1},
        "DefaultArguments": {"--S3_BUCKET": "lake", "--enable-metrics": "true"},
        "Connections": {"Connections": ["t-rds"]},
        "Tags": {"Name": "t-rds-to-s3", "environment": "dev"},
    }
    base.update(properties)
    return {"Type": "AWS::Glue::Job", "Properties": {k: v for k, v in base.items() if v is not None}}


def test_job_properties_update_in_place_and_delete(aws):
    aws.deploy("g", {"Resources": {"Job": job()}, "Outputs": {"Ref": {"Value": {"Ref": "Job"}}}})
    assert aws.outputs("g") == {"Ref": "t-rds-to-s3"}
    glue = catalog(aws)
    found = glue.get_job(JobName="t-rds-to-s3")["Job"]
    assert found["Role"] == ROLE and found["Command"]["ScriptLocation"] == "s3://assets/job.py"
    assert (found["GlueVersion"], found["WorkerType"], found["NumberOfWorkers"]) == ("4.0", "G.1X", 2)
    assert (found["Timeout"], found["MaxRetries"], found["ExecutionProperty"]) == (120, 0, {"MaxConcurrentRuns": 1})
    assert found["DefaultArguments"] == {"--S3_BUCKET": "lake", "--enable-metrics": "true"}
    assert found["Connections"] == {"Connections": ["t-rds"]}
    arn = f"arn:aws:glue:{REGION}:{ACCOUNT}:job/t-rds-to-s3"
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {"Name": "t-rds-to-s3", "environment": "dev"}

    aws.deploy("g", {"Resources": {"Job": job(NumberOfWorkers=4, Timeout=60, Tags={"Name": "t-rds-to-s3"})}})
    assert aws.physical_id("g", "Job") == "t-rds-to-s3"
    found = glue.get_job(JobName="t-rds-to-s3")["Job"]
    assert (found["NumberOfWorkers"], found["Timeout"]) == (4, 60)
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {"Name": "t-rds-to-s3"}

    aws.cfn.delete_stack(StackName="g")
    assert glue.get_jobs()["Jobs"] == []


def test_job_without_name_gets_a_generated_one(aws):
    aws.deploy("g", {"Resources": {"Job": job(Name=None)}})
    name = aws.physical_id("g", "Job")
    assert name.startswith("g-Job-") and catalog(aws).get_job(JobName=name)["Job"]["Name"] == name


def trigger(schedule="cron(0 2 * * ? *)"):
    return {"Type": "AWS::Glue::Trigger", "Properties": {
        "Name": "t-schedule", "Description": "nightly", "Type": "SCHEDULED", "Schedule": schedule, "StartOnCreation": True,
        "Actions": [{"JobName": {"Ref": "Job"}}], "Tags": {"Name": "t-schedule"}}}  # fmt: skip


def test_trigger_update_in_place_and_delete(aws):
    aws.deploy("g", {"Resources": {"Job": job(), "Trigger": trigger()}, "Outputs": {"Ref": {"Value": {"Ref": "Trigger"}}}})
    assert aws.outputs("g") == {"Ref": "t-schedule"}
    glue = catalog(aws)
    found = glue.get_trigger(Name="t-schedule")["Trigger"]
    assert (found["Type"], found["Schedule"], found["State"]) == ("SCHEDULED", "cron(0 2 * * ? *)", "ACTIVATED")
    assert found["Actions"] == [{"JobName": "t-rds-to-s3"}] and found["Description"] == "nightly"

    aws.deploy("g", {"Resources": {"Job": job(), "Trigger": trigger("cron(0 3 * * ? *)")}})
    assert aws.physical_id("g", "Trigger") == "t-schedule"
    found = glue.get_trigger(Name="t-schedule")["Trigger"]
    assert found["Schedule"] == "cron(0 3 * * ? *)" and found["State"] == "ACTIVATED"

    aws.cfn.delete_stack(StackName="g")
    assert glue.get_triggers()["Triggers"] == []


# --------------------------------------------------------------------------- golden templates


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_golden_datalake_template_deploys(aws, env):
    network = golden_template(env, "network")  # real VPC, subnets and RDS-SG
    public_image(network["Parameters"]["BastionImageId"]["Default"])
    aws.deploy(f"matbakh-{env}-network", network)
    export_stack(aws, f"matbakh-{env}-fakes", {
        f"matbakh-{env}-data-DatabaseEndpointAddress": f"matbakh-{env}-db.abc.{REGION}.rds.amazonaws.com",
        f"matbakh-{env}-data-DatabaseEndpointPort": "5432",
        f"matbakh-{env}-security-EtlCredentialsSecretArn": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:matbakh-{env}/etl-credentials-AbCdEf",
        f"matbakh-{env}-security-RdsKeyArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555",
    })  # fmt: skip
    template = golden_template(env, "datalake")
    # The app and api stacks' log groups (the raw feeds subscribe to them) and the roles
    # the stack grants to, standing in for those stacks' exports.
    stand_ins, logs, iam = {}, aws.client("logs"), aws.client("iam")
    for name in sorted(imported_names(template)):
        output = name.rsplit("-", 1)[-1]
        if output.endswith("LogGroupName"):
            stand_ins[name] = f"/stand-in/{output}"
            logs.create_log_group(logGroupName=stand_ins[name])
        elif output.endswith("RoleName"):
            stand_ins[name] = f"matbakh-{env}-{output}"
            iam.create_role(RoleName=stand_ins[name], AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    export_stack(aws, f"matbakh-{env}-app-and-api", stand_ins)
    stack = f"matbakh-{env}-datalake"
    aws.deploy(stack, template)
    out = aws.outputs(stack)
    bucket = f"matbakh-data-lake-{env}"
    assert out == {"BucketName": bucket, "BucketArn": f"arn:aws:s3:::{bucket}"}

    s3 = aws.client("s3")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert encryption["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms" and encryption["BucketKeyEnabled"] is True
    rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]}
    assert set(rules) == {"archive-to-glacier", "expire-noncurrent-versions", "abort-incomplete-multipart-uploads", "expire-athena-results"}
    assert rules["expire-noncurrent-versions"]["NoncurrentVersionExpiration"]["NoncurrentDays"] == (7 if env == "dev" else 30)
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]["Sid"] == "DenyInsecureTransport"

    glue = catalog(aws)
    assert glue.get_database(Name=f"matbakh_{env}")["Database"]["Name"] == f"matbakh_{env}"
    tables = {t["Name"]: t for t in glue.get_tables(DatabaseName=f"matbakh_{env}")["TableList"]}
    assert sorted(tables) == ["business_partners_curated", "daily_kpis", "monthly_cohorts", "visibility_check_results_curated"]
    groups = [g for g in stand_ins.values() if g.startswith("/stand-in/")]
    functions = [r for r in golden_template(env, "app")["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert len(groups) == 1 + len(functions), "the stage and every function"
    for group in groups:
        (subscription,) = logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
        feed = "api-logs" if group.endswith("AccessLogGroupName") else "lambda-logs"
        assert subscription["destinationArn"].endswith(f"deliverystream/matbakh-{env}-{feed}")
    assert aws.client("firehose").list_delivery_streams()["DeliveryStreamNames"] == [f"matbakh-{env}-api-logs", f"matbakh-{env}-lambda-logs"]
    (archive,) = iam.list_role_policies(RoleName=f"matbakh-{env}-ApiCoreRoleName")["PolicyNames"]
    assert archive == "archive-external-apis"
    partners = tables["business_partners_curated"]
    assert partners["StorageDescriptor"]["Location"] == f"s3://{bucket}/curated/business_partners/"
    assert partners["Parameters"]["projection.enabled"] == "true"
    network = aws.outputs(f"matbakh-{env}-network")
    requirements = glue.get_connection(Name=f"matbakh-{env}-rds")["Connection"]["PhysicalConnectionRequirements"]
    assert requirements["SubnetId"] == network["PrivateSubnetIds"].split(",")[0]
    glue_sg = aws.physical_id(stack, "GlueSecurityGroup")
    assert requirements["SecurityGroupIdList"] == [glue_sg]
    found = glue.get_job(JobName=f"matbakh-{env}-rds-to-s3")["Job"]
    assert found["DefaultArguments"]["--DATABASE_URL"] == f"jdbc:postgresql://matbakh-{env}-db.abc.{REGION}.rds.amazonaws.com:5432/matbakh"
    assert found["Connections"] == {"Connections": [f"matbakh-{env}-rds"]}
    assert glue.get_trigger(Name=f"matbakh-{env}-rds-to-s3-schedule")["Trigger"]["Actions"] == [{"JobName": f"matbakh-{env}-rds-to-s3"}]
    workgroup = aws.client("athena").get_work_group(WorkGroup=f"matbakh-{env}")["WorkGroup"]
    assert workgroup["Configuration"]["ResultConfiguration"]["OutputLocation"] == f"s3://{bucket}/athena-results/"

    ec2 = aws.client("ec2")
    rds_sg = ec2.describe_security_groups(GroupIds=[network["RdsSecurityGroupId"]])["SecurityGroups"][0]
    sources = {p["GroupId"] for r in rds_sg["IpPermissions"] for p in r["UserIdGroupPairs"]}
    assert glue_sg in sources  # RdsIngressFromGlue, a rule on the network stack's group

    changed = copy.deepcopy(template)
    changed["Resources"]["RdsToS3Job"]["Properties"]["NumberOfWorkers"] = 3
    aws.deploy(stack, changed)
    assert glue.get_job(JobName=f"matbakh-{env}-rds-to-s3")["Job"]["NumberOfWorkers"] == 3

    aws.cfn.delete_stack(StackName=stack)
    assert glue.get_jobs()["Jobs"] == [] and glue.get_databases()["DatabaseList"] == []
    rds_sg = ec2.describe_security_groups(GroupIds=[network["RdsSecurityGroupId"]])["SecurityGroups"][0]
    assert glue_sg not in {p["GroupId"] for r in rds_sg["IpPermissions"] for p in r["UserIdGroupPairs"]}
    # DeletionPolicy Retain: the bucket stays.
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]


# --------------------------------------------------------------------------- probes: moto still broken


def test_probe_glue_types_are_no_cloudformation_models():
    for cls in (moto_glue.FakeDatabase, moto_glue.FakeTable, moto_glue.FakeConnection, moto_glue.FakeJob, moto_glue.FakeTrigger):
        assert not issubclass(cls, CloudFormationModel), FIXED.format(f"the CloudFormation model of {cls.__name__}")
