"""Cognito user pools: AWS::Cognito::UserPool, AWS::Cognito::UserPoolClient and
AWS::Cognito::UserPoolGroup through CloudFormation, as the CloudFormation Template
Reference and the Cognito user pools API Reference describe them.

Pools, clients and groups live in moto's cognito-idp backend, so DescribeUserPool,
GetUserPoolMfaConfig, DescribeUserPoolClient, ListGroups and GetGroup see what a template
declared.

Upstream issues (as we would file them at getmoto/moto)
=======================================================

C1. No CloudFormation models for AWS::Cognito::UserPool, UserPoolClient and UserPoolGroup (notes row 7)
    moto 5.2.5, ``moto/cognitoidp/models.py``: ``CognitoIdpUserPool``,
    ``CognitoIdpUserPoolClient`` and ``CognitoIdpGroup`` are ``BaseModel``s, not
    ``CloudFormationModel``s.
    Reproduction::

        Pool: {Type: AWS::Cognito::UserPool, Properties: {UserPoolName: users,
               Policies: {PasswordPolicy: {MinimumLength: 12}}, MfaConfiguration: OPTIONAL,
               EnabledMfas: [SOFTWARE_TOKEN_MFA]}}
        Client: {Type: AWS::Cognito::UserPoolClient, Properties: {UserPoolId: !Ref Pool,
                 ClientName: web}}
        Admins: {Type: AWS::Cognito::UserPoolGroup, Properties: {UserPoolId: !Ref Pool,
                 GroupName: admin, Precedence: 1}}
        Outputs: {Arn: {Value: !GetAtt Pool.Arn}, Client: {Value: !Ref Client}}

    Expected (AWS::Cognito::UserPool / UserPoolClient / UserPoolGroup reference): Ref =
    pool id / client id / group name; GetAtt Arn, ProviderName, ProviderURL, UserPoolId /
    ClientId, ClientSecret, Name; DescribeUserPool, GetUserPoolMfaConfig,
    DescribeUserPoolClient, ListGroups and GetGroup show the properties.
    Actual: both types are placeholders; Ref is empty, ``GetAtt`` fails with "GetAtt
    references undefined resource Pool", nothing exists in the Cognito API.

C2. UpdateUserPool drops settings UpdateUserPool cannot change
    moto 5.2.5, ``moto/cognitoidp/models.py`` ``CognitoIdpBackend.update_user_pool`` ->
    ``CognitoIdpUserPool.update_extended_config`` rebuilds the configuration from defaults +
    the request. Reproduction: ``create_user_pool(PoolName="p", AliasAttributes=["email"],
    UsernameConfiguration={"CaseSensitive": False})``, ``update_user_pool(UserPoolId=id,
    Policies={...})``, ``describe_user_pool``.
    Expected (UpdateUserPool API: unspecified *updatable* settings go back to their defaults;
    AliasAttributes, UsernameAttributes, UsernameConfiguration and Schema are not parameters
    of UpdateUserPool and cannot change after creation): AliasAttributes and
    UsernameConfiguration unchanged. Actual: both gone; ``UserPoolId`` and ``PoolName``
    appear as configuration keys, the pool's Name is not renamed, and ``MfaConfiguration``
    changes DescribeUserPool but not GetUserPoolMfaConfig.

C3. DeleteUserPool ignores DeletionProtection
    moto 5.2.5, ``moto/cognitoidp/models.py`` ``CognitoIdpBackend.delete_user_pool``. Reproduction: ``create_user_pool(PoolName="p",
    DeletionProtection="ACTIVE")``, ``delete_user_pool(UserPoolId=id)``.
    Expected (DeleteUserPool / UserPoolType.DeletionProtection): InvalidParameterException,
    the pool stays. Actual: deleted.

Not emulated
============
- EMAIL_OTP in EnabledMfas (moto's GetUserPoolMfaConfig has no EmailMfaConfiguration).
- moto lists only the attributes a Schema names in SchemaAttributes (AWS adds every
  standard attribute); UserPoolTags are not visible through ListTagsForResource (moto has
  no tagging API for Cognito).
- UpdateUserPoolClient through the API merges into the old settings instead of resetting
  unspecified ones (CloudFormation's update, below, sends the whole client and resets).
- Lambda triggers are not invoked; KMS / SES / SNS references are not checked.
- A template change of AliasAttributes, UsernameAttributes, UsernameConfiguration or an
  existing Schema attribute fails the update (Cognito cannot change them, and the type's
  registry schema does not mark them createOnly, so no replacement is planned).
"""

from __future__ import annotations

from typing import Any

import botocore.session
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.cognitoidp.exceptions import InvalidParameterException, ResourceNotFoundError
from moto.cognitoidp.models import (
    CognitoIdpBackend,
    CognitoIdpUserPoolAttribute,
    CognitoIdpUserPool,
    CognitoIdpUserPoolClient,
    cognitoidp_backends,
)
from moto.core.common_models import CloudFormationModel
from moto.core.utils import utcnow

from ._cfn import Resource, as_bool, model, original, properties, replace, replaced, stack_tags, to_shape

_COGNITO = botocore.session.get_session().get_service_model("cognito-idp")
# Settings of CreateUserPool that UpdateUserPool cannot change (not among its parameters).
CREATE_ONLY = ("AliasAttributes", "UsernameAttributes", "UsernameConfiguration", "Schema")
STANDARD_ATTRIBUTES = CognitoIdpUserPoolAttribute.STANDARD_SCHEMA.keys()


def _backend(account_id: str, region_name: str) -> CognitoIdpBackend:
    return cognitoidp_backends[account_id][region_name]


# --------------------------------------------------------------------------- API fixes


def _update_user_pool(self: CognitoIdpBackend, user_pool_id: str, extended_config: dict[str, Any]) -> None:
    """UpdateUserPool: resets what the request leaves out to the default, keeps what it
    cannot change (C2)."""
    pool = self.describe_user_pool(user_pool_id)
    config = {k: v for k, v in extended_config.items() if k not in ("UserPoolId", "PoolName")}
    kept = {k: pool.extended_config[k] for k in CREATE_ONLY if k in pool.extended_config}
    pool.update_extended_config({**config, **kept})
    if extended_config.get("PoolName"):
        pool.name = extended_config["PoolName"]
    pool.mfa_config = pool.extended_config.get("MfaConfiguration") or "OFF"
    pool.last_modified_date = utcnow()


def _delete_user_pool(self: CognitoIdpBackend, user_pool_id: str) -> None:
    """DeleteUserPool refuses while deletion protection is active (C3)."""
    pool = self.describe_user_pool(user_pool_id)
    if pool.extended_config.get("DeletionProtection") == "ACTIVE":
        raise InvalidParameterException(
            "The user pool cannot be deleted because deletion protection is activated. "
            "Deletion protection must be inactivated first."
        )
    original(CognitoIdpBackend, "delete_user_pool")(self, user_pool_id)


# --------------------------------------------------------------------------- UserPool


def _pool_config(props: dict[str, Any]) -> dict[str, Any]:
    """The template's properties as a CreateUserPool request (without PoolName)."""
    shape = _COGNITO.operation_model("CreateUserPool").input_shape
    config = {k: v for k, v in props.items() if k in shape.members and k != "PoolName"}
    return to_shape(config, shape)


def _set_mfa(pool: CognitoIdpUserPool, props: dict[str, Any]) -> None:
    """What CloudFormation does with EnabledMfas: SetUserPoolMfaConfig."""
    mfa = props.get("MfaConfiguration") or "OFF"
    enabled = props.get("EnabledMfas")
    if enabled is None:  # before EnabledMfas existed, MFA meant SMS
        enabled = ["SMS_MFA"] if mfa != "OFF" and props.get("SmsConfiguration") else []
    pool.mfa_config = mfa
    pool.sms_mfa_config = None
    pool.token_mfa_config = None
    if mfa != "OFF" and "SMS_MFA" in enabled:
        pool.sms_mfa_config = {"SmsConfiguration": to_shape(props.get("SmsConfiguration") or {}, _COGNITO.shape_for("SmsConfigurationType"))}
        if props.get("SmsAuthenticationMessage"):
            pool.sms_mfa_config["SmsAuthenticationMessage"] = props["SmsAuthenticationMessage"]
    if mfa != "OFF" and "SOFTWARE_TOKEN_MFA" in enabled:
        pool.token_mfa_config = {"Enabled": True}


@model
class UserPool(Resource, CloudFormationModel):
    """AWS::Cognito::UserPool. Everything updates in place through UpdateUserPool, except
    what Cognito fixes at creation (AliasAttributes, UsernameAttributes,
    UsernameConfiguration, existing Schema attributes); new custom attributes are added
    (AddCustomAttributes)."""

    TYPE = "AWS::Cognito::UserPool"
    NAME_PROPERTY = "UserPoolName"
    REF = "pool_id"

    def __init__(self, account_id: str, region: str, pool_id: str, props: dict[str, Any]):
        self.account_id, self.region = account_id, region
        self.pool_id = pool_id
        self.props = props

    @property
    def pool(self) -> CognitoIdpUserPool:
        return _backend(self.account_id, self.region).describe_user_pool(self.pool_id)

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "ProviderName", "ProviderURL", "UserPoolId")

    def get_cfn_attribute(self, attr: str) -> str:
        provider = f"cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"
        values = {
            "Arn": self.pool.arn,
            "ProviderName": provider,
            "ProviderURL": f"https://{provider}",
            "UserPoolId": self.pool_id,
        }
        if attr not in values:
            raise UnformattedGetAttTemplateException()
        return values[attr]

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        name = props.get("UserPoolName") or resource_name
        config = _pool_config(props)
        # The type's schema declares cloudFormationSystemTags: they go to UserPoolTags.
        config["UserPoolTags"] = {**stack_tags(kwargs), **config.get("UserPoolTags", {})}
        pool = _backend(account_id, region_name).create_user_pool(name, config)
        _set_mfa(pool, props)
        return cls(account_id, region_name, pool.id, props)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        old = original_resource.props
        fixed = [k for k in CREATE_ONLY[:3] if props.get(k) != old.get(k)]
        old_schema = {a["Name"]: a for a in old.get("Schema") or []}
        new_schema = {a["Name"]: a for a in props.get("Schema") or []}
        fixed += [f"Schema {n}" for n, a in old_schema.items() if new_schema.get(n) != a]
        fixed += [f"Schema {n}" for n in new_schema.keys() - old_schema.keys() if n in STANDARD_ATTRIBUTES]
        if fixed:
            # Cognito cannot change these on an existing pool; fail rather than pretend.
            raise InvalidParameterException(f"{', '.join(fixed)} cannot be updated on user pool {original_resource.pool_id}")
        backend = _backend(account_id, region_name)
        added = [to_shape(a, _COGNITO.shape_for("SchemaAttributeType")) for n, a in new_schema.items() if n not in old_schema]
        if added:
            backend.add_custom_attributes(original_resource.pool_id, added)
        request = {k: v for k, v in _pool_config(props).items() if k not in CREATE_ONLY}
        request["PoolName"] = props.get("UserPoolName") or original_resource.pool.name
        tags = original_resource.pool.extended_config.get("UserPoolTags") or {}
        request["UserPoolTags"] = {
            **{k: v for k, v in tags.items() if k.startswith("aws:")},
            **request.get("UserPoolTags", {}),
        }
        backend.update_user_pool(original_resource.pool_id, request)
        _set_mfa(original_resource.pool, props)
        original_resource.props = props
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        try:
            _backend(account_id, region_name).delete_user_pool(resource_name)
        except ResourceNotFoundError:
            pass  # already gone: CloudFormation treats NotFound on delete as success


# --------------------------------------------------------------------------- UserPoolClient


class _InPool(Resource):
    """A resource inside a user pool (client, group): the pool's id, its own id (in the
    attribute ``REF`` names) and the template properties it was made from. Deleted by the
    backend method ``DELETE`` names, called with (pool id, own id)."""

    DELETE = ""

    def __init__(self, account_id: str, region: str, pool_id: str, own_id: str, props: dict[str, Any]):
        self.account_id, self.region = account_id, region
        self.pool_id = pool_id
        setattr(self, self.REF, own_id)
        self.props = props

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        pool_id = properties(cloudformation_json)["UserPoolId"]
        try:
            getattr(_backend(account_id, region_name), cls.DELETE)(pool_id, resource_name)
        except ResourceNotFoundError:
            pass  # it or its pool is gone already: CloudFormation counts that as deleted

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(self.physical_resource_id, {"Properties": self.props}, account_id, region_name)


def _client_config(props: dict[str, Any]) -> dict[str, Any]:
    shape = _COGNITO.operation_model("CreateUserPoolClient").input_shape
    config = {k: v for k, v in props.items() if k in shape.members and k not in ("UserPoolId", "GenerateSecret")}
    return to_shape(config, shape)


@model
class UserPoolClient(_InPool, CloudFormationModel):
    """AWS::Cognito::UserPoolClient. UserPoolId and GenerateSecret are createOnly; the rest
    updates in place with UpdateUserPoolClient semantics (unset settings go back to defaults)."""

    TYPE = "AWS::Cognito::UserPoolClient"
    # No NAME_PROPERTY ("ClientName"): client names need not be unique, a replacement may keep it.
    REF = "client_id"
    DELETE = "delete_user_pool_client"

    @property
    def client(self) -> CognitoIdpUserPoolClient:
        return _backend(self.account_id, self.region).describe_user_pool_client(self.pool_id, self.client_id)

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("ClientId", "ClientSecret", "Name")

    def get_cfn_attribute(self, attr: str) -> str:
        client = self.client
        if attr == "ClientId":
            return client.id
        if attr == "Name":
            return client.extended_config.get("ClientName", "")
        if attr == "ClientSecret" and client.generate_secret:
            return client.secret
        raise UnformattedGetAttTemplateException()  # ClientSecret of a client without one

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        config = {"ClientName": resource_name, **_client_config(props)}
        client = _backend(account_id, region_name).create_user_pool_client(
            props["UserPoolId"], as_bool(props.get("GenerateSecret")), config
        )
        return cls(account_id, region_name, client.user_pool_id, client.id, props)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        old = original_resource.props
        if props["UserPoolId"] != old["UserPoolId"] or as_bool(props.get("GenerateSecret")) != as_bool(old.get("GenerateSecret")):
            return replaced(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        client = original_resource.client
        defaults = CognitoIdpUserPoolClient(client.user_pool_id, False, None).extended_config
        client.extended_config = {**defaults, "ClientName": client.extended_config.get("ClientName"), **_client_config(props)}
        original_resource.props = props
        return original_resource



# --------------------------------------------------------------------------- UserPoolGroup


@model
class UserPoolGroup(_InPool, CloudFormationModel):
    """AWS::Cognito::UserPoolGroup. GroupName and UserPoolId are createOnly (a change
    replaces the group); Description, Precedence and RoleArn update in place (UpdateGroup
    with the whole group, so a removed setting is cleared)."""

    TYPE = "AWS::Cognito::UserPoolGroup"
    NAME_PROPERTY = "GroupName"
    REF = "group_name"
    DELETE = "delete_group"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        precedence = props.get("Precedence")
        group = _backend(account_id, region_name).create_group(
            props["UserPoolId"],
            props.get("GroupName") or resource_name,
            props.get("Description"),
            props.get("RoleArn"),
            None if precedence is None else int(precedence),
        )
        return cls(account_id, region_name, group.user_pool_id, group.group_name, props)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        old = original_resource.props
        if props["UserPoolId"] != old["UserPoolId"] or props.get("GroupName", original_resource.group_name) != original_resource.group_name:
            return replaced(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        group = _backend(account_id, region_name).get_group(original_resource.pool_id, original_resource.group_name)
        precedence = props.get("Precedence")
        group.description = props.get("Description") or ""
        group.role_arn = props.get("RoleArn")
        group.precedence = None if precedence is None else int(precedence)
        group.last_modified_date = utcnow()
        original_resource.props = props
        return original_resource


def install() -> None:
    replace(CognitoIdpBackend, "update_user_pool", _update_user_pool)
    replace(CognitoIdpBackend, "delete_user_pool", _delete_user_pool)
