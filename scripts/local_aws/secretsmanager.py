"""Secrets Manager: ``AWS::SecretsManager::Secret`` and
``AWS::SecretsManager::SecretTargetAttachment`` through CloudFormation, created in moto's
Secrets Manager backend (DescribeSecret / GetSecretValue see them).

Upstream issue (as we would file it at getmoto/moto):

**No CloudFormation support for AWS::SecretsManager::Secret and SecretTargetAttachment**
(gaps row 3). moto 5.2.5: ``moto/secretsmanager/models.py`` defines no CloudFormationModel,
so ``moto/cloudformation/parsing.py`` ``resource_class_from_type`` logs "No Moto
CloudFormation support" and the resource becomes a placeholder. Reproduction (CreateStack)::

    {"Resources": {"S": {"Type": "AWS::SecretsManager::Secret", "Properties": {
        "Name": "app/db", "GenerateSecretString": {"SecretStringTemplate": "{\\"username\\":\\"app\\"}",
        "GenerateStringKey": "password", "PasswordLength": 32}}}},
     "Outputs": {"Arn": {"Value": {"Ref": "S"}}}}

Expected (Template Reference, AWS::SecretsManager::Secret and SecretTargetAttachment):
the secret exists (DescribeSecret, GetSecretValue), its value is the template with a
password generated as GetRandomPassword does; Ref and ``Fn::GetAtt Id`` return the secret
ARN; a SecretTargetAttachment adds the database connection details (engine, host, port,
dbInstanceIdentifier / dbClusterIdentifier, per "JSON structure of Secrets Manager
secrets") to the secret and its Ref returns the secret ARN. Actual: nothing is created,
Ref yields an empty string, ``Fn::GetAtt`` in Outputs makes DescribeStacks answer 500.

Behaviour chosen from the documentation:
- GenerateSecretString defaults are GetRandomPassword's (length 32, every character type,
  RequireEachIncludedType true); the value is compact JSON. A changed GenerateSecretString or
  SecretString creates a new version (AWSCURRENT); an unchanged one is left alone.
- Deleting the resource deletes the secret without recovery window: that is what
  CloudFormation does for this type (DeletionPolicy docs; cloudformation-coverage-roadmap
  #838 and #1999 ask for a recovery window).
- SecretTargetAttachment writes ``engine`` as RDS reports it (DescribeDBInstances /
  DescribeDBClusters; ``mongo`` for DocumentDB, ``redshift`` for Redshift) and ``port`` as a
  JSON number; removing the attachment removes those keys again (a PutSecretValue).

Not emulated: ReplicaRegions (ignored), Type (managed external secrets), stack-level tags,
the ``aws:cloudformation:*`` tags AWS adds, KMS encryption itself.
"""

import json
import time

from moto.cloudformation.exceptions import ValidationError
from moto.core.common_models import CloudFormationModel
from moto.rds.models import rds_backends
from moto.redshift.models import redshift_backends
from moto.secretsmanager.models import secretsmanager_backends

from ._cfn import Resource, as_bool, as_int, model, properties, tags_to_dict

# GetRandomPassword's parameters and defaults (Secrets Manager API reference).
PASSWORD_DEFAULTS = {
    "PasswordLength": 32,
    "ExcludeCharacters": "",
    "ExcludeNumbers": False,
    "ExcludePunctuation": False,
    "ExcludeUppercase": False,
    "ExcludeLowercase": False,
    "IncludeSpace": False,
    "RequireEachIncludedType": True,
}


def _backend(account_id, region_name):
    return secretsmanager_backends[account_id][region_name]


def _tags(props):
    tags = tags_to_dict(props.get("Tags"))
    return [{"Key": k, "Value": v} for k, v in tags.items()] or None


def _generate(backend, spec):
    opts = {name: spec.get(name, default) for name, default in PASSWORD_DEFAULTS.items()}
    password = json.loads(
        backend.get_random_password(
            password_length=as_int(opts["PasswordLength"]),
            exclude_characters=opts["ExcludeCharacters"],
            exclude_numbers=as_bool(opts["ExcludeNumbers"]),
            exclude_punctuation=as_bool(opts["ExcludePunctuation"]),
            exclude_uppercase=as_bool(opts["ExcludeUppercase"]),
            exclude_lowercase=as_bool(opts["ExcludeLowercase"]),
            include_space=as_bool(opts["IncludeSpace"]),
            require_each_included_type=as_bool(opts["RequireEachIncludedType"]),
        )
    )["RandomPassword"]
    template, key = spec.get("SecretStringTemplate"), spec.get("GenerateStringKey")
    if (template is None) != (key is None):
        raise ValidationError(message="GenerateSecretString: SecretStringTemplate and GenerateStringKey go together")
    if template is None:
        return password
    value = json.loads(template)
    if not isinstance(value, dict):
        raise ValidationError(message="GenerateSecretString: SecretStringTemplate must be a JSON object")
    value[key] = password
    return json.dumps(value, separators=(",", ":"))


def _value(backend, props):
    """The secret value the template asks for, or None for an empty secret."""
    if "SecretString" in props and "GenerateSecretString" in props:
        raise ValidationError(message="AWS::SecretsManager::Secret: specify SecretString or GenerateSecretString, not both")
    if "GenerateSecretString" in props:
        return _generate(backend, props["GenerateSecretString"] or {})
    return props.get("SecretString")


def _kms_key(backend, props):
    """Without KmsKeyId Secrets Manager uses aws/secretsmanager, and DescribeSecret omits the key."""
    return props.get("KmsKeyId") or backend.DEFAULT_KMS_KEY_ALIAS


def _put_value(backend, secret_id, value):
    backend.put_secret_value(
        secret_id=secret_id, secret_string=value, secret_binary=None,
        client_request_token=None, version_stages=["AWSCURRENT"],
    )


@model
class Secret(Resource, CloudFormationModel):
    """A CloudFormation-managed secret; the secret itself lives in moto's backend."""

    TYPE = "AWS::SecretsManager::Secret"
    NAME_PROPERTY = "Name"
    REF = "arn"
    ATTRIBUTES = {"Id": "arn"}

    def __init__(self, arn, name, props):
        self.arn = arn
        self.name = name
        self.props = props  # resolved properties of the last create/update: what changed?

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        backend = _backend(account_id, region_name)
        created = backend.create_secret(
            name=props.get("Name") or resource_name,
            secret_string=_value(backend, props),
            secret_binary=None,
            description=props.get("Description"),
            tags=_tags(props),
            kms_key_id=_kms_key(backend, props),
            client_request_token=None,
            replica_regions=[],
            force_overwrite=False,
        )
        secret = json.loads(created)
        return cls(secret["ARN"], secret["Name"], props)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        if props.get("Name", original_resource.name) != original_resource.name:
            raise ValidationError(
                message=f"{cls.cloudformation_type()} {original_resource.name}: Name is create-only (replacement)")
        backend = _backend(account_id, region_name)
        secret = backend.describe_secret(original_resource.arn)
        secret.description = props.get("Description")
        secret.kms_key_id = _kms_key(backend, props)
        secret.tags = _tags(props)
        secret.last_changed_date = int(time.time())
        old = original_resource.props
        if (props.get("SecretString"), props.get("GenerateSecretString")) != (
            old.get("SecretString"), old.get("GenerateSecretString")
        ):
            value = _value(backend, props)
            if value is not None:
                _put_value(backend, secret.name, value)
        original_resource.props = props
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        backend = _backend(account_id, region_name)
        if resource_name in backend.secrets:
            backend.delete_secret(resource_name, recovery_window_in_days=None, force_delete_without_recovery=True)


def _last_part(identifier):
    """TargetId is the database's id; accept its ARN too."""
    return identifier.rsplit(":", 1)[-1]


def _connection(target_type, target_id, account_id, region_name):
    """The keys a SecretTargetAttachment adds for each documented TargetType."""
    rds = rds_backends[account_id][region_name]
    ident = _last_part(target_id)
    if target_type in ("AWS::RDS::DBInstance", "AWS::DocDB::DBInstance"):
        db = rds.databases.get(ident)
        if db is None:
            raise ValidationError(message=f"SecretTargetAttachment: DB instance {ident} not found")
        engine = "mongo" if target_type.startswith("AWS::DocDB") else db.engine
        return {"engine": engine, "host": db.address, "port": int(db.port),
                "dbInstanceIdentifier": db.db_instance_identifier}
    if target_type in ("AWS::RDS::DBCluster", "AWS::DocDB::DBCluster"):
        cluster = rds.clusters.get(ident)
        if cluster is None:
            raise ValidationError(message=f"SecretTargetAttachment: DB cluster {ident} not found")
        engine = "mongo" if target_type.startswith("AWS::DocDB") else cluster.engine
        return {"engine": engine, "host": cluster.endpoint, "port": int(cluster.port),
                "dbClusterIdentifier": cluster.db_cluster_identifier}
    if target_type == "AWS::Redshift::Cluster":
        cluster = redshift_backends[account_id][region_name].clusters.get(ident)
        if cluster is None:
            raise ValidationError(message=f"SecretTargetAttachment: Redshift cluster {ident} not found")
        return {"engine": "redshift", "host": cluster.endpoint["Address"], "port": int(cluster.port),
                "dbClusterIdentifier": cluster.cluster_identifier}
    raise ValidationError(message=f"SecretTargetAttachment: unsupported TargetType {target_type}")


def _rewrite(backend, secret_id, remove, add):
    """PutSecretValue of the current JSON value without the keys ``remove``, plus ``add``."""
    secret = backend.describe_secret(secret_id)
    current = secret.versions.get(secret.default_version_id, {}).get("secret_string")
    try:
        value = json.loads(current) if current else None
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ValidationError(message=f"SecretTargetAttachment: the value of {secret.name} is not a JSON object")
    for key in remove:
        value.pop(key, None)
    value.update(add)
    _put_value(backend, secret.name, json.dumps(value, separators=(",", ":")))
    return secret


@model
class SecretTargetAttachment(Resource, CloudFormationModel):
    TYPE = "AWS::SecretsManager::SecretTargetAttachment"
    REF = "secret_arn"
    ATTRIBUTES = {"Id": "secret_arn"}

    def __init__(self, secret_arn, added):
        self.secret_arn = secret_arn
        self.added = added  # the connection keys this attachment wrote

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        connection = _connection(props["TargetType"], props["TargetId"], account_id, region_name)
        secret = _rewrite(_backend(account_id, region_name), props["SecretId"], [], connection)
        return cls(secret.arn, connection)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        backend = _backend(account_id, region_name)
        if backend.describe_secret(props["SecretId"]).arn != original_resource.secret_arn:
            raise ValidationError(message=f"{cls.cloudformation_type()}: SecretId is create-only (replacement)")
        connection = _connection(props["TargetType"], props["TargetId"], account_id, region_name)
        _rewrite(backend, original_resource.secret_arn, original_resource.added, connection)
        original_resource.added = connection
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        # Only the connection keys go; without the instance we know them by name.
        backend = _backend(account_id, region_name)
        secret = backend.secrets.get(resource_name)
        if secret is not None and not secret.is_deleted():
            _rewrite(backend, resource_name, ["engine", "host", "port", "dbInstanceIdentifier", "dbClusterIdentifier"], {})

    def delete(self, account_id, region_name):
        backend = _backend(account_id, region_name)
        secret = backend.secrets.get(self.secret_arn)
        if secret is not None and not secret.is_deleted():
            _rewrite(backend, self.secret_arn, self.added, {})


def install():
    # The models register themselves (@model) when this module is imported.
    pass
