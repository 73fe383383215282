"""ElastiCache through CloudFormation (local_aws/elasticache.py): SubnetGroup, ParameterGroup
and ReplicationGroup created / updated / deleted through change sets and read back through
the ElastiCache API (what src/aws/services/elasticache.rs reads); the API actions we add;
probes that moto 5.2.5's own code is still broken; the golden cache templates of dev and prod."""

import inspect
import json

import pytest
from moto.core.common_models import CloudFormationModel
from moto.elasticache import responses as ec_responses
from moto.elasticache.models import CacheSubnetGroup, ElastiCacheBackend

from _support import error_code, export_stack, with_topic
from conftest import ACCOUNT, REGION, golden_template
from local_aws._cfn import original

TOKEN = "an-auth-token-of-32-characters!!"
ZONES = [f"{REGION}{z}" for z in "abc"]


@pytest.fixture
def net(aws):
    """A VPC with a subnet per zone, two security groups, a KMS key and an AUTH token secret."""
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for i, zone in enumerate(ZONES)
    ]
    groups = [ec2.create_security_group(GroupName=f"sg{i}", Description="d", VpcId=vpc)["GroupId"] for i in range(2)]
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    secret = aws.client("secretsmanager").create_secret(Name="redis", SecretString=json.dumps({"token": TOKEN}))["ARN"]
    return {"vpc": vpc, "subnets": subnets, "groups": groups, "key": key, "secret": secret}


def ec(aws):
    return aws.client("elasticache")


def group(aws, rid):
    return ec(aws).describe_replication_groups(ReplicationGroupId=rid)["ReplicationGroups"][0]


def cluster(aws, cid):
    return ec(aws).describe_cache_clusters(CacheClusterId=cid)["CacheClusters"][0]


def members(aws, rid):
    return sorted(c["CacheClusterId"] for c in ec(aws).describe_cache_clusters()["CacheClusters"]
                  if c.get("ReplicationGroupId") == rid)


def user_values(aws, name):
    described = ec(aws).describe_cache_parameters(CacheParameterGroupName=name, Source="user")["Parameters"]
    assert all(p["Source"] == "user" for p in described)
    return {p["ParameterName"]: p["ParameterValue"] for p in described}


# ----------------------------------------------------------------------------- subnet groups


def subnet_group_template(description):
    return {
        "Parameters": {"Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"}},
        "Resources": with_topic({"Group": {"Type": "AWS::ElastiCache::SubnetGroup", "Properties": {
            "CacheSubnetGroupName": "Matbakh-Redis", "Description": description, "SubnetIds": {"Ref": "Subnets"},
            "Tags": [{"Key": "project", "Value": "matbakh"}]}}}),
        "Outputs": {"Name": {"Value": {"Ref": "Group"}}},
    }


def test_subnet_group_create_update_delete(aws, net):
    subnets = net["subnets"]
    aws.deploy("cache", subnet_group_template("two"), {"Subnets": ",".join(subnets[:2])})
    assert aws.outputs("cache")["Name"] == aws.physical_id("cache", "Group") == "matbakh-redis"
    described = ec(aws).describe_cache_subnet_groups(CacheSubnetGroupName="matbakh-redis")["CacheSubnetGroups"][0]
    assert described["CacheSubnetGroupDescription"] == "two" and described["VpcId"] == net["vpc"]
    assert [(s["SubnetIdentifier"], s["SubnetAvailabilityZone"]["Name"]) for s in described["Subnets"]] == list(
        zip(subnets[:2], ZONES[:2]))
    tags = ec(aws).list_tags_for_resource(ResourceName=described["ARN"])["TagList"]
    assert tags == [{"Key": "project", "Value": "matbakh"}]

    aws.deploy("cache", subnet_group_template("three"), {"Subnets": ",".join(subnets)})
    assert aws.physical_id("cache", "Group") == "matbakh-redis"
    described = ec(aws).describe_cache_subnet_groups(CacheSubnetGroupName="matbakh-redis")["CacheSubnetGroups"][0]
    assert described["CacheSubnetGroupDescription"] == "three"
    assert [s["SubnetIdentifier"] for s in described["Subnets"]] == subnets

    aws.deploy("cache", {"Resources": with_topic({})})
    assert error_code(lambda: ec(aws).describe_cache_subnet_groups(CacheSubnetGroupName="matbakh-redis")) == (
        "CacheSubnetGroupNotFoundFault")


# -------------------------------------------------------------------------- parameter groups


def parameter_group_template(values, description="matbakh redis"):
    return {
        "Resources": with_topic({"Params": {"Type": "AWS::ElastiCache::ParameterGroup", "Properties": {
            "CacheParameterGroupFamily": "redis7", "Description": description, "Properties": values}}}),
        "Outputs": {"Name": {"Value": {"Ref": "Params"}}},
    }


def test_parameter_group_create_update_delete(aws):
    aws.deploy("cache", parameter_group_template({"maxmemory-policy": "allkeys-lru", "timeout": "300"}))
    name = aws.outputs("cache")["Name"]
    # CacheParameterGroupName is read-only: CloudFormation names the group (lower-case).
    assert name.startswith("cache-params-") and name == name.lower() == aws.physical_id("cache", "Params")
    described = ec(aws).describe_cache_parameter_groups(CacheParameterGroupName=name)["CacheParameterGroups"][0]
    assert (described["CacheParameterGroupFamily"], described["Description"], described["IsGlobal"]) == (
        "redis7", "matbakh redis", False)
    assert described["ARN"] == f"arn:aws:elasticache:{REGION}:{ACCOUNT}:parametergroup:{name}"
    assert user_values(aws, name) == {"maxmemory-policy": "allkeys-lru", "timeout": "300"}

    aws.deploy("cache", parameter_group_template({"maxmemory-policy": "volatile-lru", "tcp-keepalive": "60"}))
    assert aws.outputs("cache")["Name"] == name
    assert user_values(aws, name) == {"maxmemory-policy": "volatile-lru", "tcp-keepalive": "60"}
    assert ec(aws).describe_cache_parameters(CacheParameterGroupName=name, Source="engine-default")["Parameters"] == []

    aws.cfn.delete_stack(StackName="cache")
    assert error_code(lambda: ec(aws).describe_cache_parameters(CacheParameterGroupName=name)) == (
        "CacheParameterGroupNotFound")


# ------------------------------------------------------------------------- replication groups


def replication_template(extra_params=(), outputs=None, **overrides):
    """A subnet group, parameter groups and a Redis replication group (cluster mode by default)."""
    props = {
        "ReplicationGroupId": "Matbakh-Test", "ReplicationGroupDescription": "test", "Engine": "redis",
        "EngineVersion": "7.1", "CacheNodeType": "cache.t4g.small", "ClusterMode": "enabled",
        "NumNodeGroups": 2, "ReplicasPerNodeGroup": 1, "AutomaticFailoverEnabled": True, "MultiAZEnabled": True,
        "AtRestEncryptionEnabled": True, "KmsKeyId": {"Ref": "Key"}, "TransitEncryptionEnabled": True,
        "AuthToken": TOKEN, "CacheParameterGroupName": {"Ref": "Params"},
        "CacheSubnetGroupName": {"Ref": "Subnets"}, "SecurityGroupIds": [{"Ref": "SecurityGroup"}], "Port": 6379,
        "SnapshotRetentionLimit": 5, "SnapshotWindow": "03:00-05:00", "PreferredMaintenanceWindow": "sun:05:30-sun:06:30",
        "AutoMinorVersionUpgrade": True, "Tags": [{"Key": "project", "Value": "matbakh"}],
        "LogDeliveryConfigurations": [{"DestinationType": "cloudwatch-logs", "LogFormat": "json", "LogType": "slow-log",
                                       "DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": "redis-slow"}}}],
    }
    props.update(overrides)
    resources = {
        "Subnets": {"Type": "AWS::ElastiCache::SubnetGroup", "Properties": {
            "Description": "redis", "SubnetIds": {"Ref": "SubnetIds"}}},
        "Params": {"Type": "AWS::ElastiCache::ParameterGroup", "Properties": {
            "CacheParameterGroupFamily": "redis7", "Description": "cluster", "Properties": {"cluster-enabled": "yes"}}},
        "Redis": {"Type": "AWS::ElastiCache::ReplicationGroup", "Properties": {k: v for k, v in props.items() if v is not None}},
    }
    for name in extra_params:
        resources[name] = {"Type": "AWS::ElastiCache::ParameterGroup", "Properties": {
            "CacheParameterGroupFamily": "redis7", "Description": name, "Properties": {"cluster-enabled": "yes"}}}
    return {
        "Parameters": {"SubnetIds": {"Type": "List<AWS::EC2::Subnet::Id>"}, "SecurityGroup": {"Type": "String"},
                       "Key": {"Type": "String"}},
        "Resources": resources,
        "Outputs": outputs if outputs is not None else {
            "Id": {"Value": {"Ref": "Redis"}},
            "Address": {"Value": {"Fn::GetAtt": ["Redis", "ConfigurationEndPoint.Address"]}},
            "Port": {"Value": {"Fn::GetAtt": ["Redis", "ConfigurationEndPoint.Port"]}},
        },
    }


def replication_parameters(net, group=0):
    return {"SubnetIds": ",".join(net["subnets"]), "SecurityGroup": net["groups"][group], "Key": net["key"]}


def test_replication_group_cluster_mode_create(aws, net):
    aws.deploy("cache", replication_template(), replication_parameters(net))
    outputs = aws.outputs("cache")
    described = group(aws, "matbakh-test")
    assert outputs["Id"] == aws.physical_id("cache", "Redis") == "matbakh-test"
    assert outputs["Address"] == described["ConfigurationEndpoint"]["Address"]
    assert outputs["Address"].startswith("clustercfg.matbakh-test.") and outputs["Address"].endswith(".euc1.cache.amazonaws.com")
    assert outputs["Port"] == "6379" and described["ConfigurationEndpoint"]["Port"] == 6379
    assert {k: described.get(k) for k in [
        "Description", "ClusterEnabled", "ClusterMode", "CacheNodeType", "Engine", "AutomaticFailover", "MultiAZ",
        "AtRestEncryptionEnabled", "TransitEncryptionEnabled", "AuthTokenEnabled", "KmsKeyId",
        "SnapshotRetentionLimit", "SnapshotWindow", "AutoMinorVersionUpgrade"]} == {
        "Description": "test", "ClusterEnabled": True, "ClusterMode": "enabled", "CacheNodeType": "cache.t4g.small",
        "Engine": "redis", "AutomaticFailover": "enabled", "MultiAZ": "enabled", "AtRestEncryptionEnabled": True,
        "TransitEncryptionEnabled": True, "AuthTokenEnabled": True, "KmsKeyId": net["key"],
        "SnapshotRetentionLimit": 5, "SnapshotWindow": "03:00-05:00", "AutoMinorVersionUpgrade": True,
    }
    assert "AuthToken" not in json.dumps(described, default=str).replace("AuthTokenEnabled", "").replace(
        "AuthTokenLastModifiedDate", "")
    assert [lc["LogType"] for lc in described["LogDeliveryConfigurations"]] == ["slow-log"]
    assert [(ng["NodeGroupId"], ng["Slots"], len(ng["NodeGroupMembers"])) for ng in described["NodeGroups"]] == [
        ("0001", "0-8191", 2), ("0002", "8192-16383", 2)]
    expected = ["matbakh-test-0001-001", "matbakh-test-0001-002", "matbakh-test-0002-001", "matbakh-test-0002-002"]
    assert described["MemberClusters"] == expected == members(aws, "matbakh-test")
    params, subnets = aws.physical_id("cache", "Params"), aws.physical_id("cache", "Subnets")
    zones = set()
    for cid in expected:
        c = cluster(aws, cid)
        zones.add(c["PreferredAvailabilityZone"])
        assert {k: c.get(k) for k in [
            "ReplicationGroupId", "Engine", "EngineVersion", "CacheNodeType", "CacheSubnetGroupName",
            "SnapshotRetentionLimit", "SnapshotWindow", "AuthTokenEnabled", "TransitEncryptionEnabled",
            "AtRestEncryptionEnabled", "PreferredMaintenanceWindow", "CacheClusterStatus"]} == {
            "ReplicationGroupId": "matbakh-test", "Engine": "redis", "EngineVersion": "7.1",
            "CacheNodeType": "cache.t4g.small", "CacheSubnetGroupName": subnets, "SnapshotRetentionLimit": 5,
            "SnapshotWindow": "03:00-05:00", "AuthTokenEnabled": True, "TransitEncryptionEnabled": True,
            "AtRestEncryptionEnabled": True, "PreferredMaintenanceWindow": "sun:05:30-sun:06:30",
            "CacheClusterStatus": "available",
        }
        assert c["CacheParameterGroup"]["CacheParameterGroupName"] == params
        assert [s["SecurityGroupId"] for s in c["SecurityGroups"]] == [net["groups"][0]]
    assert zones <= set(ZONES) and len(zones) > 1
    tags = ec(aws).list_tags_for_resource(ResourceName=described["ARN"])["TagList"]
    assert tags == [{"Key": "project", "Value": "matbakh"}]


def test_replication_group_cluster_mode_disabled(aws, net):
    outputs = {name: {"Value": {"Fn::GetAtt": ["Redis", name]}} for name in (
        "PrimaryEndPoint.Address", "PrimaryEndPoint.Port", "ReaderEndPoint.Address", "ReaderEndPoint.Port",
        "ReadEndPoint.Addresses", "ReadEndPoint.Ports")}
    outputs = {k.replace(".", ""): v for k, v in outputs.items()}
    template = replication_template(
        outputs=outputs, ClusterMode=None, NumNodeGroups=None, ReplicasPerNodeGroup=None, NumCacheClusters=2,
        PreferredCacheClusterAZs=[ZONES[1], ZONES[2]], CacheParameterGroupName=None)
    aws.deploy("cache", template, replication_parameters(net))
    out = aws.outputs("cache")
    described = group(aws, "matbakh-test")
    node_group = described["NodeGroups"][0]
    assert described["ClusterEnabled"] is False and "ConfigurationEndpoint" not in described
    assert out["PrimaryEndPointAddress"] == node_group["PrimaryEndpoint"]["Address"] and out["PrimaryEndPointPort"] == "6379"
    assert out["ReaderEndPointAddress"] == node_group["ReaderEndpoint"]["Address"] and out["ReaderEndPointPort"] == "6379"
    assert out["ReadEndPointAddresses"] == ",".join(m["ReadEndpoint"]["Address"] for m in node_group["NodeGroupMembers"])
    assert out["ReadEndPointPorts"] == "6379,6379"
    assert described["MemberClusters"] == ["matbakh-test-001", "matbakh-test-002"] == members(aws, "matbakh-test")
    assert [m["CurrentRole"] for m in node_group["NodeGroupMembers"]] == ["primary", "replica"]
    assert [cluster(aws, c)["PreferredAvailabilityZone"] for c in described["MemberClusters"]] == ZONES[1:]
    # Without CacheParameterGroupName: the engine's default group.
    assert cluster(aws, "matbakh-test-001")["CacheParameterGroup"]["CacheParameterGroupName"] == "default.redis7"


def test_cluster_mode_follows_the_parameter_group(aws, net):
    """No ClusterMode, one shard: cluster-enabled yes in the parameter group decides."""
    aws.deploy("cache", replication_template(ClusterMode=None, NumNodeGroups=1, ReplicasPerNodeGroup=0),
               replication_parameters(net))
    described = group(aws, "matbakh-test")
    assert described["ClusterEnabled"] is True and described["ClusterMode"] == "enabled"
    assert described["NodeGroups"][0]["Slots"] == "0-16383"
    assert members(aws, "matbakh-test") == ["matbakh-test-0001-001"]


def test_replication_group_update_in_place(aws, net):
    aws.deploy("cache", replication_template(extra_params=("Params2",)), replication_parameters(net))
    before = group(aws, "matbakh-test")
    created, token_set = before["ReplicationGroupCreateTime"], before["AuthTokenLastModifiedDate"]
    other_params = aws.physical_id("cache", "Params2")
    changed = replication_template(
        extra_params=("Params2",), SnapshotRetentionLimit=1, SnapshotWindow="01:00-02:00",
        CacheParameterGroupName={"Ref": "Params2"}, EngineVersion="7.2", CacheNodeType="cache.r6g.large",
        MultiAZEnabled=False, PreferredMaintenanceWindow="mon:01:00-mon:02:00", ReplicasPerNodeGroup=2,
        ReplicationGroupDescription="changed", Tags=[{"Key": "project", "Value": "other"}])
    aws.deploy("cache", changed, replication_parameters(net, group=1))
    assert aws.physical_id("cache", "Redis") == "matbakh-test"
    described = group(aws, "matbakh-test")
    assert described["ReplicationGroupCreateTime"] == created  # the same group, not a new one
    assert described["AuthTokenLastModifiedDate"] == token_set  # AuthToken unchanged: not rotated
    assert {k: described[k] for k in ["Description", "SnapshotRetentionLimit", "SnapshotWindow", "CacheNodeType", "MultiAZ"]} == {
        "Description": "changed", "SnapshotRetentionLimit": 1, "SnapshotWindow": "01:00-02:00",
        "CacheNodeType": "cache.r6g.large", "MultiAZ": "disabled"}
    assert len(described["MemberClusters"]) == 6 == len(members(aws, "matbakh-test"))
    for cid in described["MemberClusters"]:
        c = cluster(aws, cid)
        assert (c["EngineVersion"], c["CacheNodeType"], c["SnapshotRetentionLimit"], c["SnapshotWindow"],
                c["PreferredMaintenanceWindow"]) == ("7.2", "cache.r6g.large", 1, "01:00-02:00", "mon:01:00-mon:02:00")
        assert c["CacheParameterGroup"]["CacheParameterGroupName"] == other_params
        assert [s["SecurityGroupId"] for s in c["SecurityGroups"]] == [net["groups"][1]]
    tags = ec(aws).list_tags_for_resource(ResourceName=described["ARN"])["TagList"]
    assert tags == [{"Key": "project", "Value": "other"}]


def test_replication_group_deleted_with_its_members(aws, net):
    aws.deploy("cache", replication_template(), replication_parameters(net))
    template = replication_template(outputs={})
    del template["Resources"]["Redis"]
    aws.deploy("cache", template, replication_parameters(net))
    assert error_code(lambda: group(aws, "matbakh-test")) == "ReplicationGroupNotFoundFault"
    assert members(aws, "matbakh-test") == []
    aws.cfn.delete_stack(StackName="cache")  # the groups it used are free to go now
    assert ec(aws).describe_cache_subnet_groups()["CacheSubnetGroups"] == []


def test_out_of_band_modify_is_visible(aws, net):
    """What our drift test does: ModifyReplicationGroup through the API, then describe."""
    aws.deploy("cache", replication_template(), replication_parameters(net))
    ec(aws).modify_replication_group(ReplicationGroupId="matbakh-test", SnapshotRetentionLimit=0,
                                     SecurityGroupIds=[net["groups"][1]], SnapshotWindow="07:00-08:00",
                                     ApplyImmediately=True)
    described = group(aws, "matbakh-test")
    assert (described["SnapshotRetentionLimit"], described["SnapshotWindow"]) == (0, "07:00-08:00")
    member = cluster(aws, described["MemberClusters"][0])
    assert (member["SnapshotRetentionLimit"], member["SnapshotWindow"]) == (0, "07:00-08:00")
    assert [s["SecurityGroupId"] for s in member["SecurityGroups"]] == [net["groups"][1]]


def test_api_parameter_and_subnet_groups(aws, net):
    client = ec(aws)
    client.create_cache_parameter_group(CacheParameterGroupName="pg", CacheParameterGroupFamily="redis7", Description="d")
    client.modify_cache_parameter_group(CacheParameterGroupName="pg", ParameterNameValues=[
        {"ParameterName": "timeout", "ParameterValue": "60"}])
    assert user_values(aws, "pg") == {"timeout": "60"}
    assert error_code(lambda: client.create_cache_parameter_group(
        CacheParameterGroupName="pg", CacheParameterGroupFamily="redis7", Description="d")) == "CacheParameterGroupAlreadyExists"
    client.create_cache_subnet_group(CacheSubnetGroupName="sn", CacheSubnetGroupDescription="d", SubnetIds=net["subnets"][:1])
    client.modify_cache_subnet_group(CacheSubnetGroupName="sn", SubnetIds=net["subnets"])
    assert len(client.describe_cache_subnet_groups(CacheSubnetGroupName="sn")["CacheSubnetGroups"][0]["Subnets"]) == 3
    client.create_replication_group(ReplicationGroupId="api", ReplicationGroupDescription="d", CacheNodeType="cache.t4g.small",
                                    Engine="redis", CacheParameterGroupName="pg", CacheSubnetGroupName="sn", NumCacheClusters=2)
    assert members(aws, "api") == ["api-001", "api-002"]
    assert error_code(lambda: client.delete_cache_subnet_group(CacheSubnetGroupName="sn")) == "CacheSubnetGroupInUse"
    assert error_code(lambda: client.delete_cache_parameter_group(CacheParameterGroupName="pg")) == (
        "InvalidCacheParameterGroupState")
    client.delete_replication_group(ReplicationGroupId="api")
    client.delete_cache_subnet_group(CacheSubnetGroupName="sn")
    client.delete_cache_parameter_group(CacheParameterGroupName="pg")
    assert client.describe_cache_parameter_groups()["CacheParameterGroups"] == []


# ------------------------------------------------------------------------------ golden templates


def deploy_exports(aws, env, net):
    """Other stacks' exports the cache stack imports, with values of real resources."""
    export_stack(aws, f"exports-{env}", {
        f"matbakh-{env}-network-PrivateSubnetIds": ",".join(net["subnets"]),
        f"matbakh-{env}-network-RedisSecurityGroupId": net["groups"][0],
        f"matbakh-{env}-security-RedisAuthTokenSecretArn": net["secret"],
    })


@pytest.mark.parametrize("env,shards,replicas", [("dev", 1, 0), ("prod", 3, 1)])
def test_golden_cache_template(aws, net, env, shards, replicas):
    deploy_exports(aws, env, net)
    stack = f"matbakh-{env}-cache"
    aws.deploy(stack, golden_template(env, "cache"))
    outputs = aws.outputs(stack)
    rid = f"matbakh-{env}-redis"
    described = group(aws, rid)
    assert outputs["RedisConfigurationEndpointAddress"] == described["ConfigurationEndpoint"]["Address"]
    assert outputs["RedisPort"] == "6379"
    assert described["ClusterEnabled"] is True and len(described["NodeGroups"]) == shards
    assert {len(ng["NodeGroupMembers"]) for ng in described["NodeGroups"]} == {1 + replicas}
    assert described["AuthTokenEnabled"] is True and described["TransitEncryptionEnabled"] is True
    assert described["MultiAZ"] == ("enabled" if env == "prod" else "disabled")
    assert len(members(aws, rid)) == shards * (1 + replicas)
    member = cluster(aws, described["MemberClusters"][0])
    params = member["CacheParameterGroup"]["CacheParameterGroupName"]
    assert user_values(aws, params) == {"cluster-enabled": "yes", "maxmemory-policy": "allkeys-lru",
                                        "tcp-keepalive": "60", "timeout": "300"}
    assert [s["SecurityGroupId"] for s in member["SecurityGroups"]] == [net["groups"][0]]
    assert member["PreferredAvailabilityZone"] in ZONES and member["EngineVersion"] == "7.1"


# ---------------------------------------------------------------------------------- probes

TYPES = ("AWS::ElastiCache::SubnetGroup", "AWS::ElastiCache::ParameterGroup", "AWS::ElastiCache::ReplicationGroup")


def fix_hint(bug):
    return f"moto fixed {bug} upstream: remove the extension in local_aws/elasticache.py"


def test_probe_no_cloudformation_models():
    moto_types = {m.cloudformation_type() for m in CloudFormationModel.__subclasses__() if m.__module__.startswith("moto.")}
    assert not moto_types & set(TYPES), fix_hint("ElastiCache CloudFormation models (issue 1)")


@pytest.fixture
def moto_replication_groups(monkeypatch):
    """moto's own CreateReplicationGroup / ModifyReplicationGroup / DeleteReplicationGroup."""
    for name in ("create_replication_group", "modify_replication_group", "delete_replication_group"):
        monkeypatch.setattr(ElastiCacheBackend, name, original(ElastiCacheBackend, name))
    monkeypatch.setattr(ec_responses.ElastiCacheResponse, "modify_replication_group",
                        original(ec_responses.ElastiCacheResponse, "modify_replication_group"))


def test_probe_no_member_clusters_and_us_east_1(aws, moto_replication_groups):
    ec(aws).create_replication_group(ReplicationGroupId="rg", ReplicationGroupDescription="d", Engine="redis",
                                     CacheNodeType="cache.t4g.small", ClusterMode="enabled", NumNodeGroups=1)
    assert ec(aws).describe_cache_clusters()["CacheClusters"] == [], fix_hint("member cache clusters (issue 2)")
    described = group(aws, "rg")
    zone = described["NodeGroups"][0]["NodeGroupMembers"][0]["PreferredAvailabilityZone"]
    assert zone == "us-east-1a" and ".use1." in described["ConfigurationEndpoint"]["Address"], fix_hint(
        "node zones in the group's region (issue 3)")
    assert described["NodeGroups"][0]["Slots"] == "0-5461", fix_hint("hash slots of a single shard (issue 3)")


def test_probe_parameter_group_api_missing():
    for action in ("describe_cache_parameters", "describe_cache_parameter_groups", "create_cache_parameter_group",
                   "delete_cache_subnet_group"):
        assert original(ec_responses.ElastiCacheResponse, action) is None, fix_hint(f"{action} (issue 4)")


def test_probe_subnet_group_zones_missing(aws, net, monkeypatch):
    monkeypatch.setattr(CacheSubnetGroup, "__init__", original(CacheSubnetGroup, "__init__"))
    ec(aws).create_cache_subnet_group(CacheSubnetGroupName="sn", CacheSubnetGroupDescription="d", SubnetIds=net["subnets"][:1])
    subnet = ec(aws).describe_cache_subnet_groups(CacheSubnetGroupName="sn")["CacheSubnetGroups"][0]["Subnets"][0]
    assert subnet["SubnetAvailabilityZone"] == {}, fix_hint("subnet zones in DescribeCacheSubnetGroups (issue 5)")


def test_probe_modify_replication_group_drops_parameters(aws, moto_replication_groups):
    ec(aws).create_replication_group(ReplicationGroupId="rg", ReplicationGroupDescription="d", Engine="redis",
                                     CacheNodeType="cache.t4g.small", SnapshotWindow="03:00-04:00")
    ec(aws).modify_replication_group(ReplicationGroupId="rg", SnapshotWindow="01:00-02:00", ApplyImmediately=True)
    assert group(aws, "rg")["SnapshotWindow"] == "03:00-04:00", fix_hint("ModifyReplicationGroup SnapshotWindow (issue 6)")
    signature = inspect.signature(original(ElastiCacheBackend, "modify_replication_group")).parameters
    assert "security_group_ids" not in signature, fix_hint("ModifyReplicationGroup SecurityGroupIds (issue 6)")


def test_probe_delete_replication_group_keeps_it(aws, moto_replication_groups):
    ec(aws).create_replication_group(ReplicationGroupId="rg", ReplicationGroupDescription="d", Engine="redis",
                                     CacheNodeType="cache.t4g.small")
    ec(aws).delete_replication_group(ReplicationGroupId="rg")
    assert group(aws, "rg")["Status"] == "deleting", fix_hint("DeleteReplicationGroup deleting the group (issue 7)")
