"""RDS through CloudFormation: AWS::RDS::DBSubnetGroup, AWS::RDS::DBParameterGroup and
AWS::RDS::DBInstance (primaries and read replicas), created in moto's RDS backend so that
DescribeDBInstances / DescribeDBParameters / DescribeDBSubnetGroups see the template's
properties. We patch moto's own model classes (the objects the RDS API serializes) with
``_cfn.replace``; ``_cfn.original`` keeps moto's code for the probe tests.

What AWS documents (CloudFormation Template Reference, RDS API Reference):
- DBSubnetGroup: Ref = DBSubnetGroupName (stored lower-case by RDS). DBParameterGroup: Ref =
  DBParameterGroupName (lower-case; generated when absent); ``Parameters`` are the user-set
  values DescribeDBParameters reports with Source "user".
- DBInstance: Ref = DBInstanceIdentifier; GetAtt Endpoint.Address, Endpoint.Port (a String),
  Endpoint.HostedZoneId, DBInstanceArn, DbiResourceId, MasterUserSecret.SecretArn.
  Updatable without replacement (ModifyDBInstance): everything but the schema's createOnly
  properties (DBInstanceIdentifier, DBName, DBSubnetGroupName, KmsKeyId, MasterUsername,
  StorageEncrypted, CharacterSetName, ...).
- A read replica (SourceDBInstanceIdentifier, an identifier or an ARN) inherits engine,
  encryption, master user and DB name from its source, and unless given its class, engine
  version, storage, port and subnet group; its VPC
  security groups default to the default group of the subnet group's VPC
  (CreateDBInstanceReadReplica, VpcSecurityGroupIds); backups are off unless set.
- An instance with DeletionProtection cannot be deleted (InvalidParameterCombination "Cannot
  delete protected DB Instance, please disable deletion protection and try again."), so a
  stack delete fails: moto's delete_db_instance already does this, we keep it.

Upstream issues (getmoto/moto), as we would file them
=====================================================

1. "CloudFormation: Ref of AWS::RDS::DBSubnetGroup and AWS::RDS::DBParameterGroup yields a
   Python object instead of the group name" -- moto 5.2.5, ``moto/rds/models.py``,
   ``DBSubnetGroup`` and ``DBParameterGroup`` define no ``physical_resource_id`` (and
   ``DBParameterGroup.cloudformation_name_type()`` returns "" so ``DBParameterGroupName`` is
   ignored). Reproduction::

       Resources:
         G: {Type: AWS::RDS::DBParameterGroup,
             Properties: {Description: d, Family: postgres15, Parameters: {rds.force_ssl: "1"}}}
       Outputs: {Name: {Value: !Ref G}}

   Expected (Template Reference, "Ref returns the name of the DB parameter group"): the
   output is the lower-case name. Actual: DescribeStacks answers 500 (the output is the
   object; ``parsing.clean_json`` returns the resource when it has no physical id).

2. "CloudFormation: AWS::RDS::DBInstance fails with 500 when DBSubnetGroupName or
   DBParameterGroupName is a string" -- moto 5.2.5, ``DBInstance.create_from_cloudformation_json``
   does ``db_subnet_group.name`` and passes the parameter group as given. With
   ``DBSubnetGroupName: !ImportValue x`` (or a literal): ``AttributeError: 'str' object has no
   attribute 'name'``; with ``DBParameterGroupName: !Ref G``: ``'DBParameterGroup' object has no
   attribute 'startswith'``. Expected: both properties are names (Type: String).

3. "CloudFormation: AWS::RDS::DBInstance drops most properties" -- moto 5.2.5,
   ``DBInstance.create_from_cloudformation_json`` reads ``VpcSecurityGroupIds`` (the property is
   ``VPCSecurityGroups``) and never forwards MaxAllocatedStorage, MonitoringInterval,
   MonitoringRoleArn, EnableCloudwatchLogsExports, DeletionProtection, EnablePerformanceInsights,
   PerformanceInsightsKMSKeyId, PerformanceInsightsRetentionPeriod, StorageThroughput,
   CACertificateIdentifier, OptionGroupName, ManageMasterUserPassword. Reproduction: a
   DBInstance with ``DeletionProtection: true, VPCSecurityGroups: [sg-1]``; DescribeDBInstances
   shows DeletionProtection false and the default VPC's default group. Expected: the template's
   values (Template Reference, AWS::RDS::DBInstance).

4. "RDS: Performance Insights settings are never stored nor returned" -- moto 5.2.5,
   ``DBInstance.__init__`` swallows EnablePerformanceInsights, PerformanceInsightsKMSKeyId and
   PerformanceInsightsRetentionPeriod (``**kwargs``) and has no ``performance_insights_enabled``.
   ``create_db_instance(..., EnablePerformanceInsights=True)`` then DescribeDBInstances: no
   PerformanceInsightsEnabled. Expected: PerformanceInsightsEnabled true, the key ARN and the
   retention period (7 by default) (RDS API Reference, DBInstance). Also ``DbiResourceId`` is
   the constant "db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U" for every instance (AWS: unique per instance).

5. "CloudFormation: AWS::RDS::DBInstance gets port 3306 whatever the engine" -- moto 5.2.5,
   ``create_from_cloudformation_json`` uses ``properties.get("Port", 3306)``. A postgres
   instance without Port: Endpoint.Port 3306. Expected: the engine's default (5432;
   CreateDBInstance, Port).

6. "CloudFormation: GetAtt Endpoint.Port of AWS::RDS::DBInstance is a number; DBInstanceArn,
   DbiResourceId and Endpoint.HostedZoneId are unsupported" -- moto 5.2.5,
   ``DBInstance.get_cfn_attribute`` returns ``self.port`` (int) and knows only the two Endpoint
   attributes. An output or a Lambda environment variable fed from it becomes a JSON number
   the SDKs cannot parse (Environment.Variables is a map of strings). Expected: strings, and
   the documented attributes.

7. "CloudFormation: updating an AWS::RDS::DBSubnetGroup, DBParameterGroup or DBInstance drops it
   from the stack" -- moto 5.2.5, none of the three has ``update_from_cloudformation_json``;
   ``parsing.parse_and_update_resource`` returns None and the resource leaves the stack while
   it stays in RDS. Expected: in-place ModifyDBSubnetGroup / ModifyDBParameterGroup /
   ModifyDBInstance for the properties the schema does not mark createOnly.

8. "RDS: a read replica shares mutable state with its source" -- moto 5.2.5,
   ``RDSBackend.create_db_instance_read_replica`` builds the replica with ``copy.copy(primary)``:
   its ``enabled_cloudwatch_logs_exports``, ``vpc_security_group_ids`` and ``tags`` lists are the
   primary's objects, and it inherits the primary's VPC security groups, deletion protection
   and backup retention. Reproduction: create a replica, then ModifyDBInstance on the primary
   with CloudwatchLogsExportConfiguration={"EnableLogTypes": ["upgrade"]}: the replica reports
   "upgrade" too. Expected: independent instances; documented defaults for the replica. (We
   build replicas ourselves and do not call it.)

9. "RDS: DescribeDBParameters ignores Source and never reports it" -- moto 5.2.5,
   ``RDSResponse.describe_db_parameters`` returns every stored parameter, without ``Source``.
   ``modify_db_parameter_group(...)`` then ``describe_db_parameters(Source="engine-default")``
   lists the user's values. Expected: user-set values carry Source "user" and the filter
   applies (RDS API Reference, DescribeDBParameters).

10. "RDS: a DB subnet group or DB parameter group in use can be deleted" -- moto 5.2.5,
   ``RDSBackend.delete_subnet_group`` / ``delete_db_parameter_group`` pop the group whatever
   uses it; the instance is left pointing at nothing and every DescribeDBInstances answers
   500 (KeyError). Reproduction: create_db_parameter_group("pg"), create_db_instance(...,
   DBParameterGroupName="pg"), delete_db_parameter_group("pg"), describe_db_instances().
   Expected: InvalidDBParameterGroupState / InvalidDBSubnetGroupStateFault (DeleteDBParameterGroup,
   DeleteDBSubnetGroup), the groups stay.

11. "CloudFormation: AWS::RDS::DBInstance ignores AssociatedRoles; RemoveRoleFromDBInstance is
   not implemented" -- moto 5.2.5, ``DBInstance.create_from_cloudformation_json`` never reads
   AssociatedRoles, and ``RDSResponse`` has ``add_role_to_db_instance`` but no
   ``remove_role_from_db_instance``. Reproduction: a DBInstance with ``AssociatedRoles:
   [{RoleArn: <role>, FeatureName: Lambda}]``, then DescribeDBInstances; and
   ``remove_role_from_db_instance(DBInstanceIdentifier=…, RoleArn=…, FeatureName="Lambda")``.
   Expected (Template Reference, AWS::RDS::DBInstance AssociatedRoles, updatable without
   interruption; RDS API Reference, DBInstanceRole: Status ACTIVE once associated;
   RemoveRoleFromDBInstance, DBInstanceRoleNotFound when the role is not associated for
   that feature; AddRoleToDBInstance: one role per feature, DBInstanceRoleAlreadyExists):
   the instance lists the role with Status ACTIVE; the removal succeeds. Actual: no
   AssociatedRoles; the removal answers that the action is not implemented.

Still not emulated: engine-default parameters (a group lists only user-set values); pending
modifications and maintenance windows (every change applies at once, ApplyImmediately or
not); DeletionPolicy Snapshot (the engine's business: delete is delete); the GetAtt
CertificateDetails.*; storage autoscaling; cross-region replicas; validation of instance classes, engine
versions, zones and parameter names.
"""

import random
import string
from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.ec2.models import ec2_backends
from moto.rds import responses as rds_responses
from moto.core.responses import EmptyResult
from moto.rds.exceptions import (
    DBInstanceAlreadyExists,
    DBInstanceRoleAlreadyExists,
    DBParameterGroupNotFoundError,
    RDSClientError,
)
from moto.rds.models import AssociatedRole, DBInstance, DBParameterGroup, DBSubnetGroup, RDSBackend, rds_backends

from ._cfn import as_bool, as_int, original, properties, replace

# Route 53 hosted zone of RDS endpoints, per region (AWS General Reference, RDS endpoints).
HOSTED_ZONES = {"eu-central-1": "Z1RLNUO7B9Q6NB", "us-east-1": "Z2R2ITUGPM61AM"}
DEFAULT_CA = "rds-ca-rsa2048-g1"


def _backend(account_id: str, region_name: str):
    return rds_backends[account_id][region_name]


def _tags(props: dict[str, Any]) -> list[dict[str, str]]:
    return [{"Key": str(t["Key"]), "Value": str(t.get("Value", ""))} for t in props.get("Tags") or []]


# --------------------------------------------------------------------------- subnet groups


def _subnet_group_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = properties(cloudformation_json)
    name = (props.get("DBSubnetGroupName") or resource_name).lower()
    ec2 = ec2_backends[account_id][region_name]
    subnets = [ec2.get_subnet(s) for s in props["SubnetIds"]]
    return _backend(account_id, region_name).create_subnet_group(
        name, props["DBSubnetGroupDescription"], subnets, _tags(props)
    )


def _subnet_group_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = properties(cloudformation_json)
    if props.get("DBSubnetGroupName") and props["DBSubnetGroupName"].lower() != original_resource.name:
        return _replace(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
    ec2 = ec2_backends[account_id][region_name]
    group = original_resource
    group.description = props["DBSubnetGroupDescription"]
    group.subnets = [ec2.get_subnet(s) for s in props["SubnetIds"]]
    group.vpc_id = group._subnets[0].vpc_id
    group.tags = _tags(props)
    return group


def _subnet_group_delete_json(cls, resource_name, cloudformation_json, account_id, region_name):
    backend = _backend(account_id, region_name)
    if resource_name.lower() in backend.subnet_groups:
        backend.delete_subnet_group(resource_name.lower())


# ------------------------------------------------------------------------ parameter groups


def _user_parameters(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        str(k): {"ParameterName": str(k), "ParameterValue": str(v), "Source": "user"}
        for k, v in (values or {}).items()
    }


def _parameter_group_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = properties(cloudformation_json)
    group = _backend(account_id, region_name).create_db_parameter_group(
        {
            "db_parameter_group_name": (props.get("DBParameterGroupName") or resource_name).lower(),
            "description": props.get("Description"),
            "db_parameter_group_family": props.get("Family"),
            "tags": _tags(props),
        }
    )
    group.parameters.update(_user_parameters(props.get("Parameters")))
    return group


def _parameter_group_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = properties(cloudformation_json)
    group = original_resource
    if props.get("DBParameterGroupName") and props["DBParameterGroupName"].lower() != group.name:
        return _replace(cls, group, new_resource_name, cloudformation_json, account_id, region_name)
    # A parameter left out of the template is reset to its engine default: no longer "user".
    group.parameters.clear()
    group.parameters.update(_user_parameters(props.get("Parameters")))
    group.tags = _tags(props)
    return group


def _parameter_group_delete_json(cls, resource_name, cloudformation_json, account_id, region_name):
    backend = _backend(account_id, region_name)
    if resource_name.lower() in backend.db_parameter_groups:
        backend.delete_db_parameter_group(resource_name.lower())


def _update_parameters(self, new_parameters):
    # ModifyDBParameterGroup: what the user sets is Source "user" (issue 9).
    for new_parameter in new_parameters:
        parameter = self.parameters[new_parameter["ParameterName"]]
        parameter.update(new_parameter)
        parameter.setdefault("Source", "user")


def _describe_db_parameters(self):
    result = original(rds_responses.RDSResponse, "describe_db_parameters")(self)
    source = self.params.get("Source")
    if source:
        result.result["Parameters"] = [p for p in result.result["Parameters"] if p.get("Source") == source]
    return result


def _users(backend: RDSBackend, attribute: str, name: str) -> list[str]:
    return [i for i, db in backend.databases.items() if getattr(db, attribute, None) == name]


def _delete_db_parameter_group(self, db_parameter_group_name):
    users = _users(self, "db_parameter_group_name", db_parameter_group_name)
    if users:  # issue 10
        raise RDSClientError("InvalidDBParameterGroupState", f"One or more database instances are still members of "
                             f"this parameter group {db_parameter_group_name}, so the group cannot be deleted")
    return original(RDSBackend, "delete_db_parameter_group")(self, db_parameter_group_name)


def _delete_subnet_group(self, subnet_name):
    users = _users(self, "_db_subnet_group_name", subnet_name)
    if users:  # issue 10
        raise RDSClientError("InvalidDBSubnetGroupStateFault", f"Cannot delete the subnet group '{subnet_name}' "
                             f"because at least one database instance: {users[0]} is still using it.")
    return original(RDSBackend, "delete_subnet_group")(self, subnet_name)


# ----------------------------------------------------------------------------- instances


def _instance_kwargs(props: dict[str, Any], identifier: str, replica: bool) -> dict[str, Any]:
    """DBInstance constructor arguments from template properties, with AWS's defaults for
    what the template leaves out (so that an update removing a property reverts it)."""
    subnet_group = props.get("DBSubnetGroupName")
    pi = as_bool(props.get("EnablePerformanceInsights"))
    manage = as_bool(props.get("ManageMasterUserPassword"))
    kwargs = {
        "db_instance_identifier": identifier,
        "db_instance_class": props.get("DBInstanceClass"),
        "engine": props.get("Engine"),
        "engine_version": props.get("EngineVersion"),
        "port": as_int(props.get("Port")),
        "allocated_storage": as_int(props.get("AllocatedStorage")),
        "max_allocated_storage": as_int(props.get("MaxAllocatedStorage")),
        "backup_retention_period": as_int(props.get("BackupRetentionPeriod"), 0 if replica else 1),
        "preferred_backup_window": props.get("PreferredBackupWindow"),
        "preferred_maintenance_window": (props.get("PreferredMaintenanceWindow") or "").lower() or None,
        "auto_minor_version_upgrade": as_bool(props.get("AutoMinorVersionUpgrade"), True),
        "availability_zone": props.get("AvailabilityZone"),
        "multi_az": as_bool(props.get("MultiAZ")),
        "db_name": props.get("DBName"),
        "db_subnet_group_name": subnet_group.lower() if subnet_group else None,
        "db_parameter_group_name": (props.get("DBParameterGroupName") or "").lower() or None,
        "db_security_groups": props.get("DBSecurityGroups") or [],
        "vpc_security_group_ids": list(props.get("VPCSecurityGroups") or []),
        "option_group_name": props.get("OptionGroupName"),
        "master_username": props.get("MasterUsername"),
        "master_user_password": props.get("MasterUserPassword"),
        "manage_master_user_password": manage,
        "master_user_secret_kms_key_id": (props.get("MasterUserSecret") or {}).get("KmsKeyId"),
        "storage_type": props.get("StorageType"),
        "iops": as_int(props.get("Iops")),
        "storage_throughput": as_int(props.get("StorageThroughput")),
        "storage_encrypted": as_bool(props.get("StorageEncrypted")),
        "kms_key_id": props.get("KmsKeyId"),
        "publicly_accessible": as_bool(props.get("PubliclyAccessible")),
        "copy_tags_to_snapshot": as_bool(props.get("CopyTagsToSnapshot")),
        "deletion_protection": as_bool(props.get("DeletionProtection")),
        "enable_cloudwatch_logs_exports": list(props.get("EnableCloudwatchLogsExports") or []),
        "ca_certificate_identifier": props.get("CACertificateIdentifier") or DEFAULT_CA,
        "monitoring_interval": as_int(props.get("MonitoringInterval"), 0),
        "monitoring_role_arn": props.get("MonitoringRoleArn"),
        "enable_performance_insights": pi,
        "performance_insights_kms_key_id": props.get("PerformanceInsightsKMSKeyId") if pi else None,
        "performance_insights_retention_period": as_int(props.get("PerformanceInsightsRetentionPeriod"), 7) if pi else None,
        "enable_iam_database_authentication": as_bool(props.get("EnableIAMDatabaseAuthentication")),
        "license_model": props.get("LicenseModel"),
        "character_set_name": props.get("CharacterSetName"),
        "tags": _tags(props),
    }
    return {k: v for k, v in kwargs.items() if v is not None}


def _associate_roles(db: DBInstance, props: dict[str, Any]) -> None:
    """AssociatedRoles as AddRoleToDBInstance leaves them: one role per feature and each role
    once (DBInstanceRoleAlreadyExists), Status ACTIVE (issue 11)."""
    roles = [(r["RoleArn"], r["FeatureName"]) for r in props.get("AssociatedRoles") or []]
    for i, (arn, feature) in enumerate(roles):
        for other_arn, other_feature in roles[:i]:
            if feature == other_feature:
                raise DBInstanceRoleAlreadyExists(f"Feature {feature} is already assigned to {db.db_instance_identifier}")
            if arn == other_arn:
                raise DBInstanceRoleAlreadyExists(f"Role {arn} is already assigned to {db.db_instance_identifier}")
    db._associated_roles = [AssociatedRole(role_arn=arn, feature_name=feature) for arn, feature in roles]


def _remove_role_from_db_instance(self, db_instance_identifier: str, role_arn: str, feature_name: str | None) -> None:
    """RemoveRoleFromDBInstance (issue 11): DBInstanceRoleNotFound unless the role is
    associated (for ``feature_name``, when given)."""
    db = self.describe_db_instances(db_instance_identifier)[0]
    kept = [
        r for r in db._associated_roles
        if not (r.role_arn == role_arn and (feature_name is None or r.feature_name == feature_name))
    ]  # fmt: skip
    if len(kept) == len(db._associated_roles):
        raise RDSClientError(
            "DBInstanceRoleNotFound",
            f"Role {role_arn} is not associated with DB instance {db_instance_identifier}"
            + (f" for feature {feature_name}" if feature_name else ""),
        )
    db._associated_roles = kept


def _remove_role_response(self):
    self.backend.remove_role_from_db_instance(
        db_instance_identifier=self.params.get("DBInstanceIdentifier"),
        role_arn=self.params.get("RoleArn"),
        feature_name=self.params.get("FeatureName"),
    )
    return EmptyResult()


def _source_id(source: str) -> str:
    """A replica's source, given as an identifier or an ARN (same region)."""
    return source.split(":")[-1].lower() if source.startswith("arn:") else source.lower()


def _default_security_group(db: DBInstance) -> list[str]:
    """The default group of the subnet group's VPC (of the default VPC without one)."""
    ec2 = ec2_backends[db.account_id][db.region]
    subnet_group = getattr(db, "db_subnet_group", None)
    group = ec2.get_default_security_group(subnet_group.vpc_id if subnet_group else None)
    return [group.id] if group else []


def _create_replica(backend, props: dict[str, Any], identifier: str) -> DBInstance:
    source_id = _source_id(props["SourceDBInstanceIdentifier"])
    primary = backend.find_db_from_id(source_id)
    if identifier in backend.databases:
        raise DBInstanceAlreadyExists()
    backend._validate_db_identifier(identifier)
    kwargs = _instance_kwargs(props, identifier, replica=True)
    # What a replica takes from its source (CreateDBInstanceReadReplica): always, or unless given.
    always = {
        "engine": primary.engine, "storage_encrypted": primary.storage_encrypted, "kms_key_id": primary.kms_key_id,
        "master_username": primary.master_username, "db_name": primary.db_name,
        "license_model": primary.license_model, "character_set_name": primary.character_set_name,
    }
    defaults = {
        "engine_version": primary.engine_version, "db_instance_class": primary.db_instance_class,
        "port": primary.port, "allocated_storage": primary.allocated_storage, "storage_type": primary.storage_type,
        "iops": primary.iops, "storage_throughput": primary.storage_throughput,
        "db_subnet_group_name": primary._db_subnet_group_name, "preferred_backup_window": primary.preferred_backup_window,
    }
    kwargs = {**defaults, **kwargs, **always}
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    kwargs.pop("master_user_password", None)
    kwargs["source_db_instance_identifier"] = primary.db_instance_identifier
    replica = DBInstance(backend, **kwargs)
    if not props.get("VPCSecurityGroups"):
        replica.vpc_security_group_ids = _default_security_group(replica)
    replica.is_replica = True
    replica.status_infos = [{"StatusType": "read replication", "Normal": True, "Status": "replicating"}]
    backend.databases[identifier] = replica
    primary.add_replica(replica)
    replica.add_event("DB_INSTANCE_CREATE")
    _associate_roles(replica, props)
    return replica


def _generated_identifier(resource_name: str) -> str:
    # CloudFormation's generated identifiers are lower-case and at most 63 characters.
    return resource_name.replace("_", "-").lower()[:63].rstrip("-")


def _instance_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = properties(cloudformation_json)
    identifier = (props.get("DBInstanceIdentifier") or _generated_identifier(resource_name)).lower()
    backend = _backend(account_id, region_name)
    if props.get("SourceDBInstanceIdentifier"):
        return _create_replica(backend, props, identifier)
    db_kwargs = _instance_kwargs(props, identifier, replica=False)
    db = backend.create_db_instance(db_kwargs)
    if not props.get("VPCSecurityGroups"):
        db.vpc_security_group_ids = _default_security_group(db)
    _associate_roles(db, props)
    return db


# Properties ModifyDBInstance changes in place (attribute names as DBInstance has them).
UPDATABLE = [
    "db_instance_class", "engine_version", "port", "backup_retention_period",
    "preferred_backup_window", "preferred_maintenance_window", "auto_minor_version_upgrade",
    "availability_zone", "multi_az", "db_security_groups", "option_group_name",
    "storage_type", "iops", "storage_throughput", "publicly_accessible", "copy_tags_to_snapshot", "deletion_protection",
    "ca_certificate_identifier", "monitoring_interval", "monitoring_role_arn",
    "enable_performance_insights", "performance_insights_kms_key_id",
    "performance_insights_retention_period", "enable_iam_database_authentication",
]
# Left out of the template, these keep their current value (AWS chose it at creation).
KEEP_WHEN_ABSENT = {
    "engine_version", "port", "preferred_backup_window", "preferred_maintenance_window",
    "availability_zone", "option_group_name", "storage_type", "iops", "storage_throughput",
}


def _instance_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = properties(cloudformation_json)
    db: DBInstance = original_resource
    name = props.get("DBInstanceIdentifier")
    if name and name.lower() != db.db_instance_identifier:
        return _replace(cls, db, new_resource_name, cloudformation_json, account_id, region_name)
    backend = _backend(account_id, region_name)
    new = _instance_kwargs(props, db.db_instance_identifier, replica=db.is_replica)
    group = new.get("db_parameter_group_name")
    if group and not db.is_default_parameter_group(group) and group not in backend.db_parameter_groups:
        raise DBParameterGroupNotFoundError(group)
    db.db_parameter_group_name = group
    for key in UPDATABLE:
        if key in new or key not in KEEP_WHEN_ABSENT:
            setattr(db, key, new.get(key))
    if "allocated_storage" in new:
        db.allocated_storage = new["allocated_storage"]
    db.max_allocated_storage = new.get("max_allocated_storage", db.allocated_storage)
    db.vpc_security_group_ids = new["vpc_security_group_ids"] or _default_security_group(db)
    db.enabled_cloudwatch_logs_exports = new["enable_cloudwatch_logs_exports"]
    db.tags = new["tags"]
    _associate_roles(db, props)
    if new["manage_master_user_password"] != bool(db.manage_master_user_password):
        # Turning ManageMasterUserPassword on creates the secret, off deletes it (ModifyDBInstance).
        db.update(manage_master_user_password=new["manage_master_user_password"],
                  master_user_secret_kms_key_id=new.get("master_user_secret_kms_key_id"))
    if "master_user_password" in new and not db.manage_master_user_password:
        db.master_user_password = new["master_user_password"]
    if db.is_replica and not props.get("SourceDBInstanceIdentifier"):
        # Removing SourceDBInstanceIdentifier promotes the replica (Template Reference).
        backend.find_db_from_id(db.source_db_instance_identifier).remove_replica(db)
        db.is_replica = False
        db.source_db_instance_identifier = None
        db.status_infos = []
    return db


def _instance_delete_json(cls, resource_name, cloudformation_json, account_id, region_name):
    _backend(account_id, region_name).delete_db_instance(resource_name.lower())


def _replace(cls, old, new_resource_name, cloudformation_json, account_id, region_name):
    """A createOnly name changed: the engine should have replaced the resource. Called anyway,
    we create the new one and delete the old one, as CloudFormation's replacement does."""
    new = cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
    try:
        old.delete(account_id, region_name)
    except RDSClientError:
        pass  # still in use (issue 10): CloudFormation deletes it in its cleanup phase, after the users moved
    return new


def _has_instance_attr(cls, attr):
    return attr in INSTANCE_ATTRIBUTES


def _instance_attribute(self, attribute_name):
    if attribute_name == "Endpoint.Address":
        return self.address
    if attribute_name == "Endpoint.Port":
        return str(self.port)
    if attribute_name == "Endpoint.HostedZoneId" and self.region in HOSTED_ZONES:
        return HOSTED_ZONES[self.region]
    if attribute_name == "DBInstanceArn":
        return self.db_instance_arn
    if attribute_name == "DbiResourceId":
        return self.dbi_resource_id
    if attribute_name == "MasterUserSecret.SecretArn" and getattr(self, "master_user_secret", None):
        return self.master_user_secret.secret_arn
    raise UnformattedGetAttTemplateException()


INSTANCE_ATTRIBUTES = [
    "Endpoint.Address", "Endpoint.Port", "Endpoint.HostedZoneId",
    "DBInstanceArn", "DbiResourceId", "MasterUserSecret.SecretArn",
]


def _group_attribute(kind: str):
    def get(self, attribute_name):
        if attribute_name == f"{kind}Arn":
            return self.arn
        raise UnformattedGetAttTemplateException()

    return get


def _instance_init(self, *args, **kwargs):
    original(DBInstance, "__init__")(self, *args, **kwargs)
    # Issue 4: Performance Insights and a per-instance resource id.
    self.enable_performance_insights = as_bool(kwargs.get("enable_performance_insights"))
    self.performance_insights_kms_key_id = kwargs.get("performance_insights_kms_key_id")
    retention = kwargs.get("performance_insights_retention_period")
    self.performance_insights_retention_period = retention or (7 if self.enable_performance_insights else None)
    self.dbi_resource_id = "db-" + "".join(random.choices(string.ascii_uppercase + string.digits, k=26))


def _performance_insights_enabled(self):
    return bool(getattr(self, "enable_performance_insights", False))


def install() -> None:
    # Subnet groups.
    replace(DBSubnetGroup, "physical_resource_id", lambda self: self.name, kind="property")
    replace(DBSubnetGroup, "create_from_cloudformation_json", _subnet_group_create, kind="classmethod")
    replace(DBSubnetGroup, "update_from_cloudformation_json", _subnet_group_update, kind="classmethod")
    replace(DBSubnetGroup, "delete_from_cloudformation_json", _subnet_group_delete_json, kind="classmethod")
    replace(DBSubnetGroup, "has_cfn_attr", lambda cls, attr: attr == "DBSubnetGroupArn", kind="classmethod")
    replace(DBSubnetGroup, "get_cfn_attribute", _group_attribute("DBSubnetGroup"))
    # Parameter groups.
    replace(DBParameterGroup, "physical_resource_id", lambda self: self.name, kind="property")
    replace(DBParameterGroup, "cloudformation_name_type", lambda: "DBParameterGroupName", kind="staticmethod")
    replace(DBParameterGroup, "create_from_cloudformation_json", _parameter_group_create, kind="classmethod")
    replace(DBParameterGroup, "update_from_cloudformation_json", _parameter_group_update, kind="classmethod")
    replace(DBParameterGroup, "delete_from_cloudformation_json", _parameter_group_delete_json, kind="classmethod")
    replace(DBParameterGroup, "has_cfn_attr", lambda cls, attr: attr == "DBParameterGroupArn", kind="classmethod")
    replace(DBParameterGroup, "get_cfn_attribute", _group_attribute("DBParameterGroup"))
    replace(DBParameterGroup, "update_parameters", _update_parameters)
    replace(RDSBackend, "delete_db_parameter_group", _delete_db_parameter_group)
    replace(RDSBackend, "delete_subnet_group", _delete_subnet_group)
    replace(rds_responses.RDSResponse, "describe_db_parameters", _describe_db_parameters)
    replace(RDSBackend, "remove_role_from_db_instance", _remove_role_from_db_instance)
    replace(rds_responses.RDSResponse, "remove_role_from_db_instance", _remove_role_response)
    # Instances.
    replace(DBInstance, "__init__", _instance_init)
    replace(DBInstance, "performance_insights_enabled", _performance_insights_enabled, kind="property")
    replace(DBInstance, "create_from_cloudformation_json", _instance_create, kind="classmethod")
    replace(DBInstance, "update_from_cloudformation_json", _instance_update, kind="classmethod")
    replace(DBInstance, "delete_from_cloudformation_json", _instance_delete_json, kind="classmethod")
    replace(DBInstance, "has_cfn_attr", _has_instance_attr, kind="classmethod")
    replace(DBInstance, "get_cfn_attribute", _instance_attribute)
