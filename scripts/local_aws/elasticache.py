"""ElastiCache through CloudFormation: AWS::ElastiCache::SubnetGroup, ParameterGroup and
ReplicationGroup, created in moto's ElastiCache backend, plus the cache parameter group API
and the replication group behaviour our drift reader (src/aws/services/elasticache.rs) reads:
DescribeReplicationGroups, DescribeCacheClusters of the member clusters, and
DescribeCacheParameters.

What AWS documents (CloudFormation Template Reference, ElastiCache API Reference):
- SubnetGroup: Ref = CacheSubnetGroupName (lower-case; generated when absent); Description and
  SubnetIds update in place (ModifyCacheSubnetGroup). DescribeCacheSubnetGroups lists each
  subnet with its availability zone.
- ParameterGroup: Ref = the generated group name (CacheParameterGroupName is read-only);
  ``Properties`` (a map) are the values DescribeCacheParameters reports with Source "user";
  they update in place, CacheParameterGroupFamily needs a replacement.
- ReplicationGroup: Ref = ReplicationGroupId; GetAtt ConfigurationEndPoint.Address/Port
  (cluster mode enabled), PrimaryEndPoint.Address/Port, ReaderEndPoint.Address/Port,
  ReadEndPoint.Addresses/Ports (and .List) (cluster mode disabled); attribute values are
  strings. NumNodeGroups x (1 + ReplicasPerNodeGroup) member clusters ``<id>-000N-00M`` (cluster
  mode) or NumCacheClusters members ``<id>-00M``, each visible through DescribeCacheClusters with
  the group's engine version, node type, parameter group, subnet group, security groups,
  snapshot settings, encryption and AUTH flags, in zones of the subnet group's subnets.
  ClusterEnabled follows the parameter group (cluster-enabled yes) / ClusterMode / more than
  one shard. AuthToken is never returned. Updatable in place (ModifyReplicationGroup): all
  but the schema's createOnly properties (ReplicationGroupId, Port, CacheSubnetGroupName,
  AtRestEncryptionEnabled, KmsKeyId, ...).

Upstream issues (getmoto/moto), as we would file them
=====================================================

1. "CloudFormation: no models for AWS::ElastiCache::SubnetGroup, ParameterGroup and
   ReplicationGroup" -- moto 5.2.5, ``moto/elasticache/models.py`` defines no
   ``CloudFormationModel`` for them; the types are parsed as placeholders. Reproduction::

       Resources:
         R: {Type: AWS::ElastiCache::ReplicationGroup,
             Properties: {ReplicationGroupDescription: d, CacheNodeType: cache.t4g.small,
                          Engine: redis, NumNodeGroups: 1, ReplicasPerNodeGroup: 0}}
       Outputs: {A: {Value: !GetAtt R.ConfigurationEndPoint.Address}}

   Expected: the group exists (DescribeReplicationGroups) and the output is its endpoint
   (Template Reference, AWS::ElastiCache::ReplicationGroup). Actual: "GetAtt references
   undefined resource R"; nothing is created.

2. "ElastiCache: a replication group has no member cache clusters" -- moto 5.2.5,
   ``ElastiCacheBackend.create_replication_group`` lists MemberClusters but creates no
   CacheCluster: ``create_replication_group(ReplicationGroupId="rg", NumNodeGroups=2,
   ReplicasPerNodeGroup=1, ClusterMode="enabled", ...)`` then ``describe_cache_clusters()``
   returns []. Expected: four clusters rg-0001-001 ... rg-0002-002 with the group's settings
   (DescribeCacheClusters, CacheCluster.ReplicationGroupId).

3. "ElastiCache: replication group nodes are placed in us-east-1 whatever the region; slots and
   NumCacheClusters ignored" -- moto 5.2.5, ``ReplicationGroup._set_node_members_clusters_enabled``
   / ``_disabled`` hard-code "us-east-1a"/"us-east-1b" and endpoints ``*.use1.cache.amazonaws.com``;
   slots are "0-5461" for a single shard (AWS: 0-16383); with cluster mode disabled
   ``NumCacheClusters`` is ignored; ClusterEnabled ignores the parameter group's
   ``cluster-enabled``. Reproduction in eu-central-1: ``create_replication_group(...,
   NumCacheClusters=2)``: one member in us-east-1a. Expected: nodes in the subnet group's
   zones, two members.

4. "ElastiCache: cache parameter group APIs not implemented" -- moto 5.2.5,
   ``moto/elasticache/responses.py`` has no CreateCacheParameterGroup,
   DescribeCacheParameterGroups, DescribeCacheParameters, ModifyCacheParameterGroup,
   DeleteCacheParameterGroup: ``describe_cache_parameters(CacheParameterGroupName="x")`` raises
   "The describe_cache_parameters action has not been implemented". Expected: the documented
   operations. Likewise DeleteCacheSubnetGroup and ModifyCacheSubnetGroup.

5. "ElastiCache: DescribeCacheSubnetGroups omits the subnets' availability zones" -- moto 5.2.5,
   ``CacheSubnetGroup.__init__`` stores ``subnet_availability_zone`` as a plain string where the
   response shape is a structure ``{Name}``; the answer has ``SubnetAvailabilityZone: {}``.

6. "ElastiCache: ModifyReplicationGroup ignores most parameters" -- moto 5.2.5,
   ``ElastiCacheResponse.modify_replication_group`` / ``ElastiCacheBackend.modify_replication_group``
   apply only description, engine, node type, failover, Multi-AZ and snapshot retention:
   ``modify_replication_group(ReplicationGroupId="rg", SnapshotWindow="01:00-02:00",
   ApplyImmediately=True)`` leaves SnapshotWindow unchanged; SecurityGroupIds,
   CacheParameterGroupName, EngineVersion, PreferredMaintenanceWindow, AuthToken,
   AutoMinorVersionUpgrade, LogDeliveryConfigurations, TransitEncryption* are dropped too.

7. "ElastiCache: DeleteReplicationGroup never deletes" -- moto 5.2.5,
   ``ElastiCacheBackend.delete_replication_group`` sets status "deleting" and keeps the group;
   DescribeReplicationGroups lists it forever. Expected: it disappears (then
   ReplicationGroupNotFoundFault), with its member clusters.

Still not emulated: engine-default parameter values (a group lists only user-set values;
default groups ``default.<family>`` exist empty); pending modifications (every change applies
at once, ApplyImmediately or not); online resharding is a re-layout of the member clusters;
validation of parameter names and combinations; tags of parameter groups through
ListTagsForResource (moto's ARN check rejects ``parametergroup`` ARNs); DeletionPolicy
Snapshot (delete is delete); lower-casing of names given through the API; CacheNodes of
member clusters (ShowCacheNodeInfo); SnapshottingClusterId follows moto (the first replica).
"""

import inspect
import math
import random
import string
from typing import Any

from botocore import xform_name
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.cloudformation.utils import random_suffix
from moto.core.common_models import BaseModel, CloudFormationModel
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.elasticache import responses as ec_responses
from moto.elasticache.exceptions import ElastiCacheException, ReplicationGroupNotFound
from moto.elasticache.models import CacheCluster, CacheSubnetGroup, ElastiCacheBackend, elasticache_backends
from moto.utilities.utils import get_partition

from ._cfn import as_bool, as_int, model, original, properties, replace

HASH_SLOTS = 16384
DEFAULT_PORTS = {"redis": 6379, "valkey": 6379, "memcached": 11211}


class CacheParameterGroupNotFound(ElastiCacheException):
    code = "CacheParameterGroupNotFoundFault"

    def __init__(self, name: str):
        super().__init__(f"CacheParameterGroup {name} not found.")


class CacheParameterGroupAlreadyExists(ElastiCacheException):
    code = "CacheParameterGroupAlreadyExistsFault"

    def __init__(self, name: str):
        super().__init__(f"Parameter group {name} already exists.")


class InvalidCacheParameterGroupState(ElastiCacheException):
    code = "InvalidCacheParameterGroupStateFault"


class CacheSubnetGroupInUse(ElastiCacheException):
    code = "CacheSubnetGroupInUse"


class CacheParameterGroup(BaseModel):
    """What DescribeCacheParameterGroups returns; ``values`` are the user-set parameters."""

    def __init__(self, account_id: str, region_name: str, name: str, family: str, description: str):
        self.cache_parameter_group_name = name
        self.cache_parameter_group_family = family
        self.description = description
        self.is_global = False
        self.arn = f"arn:{get_partition(region_name)}:elasticache:{region_name}:{account_id}:parametergroup:{name}"
        self.values: dict[str, str] = {}

    def parameters(self, source: str | None) -> list[dict[str, Any]]:
        if source not in (None, "user"):
            return []  # engine defaults are not emulated
        return [
            {"ParameterName": k, "ParameterValue": v, "Source": "user", "IsModifiable": True, "DataType": "string"}
            for k, v in self.values.items()
        ]


# ------------------------------------------------------------------ backend: parameter groups


def _parameter_groups(backend: ElastiCacheBackend) -> dict[str, CacheParameterGroup]:
    # Kept in the backend's __dict__ so that moto's reset (which re-runs __init__) drops them.
    return backend.__dict__.setdefault("cache_parameter_groups", {})


def _family(engine: str, version: str) -> str:
    major, _, rest = version.partition(".")
    minor = rest.split(".")[0] or "0"
    if engine == "memcached":
        return f"memcached{major}.{minor}"
    if engine == "redis" and int(major) < 7:
        return "redis6.x" if major == "6" else f"redis{major}.{minor}"
    return f"{engine}{major}"


def _default_group_name(engine: str, version: str, cluster: bool) -> str:
    return f"default.{_family(engine, version)}" + (".cluster.on" if cluster else "")


def get_cache_parameter_group(self: ElastiCacheBackend, name: str) -> CacheParameterGroup:
    groups = _parameter_groups(self)
    if name not in groups and name.startswith("default."):
        family = name.removeprefix("default.").removesuffix(".cluster.on")
        description = f"Default parameter group for {family}"
        groups[name] = CacheParameterGroup(self.account_id, self.region_name, name, family, description)
    if name not in groups:
        raise CacheParameterGroupNotFound(name)
    return groups[name]


def create_cache_parameter_group(self, cache_parameter_group_name, cache_parameter_group_family, description, tags=None):
    groups = _parameter_groups(self)
    if cache_parameter_group_name in groups:
        raise CacheParameterGroupAlreadyExists(cache_parameter_group_name)
    group = CacheParameterGroup(
        self.account_id, self.region_name, cache_parameter_group_name, cache_parameter_group_family, description
    )
    groups[cache_parameter_group_name] = group
    if tags:
        self.tagging_service.tag_resource(group.arn, tags)
    return group


def modify_cache_parameter_group(self, cache_parameter_group_name, values: dict[str, str], reset: bool = False):
    group = get_cache_parameter_group(self, cache_parameter_group_name)
    if reset:
        group.values.clear()
    group.values.update({str(k): str(v) for k, v in values.items()})
    return group


def delete_cache_parameter_group(self, cache_parameter_group_name):
    get_cache_parameter_group(self, cache_parameter_group_name)
    if any(g.cache_parameter_group_name == cache_parameter_group_name for g in self.replication_groups.values()):
        raise InvalidCacheParameterGroupState(f"Parameter group {cache_parameter_group_name} is in use.")
    group = _parameter_groups(self).pop(cache_parameter_group_name)
    self.tagging_service.delete_all_tags_for_resource(group.arn)


# ---------------------------------------------------------------------- backend: subnet groups


def _subnet_group_init(self, *args, **kwargs):
    original(CacheSubnetGroup, "__init__")(self, *args, **kwargs)
    # Issue 5: the response shape wants {Name: zone}.
    for subnet in self.subnets:
        zone = subnet.get("subnet_availability_zone")
        if isinstance(zone, str):
            subnet["subnet_availability_zone"] = {"Name": zone}


def modify_cache_subnet_group(self, cache_subnet_group_name, cache_subnet_group_description=None, subnet_ids=None):
    group = self.describe_cache_subnet_groups(cache_subnet_group_name)[0]
    if subnet_ids:
        rebuilt = CacheSubnetGroup(self.account_id, self.region_name, group.cache_subnet_group_name,
                                   group.cache_subnet_group_description, subnet_ids, group.tags)
        group.subnet_ids, group.subnets, group.vpc_id = rebuilt.subnet_ids, rebuilt.subnets, rebuilt.vpc_id
        group.supported_network_types = rebuilt.supported_network_types
    if cache_subnet_group_description is not None:
        group.cache_subnet_group_description = cache_subnet_group_description
    return group


def delete_cache_subnet_group(self, cache_subnet_group_name):
    group = self.describe_cache_subnet_groups(cache_subnet_group_name)[0]
    users = list(self.replication_groups.values()) + list(self.cache_clusters.values())
    if any(getattr(u, "cache_subnet_group_name", None) == cache_subnet_group_name for u in users):
        raise CacheSubnetGroupInUse(f"Cache subnet group {cache_subnet_group_name} is currently in use by a cache cluster.")
    self.cache_subnet_groups.pop(cache_subnet_group_name)
    self.tagging_service.delete_all_tags_for_resource(group.arn)


# ------------------------------------------------------------------ backend: replication groups


def _region_code(region: str) -> str:
    """eu-central-1 -> euc1, ap-southeast-2 -> apse2: as in ElastiCache endpoint names."""
    words = {"central": "c", "east": "e", "west": "w", "north": "n", "south": "s",
             "southeast": "se", "northeast": "ne", "southwest": "sw", "northwest": "nw"}
    area, direction, number = region.split("-")[:3]
    return f"{area}{words.get(direction, direction[0])}{number}"


def _zones(backend: ElastiCacheBackend, group) -> list[str]:
    """The zones of the subnet group's subnets, in their order (the region's a/b/c without one)."""
    subnet_group = backend.cache_subnet_groups.get(group.cache_subnet_group_name or "")
    zones: list[str] = []
    for subnet in subnet_group.subnets if subnet_group else []:
        zone = (subnet.get("subnet_availability_zone") or {}).get("Name")
        if zone and zone not in zones:
            zones.append(zone)
    return zones or [f"{backend.region_name}{z}" for z in "abc"]


def _slots(index: int, count: int) -> str:
    start = math.ceil(index * HASH_SLOTS / count)
    end = math.ceil((index + 1) * HASH_SLOTS / count) - 1
    return f"{start}-{end}"


def _layout(backend: ElastiCacheBackend, group) -> None:
    """Node groups, members and endpoints from the group's shape; then the member clusters."""
    shape, zones, port, domain = group.shape, _zones(backend, group), group.port, group.domain
    rid = group.replication_group_id
    node_groups = []
    if group.cluster_enabled:
        configs = shape.get("node_group_configuration") or []
        count = shape.get("num_node_groups") or len(configs) or 1
        for i in range(count):
            config = configs[i] if i < len(configs) else {}
            ng_id = config.get("NodeGroupId") or f"{i + 1:04d}"
            replicas = as_int(config.get("ReplicaCount"), shape.get("replicas_per_node_group") or 0)
            replica_zones = config.get("ReplicaAvailabilityZones") or []
            members = []
            for r in range(replicas + 1):
                if r == 0:
                    zone = config.get("PrimaryAvailabilityZone") or zones[i % len(zones)]
                else:
                    zone = replica_zones[r - 1] if r <= len(replica_zones) else zones[(i + r) % len(zones)]
                members.append({"cache_cluster_id": f"{rid}-{ng_id}-{r + 1:03d}", "cache_node_id": "0001",
                                "preferred_availability_zone": zone})
            node_groups.append({"node_group_id": ng_id, "status": "available",
                                "slots": config.get("Slots") or _slots(i, count), "node_group_members": members})
        group.configuration_endpoint = {"address": f"clustercfg.{domain}", "port": port}
    else:
        preferred = shape.get("preferred_cache_cluster_azs") or []
        count = shape.get("num_cache_clusters") or 1 + (shape.get("replicas_per_node_group") or 0)
        members = []
        for k in range(count):
            cid = f"{rid}-{k + 1:03d}"
            members.append({"cache_cluster_id": cid, "cache_node_id": "0001",
                            "read_endpoint": {"address": f"{cid}.{domain}", "port": port},
                            "preferred_availability_zone": preferred[k] if k < len(preferred) else zones[k % len(zones)],
                            "current_role": "primary" if k == 0 else "replica"})
        node_groups.append({"node_group_id": "0001", "status": "available", "node_group_members": members,
                            "primary_endpoint": {"address": f"master.{domain}", "port": port},
                            "reader_endpoint": {"address": f"replica.{domain}", "port": port}})
        group.__dict__.pop("configuration_endpoint", None)
    group.node_groups = node_groups
    group.member_clusters = [m["cache_cluster_id"] for ng in node_groups for m in ng["node_group_members"]]
    _snapshotting_cluster(group)
    _sync_members(backend, group)


def _snapshotting_cluster(group) -> None:
    # As moto: the first replica (the primary without one) takes the daily snapshot.
    members = group.member_clusters
    group.snapshotting_cluster_id = (members[1] if len(members) > 1 else members[0]) if group.snapshot_retention_limit else None


def _new_cluster(backend: ElastiCacheBackend, cluster_id: str, engine: str) -> CacheCluster:
    names = [p for p in inspect.signature(CacheCluster.__init__).parameters if p not in ("self", "account_id", "region_name")]
    kwargs: dict[str, Any] = dict.fromkeys(names)
    kwargs.update(cache_cluster_id=cluster_id, engine=engine)
    return CacheCluster(account_id=backend.account_id, region_name=backend.region_name, **kwargs)


def _sync_members(backend: ElastiCacheBackend, group) -> None:
    """Member clusters as DescribeCacheClusters shows them: the group's settings."""
    wanted = {m["cache_cluster_id"]: m for ng in group.node_groups for m in ng["node_group_members"]}
    for cid, cluster in list(backend.cache_clusters.items()):
        if getattr(cluster, "replication_group_id", None) == group.replication_group_id and cid not in wanted:
            del backend.cache_clusters[cid]
    for cid, member in wanted.items():
        cluster = backend.cache_clusters.get(cid) or _new_cluster(backend, cid, group.engine)
        cluster.replication_group_id = group.replication_group_id
        cluster.engine, cluster.engine_version = group.engine, group.engine_version
        cluster.cache_node_type = group.cache_node_type
        cluster.num_cache_nodes = 1
        cluster.port = group.port
        cluster.preferred_availability_zone = member["preferred_availability_zone"]
        cluster.preferred_maintenance_window = group.preferred_maintenance_window
        cluster.cache_parameter_group_name = group.cache_parameter_group_name
        cluster.cache_parameter_group = {"CacheParameterGroupName": group.cache_parameter_group_name,
                                         "ParameterApplyStatus": "in-sync", "CacheNodeIdsToReboot": []}
        cluster.cache_subnet_group_name = group.cache_subnet_group_name
        cluster.security_group_ids = list(group.security_group_ids or [])
        cluster.security_groups = [{"SecurityGroupId": s, "Status": "active"} for s in cluster.security_group_ids]
        cluster.snapshot_retention_limit = group.snapshot_retention_limit
        cluster.snapshot_window = group.snapshot_window
        cluster.auth_token_enabled = group.auth_token_enabled
        cluster.auth_token_last_modified_date = group.auth_token_last_modified_date
        cluster.transit_encryption_enabled = group.transit_encryption_enabled
        cluster.transit_encryption_mode = group.transit_encryption_mode
        cluster.at_rest_encryption_enabled = group.at_rest_encryption_enabled
        cluster.auto_minor_version_upgrade = group.auto_minor_version_upgrade
        cluster.replication_group_log_delivery_enabled = bool(group.log_delivery_configurations)
        cluster.network_type, cluster.ip_discovery = group.network_type, group.ip_discovery
        backend.cache_clusters[cid] = cluster


def _cluster_enabled(backend: ElastiCacheBackend, kwargs: dict[str, Any]) -> bool:
    name = kwargs.get("cache_parameter_group_name")
    params = get_cache_parameter_group(backend, name) if name else None
    return (
        kwargs.get("cluster_mode") == "enabled"
        or bool(params and (params.values.get("cluster-enabled") == "yes" or name.endswith(".cluster.on")))
        or (kwargs.get("num_node_groups") or 1) > 1
        or len(kwargs.get("node_group_configuration") or []) > 1
    )


SHAPE_KEYS = ("num_node_groups", "replicas_per_node_group", "num_cache_clusters",
              "preferred_cache_cluster_azs", "node_group_configuration")


def create_replication_group(self, **kwargs):
    if kwargs.get("cache_subnet_group_name"):
        self.describe_cache_subnet_groups(kwargs["cache_subnet_group_name"])  # must exist
    cluster = _cluster_enabled(self, kwargs)
    if cluster and kwargs.get("cluster_mode") != "compatible":
        kwargs["cluster_mode"] = "enabled"
    group = original(ElastiCacheBackend, "create_replication_group")(self, **kwargs)
    engine = group.engine
    group.cluster_enabled = cluster
    group.engine_version = kwargs.get("engine_version") or ("1.6.22" if engine == "memcached" else "7.1")
    group.cache_parameter_group_name = kwargs.get("cache_parameter_group_name") or _default_group_name(
        engine, group.engine_version, cluster
    )
    group.security_group_ids = list(kwargs.get("security_group_ids") or [])
    group.auth_token = kwargs.get("auth_token")  # kept to notice a change; never returned (no such field)
    group.port = kwargs.get("port") or DEFAULT_PORTS.get(engine, 6379)
    random_part = "".join(random.choices(string.ascii_lowercase + string.digits, k=6))
    group.domain = f"{group.replication_group_id}.{random_part}.{_region_code(self.region_name)}.cache.amazonaws.com"
    group.shape = {k: kwargs.get(k) for k in SHAPE_KEYS}
    _layout(self, group)
    return group


# ModifyReplicationGroup parameters kept under their own name on moto's ReplicationGroup.
STORED_AS_GIVEN = (
    "engine", "engine_version", "cache_node_type", "snapshot_retention_limit", "snapshot_window",
    "cache_parameter_group_name", "security_group_ids", "preferred_maintenance_window", "auto_minor_version_upgrade",
    "notification_topic_arn", "transit_encryption_enabled", "transit_encryption_mode", "ip_discovery", "cluster_mode",
    "cache_security_group_names",
)


def modify_replication_group(self, replication_group_id, **changes):
    """ModifyReplicationGroup, applied at once; ``changes`` use the API's parameter names in
    snake case; None means "not given"."""
    group = self.describe_replication_groups(replication_group_id)[0]
    changes = {k: v for k, v in changes.items() if v is not None}
    if "cache_parameter_group_name" in changes:
        get_cache_parameter_group(self, changes["cache_parameter_group_name"])  # must exist
    if "replication_group_description" in changes:
        group.description = changes["replication_group_description"]
    for key in STORED_AS_GIVEN:
        if key in changes:
            setattr(group, key, changes[key])
    if "automatic_failover_enabled" in changes:
        group.automatic_failover = "enabled" if changes["automatic_failover_enabled"] else "disabled"
    if "multi_az_enabled" in changes:
        group.multi_az = "enabled" if changes["multi_az_enabled"] else "disabled"
    if "auth_token" in changes or "auth_token_update_strategy" in changes:
        group.auth_token_enabled = changes.get("auth_token_update_strategy", "ROTATE").upper() != "DELETE"
        group.auth_token = changes.get("auth_token") if group.auth_token_enabled else None
        group.auth_token_last_modified_date = utcnow()
    if "log_delivery_configurations" in changes:
        group.log_delivery_configurations = group._get_log_delivery_configurations(changes["log_delivery_configurations"])
    group.user_group_ids = [u for u in group.user_group_ids if u not in changes.get("user_group_ids_to_remove", [])]
    group.user_group_ids += [u for u in changes.get("user_group_ids_to_add", []) if u not in group.user_group_ids]
    if "snapshotting_cluster_id" in changes:
        group.snapshotting_cluster_id = changes["snapshotting_cluster_id"]
    elif "snapshot_retention_limit" in changes:
        _snapshotting_cluster(group)
    _sync_members(self, group)
    return group


def delete_replication_group(self, replication_group_id, retain_primary_cluster=None):
    if replication_group_id not in self.replication_groups:
        raise ReplicationGroupNotFound(replication_group_id)
    group = self.replication_groups.pop(replication_group_id)
    group.status = "deleting"
    primary = group.member_clusters[0] if group.member_clusters and not group.cluster_enabled else None
    for cid in group.member_clusters:
        if retain_primary_cluster and cid == primary:
            self.cache_clusters[cid].replication_group_id = None
        else:
            self.cache_clusters.pop(cid, None)
    self.tagging_service.delete_all_tags_for_resource(group.arn)
    return group


# ------------------------------------------------------------------------------ responses

MODIFY_PARAMETERS = [
    "ReplicationGroupDescription", "PrimaryClusterId", "SnapshottingClusterId", "AutomaticFailoverEnabled",
    "MultiAZEnabled", "CacheSecurityGroupNames", "SecurityGroupIds", "PreferredMaintenanceWindow",
    "NotificationTopicArn", "CacheParameterGroupName", "Engine", "EngineVersion", "AutoMinorVersionUpgrade",
    "SnapshotRetentionLimit", "SnapshotWindow", "CacheNodeType", "AuthToken", "AuthTokenUpdateStrategy",
    "UserGroupIdsToAdd", "UserGroupIdsToRemove", "LogDeliveryConfigurations", "IpDiscovery",
    "TransitEncryptionEnabled", "TransitEncryptionMode", "ClusterMode",
]


def _modify_replication_group_response(self):
    changes = {xform_name(p): self.params.get(p) for p in MODIFY_PARAMETERS}
    group = self.elasticache_backend.modify_replication_group(self.params["ReplicationGroupId"], **changes)
    return ActionResult({"ReplicationGroup": group})


def _create_cache_parameter_group_response(self):
    group = create_cache_parameter_group(
        self.elasticache_backend, self.params["CacheParameterGroupName"], self.params["CacheParameterGroupFamily"],
        self.params["Description"], self.params.get("Tags"),
    )
    return ActionResult({"CacheParameterGroup": group})


def _describe_cache_parameter_groups_response(self):
    backend = self.elasticache_backend
    name = self.params.get("CacheParameterGroupName")
    groups = [get_cache_parameter_group(backend, name)] if name else list(_parameter_groups(backend).values())
    return ActionResult({"CacheParameterGroups": groups})


def _describe_cache_parameters_response(self):
    group = get_cache_parameter_group(self.elasticache_backend, self.params["CacheParameterGroupName"])
    return ActionResult({"Parameters": group.parameters(self.params.get("Source")), "CacheNodeTypeSpecificParameters": []})


def _modify_cache_parameter_group_response(self):
    values = {p["ParameterName"]: p["ParameterValue"] for p in self.params.get("ParameterNameValues", [])}
    group = modify_cache_parameter_group(self.elasticache_backend, self.params["CacheParameterGroupName"], values)
    return ActionResult({"CacheParameterGroupName": group.cache_parameter_group_name})


def _delete_cache_parameter_group_response(self):
    delete_cache_parameter_group(self.elasticache_backend, self.params["CacheParameterGroupName"])
    return EmptyResult()


def _modify_cache_subnet_group_response(self):
    group = modify_cache_subnet_group(
        self.elasticache_backend, self.params["CacheSubnetGroupName"],
        self.params.get("CacheSubnetGroupDescription"), self.params.get("SubnetIds"),
    )
    return ActionResult({"CacheSubnetGroup": group})


def _delete_cache_subnet_group_response(self):
    delete_cache_subnet_group(self.elasticache_backend, self.params["CacheSubnetGroupName"])
    return EmptyResult()


# ------------------------------------------------------------------- CloudFormation models


def _backend(account_id: str, region_name: str) -> ElastiCacheBackend:
    return elasticache_backends[account_id][region_name]


def _tags(props: dict[str, Any]) -> list[dict[str, str]]:
    return [{"Key": str(t["Key"]), "Value": str(t.get("Value", ""))} for t in props.get("Tags") or []]


def _retag(backend: ElastiCacheBackend, arn: str, props: dict[str, Any]) -> None:
    backend.tagging_service.delete_all_tags_for_resource(arn)
    backend.tagging_service.tag_resource(arn, _tags(props))


class _Handle:
    """A CloudFormation resource naming an object of moto's ElastiCache backend."""

    ATTRIBUTES: tuple[str, ...] = ()

    def __init__(self, name: str, account_id: str, region_name: str):
        self.name, self.account_id, self.region_name = name, account_id, region_name

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @property
    def backend(self) -> ElastiCacheBackend:
        return _backend(self.account_id, self.region_name)

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        raise UnformattedGetAttTemplateException()

    def delete(self, account_id: str, region_name: str) -> None:
        type(self).delete_from_cloudformation_json(self.name, {}, account_id, region_name)

    @classmethod
    def _replace(cls, old, new_resource_name, cloudformation_json, account_id, region_name):
        """A createOnly property changed: the engine should have replaced the resource. Called
        anyway, we create the new one and delete the old one, as a replacement does."""
        new = cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
        try:
            old.delete(account_id, region_name)
        except ElastiCacheException:
            pass  # still in use: CloudFormation deletes it in its cleanup phase, after the users moved
        return new


@model
class SubnetGroupResource(_Handle, CloudFormationModel):
    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ElastiCache::SubnetGroup"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "CacheSubnetGroupName"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        name = (props.get("CacheSubnetGroupName") or resource_name).lower()
        _backend(account_id, region_name).create_cache_subnet_group(
            cache_subnet_group_name=name, cache_subnet_group_description=props["Description"],
            subnet_ids=list(props["SubnetIds"]), tags=_tags(props),
        )
        return cls(name, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        if props.get("CacheSubnetGroupName") and props["CacheSubnetGroupName"].lower() != original_resource.name:
            return cls._replace(original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        backend = original_resource.backend
        group = modify_cache_subnet_group(backend, original_resource.name, props["Description"], list(props["SubnetIds"]))
        _retag(backend, group.arn, props)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        backend = _backend(account_id, region_name)
        if resource_name in backend.cache_subnet_groups:
            delete_cache_subnet_group(backend, resource_name)


@model
class ParameterGroupResource(_Handle, CloudFormationModel):
    ATTRIBUTES = ("CacheParameterGroupName",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ElastiCache::ParameterGroup"

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""  # CacheParameterGroupName is read-only: CloudFormation names the group

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        name = resource_name.lower()
        backend = _backend(account_id, region_name)
        create_cache_parameter_group(backend, name, props["CacheParameterGroupFamily"], props["Description"], _tags(props))
        modify_cache_parameter_group(backend, name, props.get("Properties") or {})
        return cls(name, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        backend = original_resource.backend
        group = get_cache_parameter_group(backend, original_resource.name)
        if props["CacheParameterGroupFamily"] != group.cache_parameter_group_family:
            fresh = f"{new_resource_name[:200]}-{random_suffix()}"  # the replacement gets a name of its own
            return cls._replace(original_resource, fresh, cloudformation_json, account_id, region_name)
        group.description = props["Description"]
        # A value left out of the template is reset to the engine default: no longer "user".
        modify_cache_parameter_group(backend, group.cache_parameter_group_name, props.get("Properties") or {}, reset=True)
        _retag(backend, group.arn, props)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        backend = _backend(account_id, region_name)
        if resource_name in _parameter_groups(backend):
            delete_cache_parameter_group(backend, resource_name)

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "CacheParameterGroupName":
            return self.name
        raise UnformattedGetAttTemplateException()


def _lower(value):
    return str(value).lower()


# CloudFormation property -> (CreateReplicationGroup argument, conversion of a given value).
REPLICATION_GROUP_PROPERTIES = {
    "ReplicationGroupDescription": ("replication_group_description", str),
    "GlobalReplicationGroupId": ("global_replication_group_id", str),
    "PrimaryClusterId": ("primary_cluster_id", str),
    "AutomaticFailoverEnabled": ("automatic_failover_enabled", as_bool),
    "MultiAZEnabled": ("multi_az_enabled", as_bool),
    "NumCacheClusters": ("num_cache_clusters", as_int),
    "PreferredCacheClusterAZs": ("preferred_cache_cluster_azs", list),
    "NumNodeGroups": ("num_node_groups", as_int),
    "ReplicasPerNodeGroup": ("replicas_per_node_group", as_int),
    "NodeGroupConfiguration": ("node_group_configuration", list),
    "CacheNodeType": ("cache_node_type", str),
    "Engine": ("engine", _lower),
    "EngineVersion": ("engine_version", str),
    "CacheParameterGroupName": ("cache_parameter_group_name", str),
    "CacheSubnetGroupName": ("cache_subnet_group_name", _lower),
    "CacheSecurityGroupNames": ("cache_security_group_names", list),
    "SecurityGroupIds": ("security_group_ids", list),
    "SnapshotArns": ("snapshot_arns", list),
    "SnapshotName": ("snapshot_name", str),
    "PreferredMaintenanceWindow": ("preferred_maintenance_window", _lower),
    "Port": ("port", as_int),
    "NotificationTopicArn": ("notification_topic_arn", str),
    "AutoMinorVersionUpgrade": ("auto_minor_version_upgrade", as_bool),
    "SnapshotRetentionLimit": ("snapshot_retention_limit", as_int),
    "SnapshotWindow": ("snapshot_window", str),
    "AuthToken": ("auth_token", str),
    "TransitEncryptionEnabled": ("transit_encryption_enabled", as_bool),
    "AtRestEncryptionEnabled": ("at_rest_encryption_enabled", as_bool),
    "KmsKeyId": ("kms_key_id", str),
    "UserGroupIds": ("user_group_ids", list),
    "LogDeliveryConfigurations": ("log_delivery_configurations", list),
    "DataTieringEnabled": ("data_tiering_enabled", as_bool),
    "NetworkType": ("network_type", str),
    "IpDiscovery": ("ip_discovery", str),
    "TransitEncryptionMode": ("transit_encryption_mode", str),
    "ClusterMode": ("cluster_mode", _lower),
}
# AWS's defaults for what a template leaves out (so that removing a property reverts it).
REPLICATION_GROUP_DEFAULTS = {
    "engine": "redis", "automatic_failover_enabled": False, "multi_az_enabled": False,
    "auto_minor_version_upgrade": True, "snapshot_retention_limit": 0, "transit_encryption_enabled": False,
}


# What a CloudFormation update passes on to ModifyReplicationGroup (None: left as it is).
UPDATE_ARGUMENTS = (
    "replication_group_description", "engine", "engine_version", "cache_node_type",
    "automatic_failover_enabled", "multi_az_enabled", "snapshot_retention_limit", "snapshot_window",
    "cache_parameter_group_name", "preferred_maintenance_window", "auto_minor_version_upgrade",
    "notification_topic_arn", "transit_encryption_enabled", "transit_encryption_mode", "ip_discovery",
    "auth_token", "cache_security_group_names",
)


def _replication_group_arguments(props: dict[str, Any]) -> dict[str, Any]:
    names = inspect.signature(original(ElastiCacheBackend, "create_replication_group")).parameters
    arguments: dict[str, Any] = {n: None for n in names if n != "self"}
    arguments.update(REPLICATION_GROUP_DEFAULTS)
    for prop, (argument, convert) in REPLICATION_GROUP_PROPERTIES.items():
        if props.get(prop) is not None:
            arguments[argument] = convert(props[prop])
    arguments["tags"] = _tags(props)
    return arguments


def _generated_group_id(resource_name: str) -> str:
    # ReplicationGroupId: at most 40 lower-case characters, not ending with a hyphen.
    return resource_name.lower()[:40].rstrip("-")


@model
class ReplicationGroupResource(_Handle, CloudFormationModel):
    ATTRIBUTES = (
        "ConfigurationEndPoint.Address", "ConfigurationEndPoint.Port",
        "PrimaryEndPoint.Address", "PrimaryEndPoint.Port",
        "ReaderEndPoint.Address", "ReaderEndPoint.Port",
        "ReadEndPoint.Addresses", "ReadEndPoint.Addresses.List",
        "ReadEndPoint.Ports", "ReadEndPoint.Ports.List",
    )

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ElastiCache::ReplicationGroup"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "ReplicationGroupId"

    @property
    def group(self):
        return self.backend.describe_replication_groups(self.name)[0]

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        arguments = _replication_group_arguments(props)
        arguments["replication_group_id"] = (props.get("ReplicationGroupId") or _generated_group_id(resource_name)).lower()
        _backend(account_id, region_name).create_replication_group(**arguments)
        return cls(arguments["replication_group_id"], account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        if props.get("ReplicationGroupId") and props["ReplicationGroupId"].lower() != original_resource.name:
            return cls._replace(original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        backend, group = original_resource.backend, original_resource.group
        arguments = _replication_group_arguments(props)
        if arguments["auth_token"] == group.auth_token:
            arguments["auth_token"] = None  # unchanged: no rotation
        elif arguments["auth_token"] is None:
            arguments["auth_token_update_strategy"] = "DELETE"
        if arguments["cache_parameter_group_name"] is None:
            version = arguments["engine_version"] or group.engine_version
            arguments["cache_parameter_group_name"] = _default_group_name(group.engine, version, group.cluster_enabled)
        changes = {k: arguments.get(k) for k in UPDATE_ARGUMENTS + ("auth_token_update_strategy",)}
        changes["security_group_ids"] = arguments["security_group_ids"] or []
        changes["log_delivery_configurations"] = arguments["log_delivery_configurations"] or []
        changes["user_group_ids_to_remove"] = [u for u in group.user_group_ids if u not in (arguments["user_group_ids"] or [])]
        changes["user_group_ids_to_add"] = arguments["user_group_ids"] or []
        backend.modify_replication_group(group.replication_group_id, **changes)
        shape = {k: arguments[k] for k in SHAPE_KEYS}
        if shape != group.shape:  # resharding / replica count: a new layout
            group.shape = shape
            _layout(backend, group)
        _retag(backend, group.arn, props)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        backend = _backend(account_id, region_name)
        if resource_name in backend.replication_groups:
            backend.delete_replication_group(resource_name, False)

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        group = self.group
        if group.cluster_enabled:
            endpoints = {"ConfigurationEndPoint": group.configuration_endpoint}
            members = []
        else:
            node_group = group.node_groups[0]
            endpoints = {"PrimaryEndPoint": node_group["primary_endpoint"], "ReaderEndPoint": node_group["reader_endpoint"]}
            members = [m["read_endpoint"] for m in node_group["node_group_members"]]
        head, _, tail = attribute_name.partition(".")
        if head in endpoints and tail in ("Address", "Port"):
            return str(endpoints[head][tail.lower()])
        if head == "ReadEndPoint" and members:
            field = "address" if tail.startswith("Addresses") else "port"
            values = [str(m[field]) for m in members]
            if tail in ("Addresses", "Ports"):
                return ",".join(values)
            if tail in ("Addresses.List", "Ports.List"):
                return values
        raise UnformattedGetAttTemplateException()


def install() -> None:
    replace(CacheSubnetGroup, "__init__", _subnet_group_init)
    for function in (create_replication_group, modify_replication_group, delete_replication_group):
        replace(ElastiCacheBackend, function.__name__, function)
    for function in (get_cache_parameter_group, create_cache_parameter_group, modify_cache_parameter_group,
                     delete_cache_parameter_group, modify_cache_subnet_group, delete_cache_subnet_group):
        replace(ElastiCacheBackend, function.__name__, function)
    responses = {
        "modify_replication_group": _modify_replication_group_response,
        "create_cache_parameter_group": _create_cache_parameter_group_response,
        "describe_cache_parameter_groups": _describe_cache_parameter_groups_response,
        "describe_cache_parameters": _describe_cache_parameters_response,
        "modify_cache_parameter_group": _modify_cache_parameter_group_response,
        "delete_cache_parameter_group": _delete_cache_parameter_group_response,
        "modify_cache_subnet_group": _modify_cache_subnet_group_response,
        "delete_cache_subnet_group": _delete_cache_subnet_group_response,
    }
    for name, function in responses.items():
        replace(ec_responses.ElastiCacheResponse, name, function)
