"""AWS::Cognito::UserPool, UserPoolClient and UserPoolGroup through change sets, the golden auth
templates (after the app templates whose alias ARNs they import), and probes that moto
5.2.5 is still broken where local_aws/cognitoidp.py works around it."""

import json

import pytest
from moto.cognitoidp.models import CognitoIdpBackend, cognitoidp_backends
from moto.core.common_models import CloudFormationModel

from _support import deploy_golden_app, error_code
from conftest import ACCOUNT, REGION, golden_template
from local_aws import _cfn

TRIGGER = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{{}}:live"
SMS_ROLE = {
    "Type": "AWS::IAM::Role",
    "Properties": {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "cognito-idp.amazonaws.com"}, "Action": "sts:AssumeRole"}],
        }
    },
}


def pool(**overrides):
    props = {
        "UserPoolName": "t-users",
        "Policies": {
            "PasswordPolicy": {
                "MinimumLength": 8,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": False,
                "TemporaryPasswordValidityDays": 7,
            }
        },
        "AutoVerifiedAttributes": ["email"],
        "AliasAttributes": ["email"],
        "UsernameConfiguration": {"CaseSensitive": False},
        "MfaConfiguration": "OPTIONAL",
        "EnabledMfas": ["SMS_MFA", "SOFTWARE_TOKEN_MFA"],
        "SmsConfiguration": {"SnsCallerArn": {"Fn::GetAtt": ["SmsRole", "Arn"]}, "ExternalId": "t-sms", "SnsRegion": REGION},
        "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
        "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]},
        "Schema": [
            {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
            {"Name": "persona", "AttributeDataType": "String", "Required": False, "Mutable": True},
            {"Name": "business_id", "AttributeDataType": "String", "Required": False, "Mutable": True},
        ],
        "LambdaConfig": {
            "PreSignUp": TRIGGER.format("pre-sign-up"),
            "PostConfirmation": TRIGGER.format("post-confirmation"),
            "PreAuthentication": TRIGGER.format("pre-authentication"),
        },
        "AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False},
        "VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_WITH_LINK"},
        "DeletionProtection": "INACTIVE",
        "UserPoolTags": {"project": "matbakh"},
    }
    props.update(overrides)
    return {"Type": "AWS::Cognito::UserPool", "Properties": props}


def pool_template(**overrides):
    return {
        "Resources": {"SmsRole": SMS_ROLE, "Pool": pool(**overrides)},
        "Outputs": {
            "Ref": {"Value": {"Ref": "Pool"}},
            "Arn": {"Value": {"Fn::GetAtt": ["Pool", "Arn"]}},
            "ProviderName": {"Value": {"Fn::GetAtt": ["Pool", "ProviderName"]}},
            "ProviderURL": {"Value": {"Fn::GetAtt": ["Pool", "ProviderURL"]}},
            "UserPoolId": {"Value": {"Fn::GetAtt": ["Pool", "UserPoolId"]}},
        },
    }


# --------------------------------------------------------------------------- UserPool


def test_user_pool_is_created_updated_in_place_and_deleted(aws):
    aws.deploy("pool", pool_template())
    idp = aws.client("cognito-idp")
    outputs = aws.outputs("pool")
    pool_id = outputs["Ref"]
    assert pool_id.startswith(f"{REGION}_") and aws.physical_id("pool", "Pool") == pool_id
    assert outputs == {
        "Ref": pool_id,
        "Arn": f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{pool_id}",
        "ProviderName": f"cognito-idp.{REGION}.amazonaws.com/{pool_id}",
        "ProviderURL": f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}",
        "UserPoolId": pool_id,
    }
    described = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert described["Name"] == "t-users"
    policy = described["Policies"]["PasswordPolicy"]
    assert (policy["MinimumLength"], policy["RequireSymbols"], policy["TemporaryPasswordValidityDays"]) == (8, False, 7)
    assert described["AutoVerifiedAttributes"] == ["email"]
    assert described["AliasAttributes"] == ["email"]
    assert described["UsernameConfiguration"] == {"CaseSensitive": False}
    assert described["MfaConfiguration"] == "OPTIONAL"
    assert described["LambdaConfig"] == {
        "PreSignUp": TRIGGER.format("pre-sign-up"),
        "PostConfirmation": TRIGGER.format("post-confirmation"),
        "PreAuthentication": TRIGGER.format("pre-authentication"),
    }
    assert described["DeletionProtection"] == "INACTIVE"
    tags = described["UserPoolTags"]
    assert {k: v for k, v in tags.items() if not k.startswith("aws:")} == {"project": "matbakh"}
    assert tags["aws:cloudformation:logical-id"] == "Pool"  # CloudFormation's system tags
    assert described["UserAttributeUpdateSettings"] == {"AttributesRequireVerificationBeforeUpdate": ["email"]}
    assert described["AccountRecoverySetting"]["RecoveryMechanisms"] == [{"Name": "verified_email", "Priority": 1}]
    assert described["VerificationMessageTemplate"]["DefaultEmailOption"] == "CONFIRM_WITH_LINK"
    attributes = {a["Name"] for a in described["SchemaAttributes"]}
    assert {"email", "custom:persona", "custom:business_id"} <= attributes
    role_arn = aws.client("iam").get_role(RoleName=aws.physical_id("pool", "SmsRole"))["Role"]["Arn"]
    assert described["SmsConfiguration"] == {"SnsCallerArn": role_arn, "ExternalId": "t-sms", "SnsRegion": REGION}
    mfa = idp.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert mfa["MfaConfiguration"] == "OPTIONAL"
    assert mfa["SmsMfaConfiguration"]["SmsConfiguration"]["SnsCallerArn"] == role_arn
    assert mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}

    # Update in place (UpdateUserPool): password policy, MFA, triggers, deletion protection,
    # name, a new custom attribute.
    template = pool_template(
        UserPoolName="t-users-renamed",
        MfaConfiguration="ON",
        EnabledMfas=["SOFTWARE_TOKEN_MFA"],
        DeletionProtection="ACTIVE",
        LambdaConfig={"PreSignUp": TRIGGER.format("pre-sign-up")},
    )
    props = template["Resources"]["Pool"]["Properties"]
    props["Policies"]["PasswordPolicy"]["MinimumLength"] = 12
    props["Schema"].append({"Name": "tier", "AttributeDataType": "String", "Mutable": True})
    aws.deploy("pool", template)
    assert aws.physical_id("pool", "Pool") == pool_id
    described = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert described["Name"] == "t-users-renamed"
    assert described["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert described["LambdaConfig"] == {"PreSignUp": TRIGGER.format("pre-sign-up")}
    assert described["DeletionProtection"] == "ACTIVE"
    assert described["MfaConfiguration"] == "ON"
    assert described["AliasAttributes"] == ["email"]  # fixed at creation, kept
    assert "custom:tier" in {a["Name"] for a in described["SchemaAttributes"]}
    assert described["UserPoolTags"]["aws:cloudformation:stack-name"] == "pool"
    mfa = idp.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert mfa["MfaConfiguration"] == "ON"
    assert mfa.get("SmsMfaConfiguration") is None
    assert mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}

    # Deletion protection: Cognito refuses to delete the pool. A removal fails in the
    # cleanup phase, which does not roll the update back (the pool stays, DELETE_FAILED).
    aws.deploy("pool", {"Resources": {"SmsRole": SMS_ROLE}})
    events = aws.cfn.describe_stack_events(StackName="pool")["StackEvents"]
    [failed] = [e for e in events if e["LogicalResourceId"] == "Pool" and e["ResourceStatus"] == "DELETE_FAILED"]
    assert "deletion protection is activated" in failed["ResourceStatusReason"]
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Id"] == pool_id


def test_user_pool_removed_from_the_template_is_deleted(aws):
    aws.deploy("gone", pool_template())
    pool_id = aws.outputs("gone")["Ref"]
    aws.deploy("gone", {"Resources": {"SmsRole": SMS_ROLE}})
    idp = aws.client("cognito-idp")
    assert error_code(idp.describe_user_pool, UserPoolId=pool_id) == "ResourceNotFoundException"


def test_user_pool_settings_fixed_at_creation_are_not_silently_changed(aws):
    aws.deploy("fixed", pool_template())
    pool_id = aws.outputs("fixed")["Ref"]
    with pytest.raises(Exception):
        aws.deploy("fixed", pool_template(AliasAttributes=["email", "phone_number"]))
    described = aws.client("cognito-idp").describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert described["AliasAttributes"] == ["email"]


def test_user_pool_api_update_and_deletion_protection(aws):
    """Out-of-band UpdateUserPool (our drift test) shows; settings UpdateUserPool cannot
    change stay; DeleteUserPool honours DeletionProtection."""
    aws.deploy("oob", pool_template(DeletionProtection="ACTIVE"))
    pool_id = aws.outputs("oob")["Ref"]
    idp = aws.client("cognito-idp")
    idp.update_user_pool(
        UserPoolId=pool_id,
        Policies={"PasswordPolicy": {"MinimumLength": 6, "RequireUppercase": False}},
        DeletionProtection="ACTIVE",
    )
    described = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert described["Policies"]["PasswordPolicy"]["MinimumLength"] == 6
    assert described["AliasAttributes"] == ["email"]
    assert described["UsernameConfiguration"] == {"CaseSensitive": False}
    assert described["Name"] == "t-users"
    assert "UserPoolId" not in described and "PoolName" not in described
    assert described.get("LambdaConfig", {}) == {}  # not in the request: back to the default
    assert error_code(idp.delete_user_pool, UserPoolId=pool_id) == "InvalidParameterException"
    idp.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
    idp.delete_user_pool(UserPoolId=pool_id)
    assert error_code(idp.describe_user_pool, UserPoolId=pool_id) == "ResourceNotFoundException"


# --------------------------------------------------------------------------- UserPoolClient


def client_template(**web):
    template = pool_template()
    web_props = {
        "ClientName": "t-web",
        "UserPoolId": {"Ref": "Pool"},
        "GenerateSecret": False,
        "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "PreventUserExistenceErrors": "ENABLED",
        "EnableTokenRevocation": True,
        "AccessTokenValidity": 60,
        "IdTokenValidity": 60,
        "RefreshTokenValidity": 30,
        "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
        "ReadAttributes": ["email", "custom:persona"],
        "WriteAttributes": ["email"],
        "SupportedIdentityProviders": ["COGNITO"],
        "CallbackURLs": ["https://app.example.com/callback"],
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": ["openid", "email"],
        "AllowedOAuthFlowsUserPoolClient": True,
    }
    web_props.update(web)
    template["Resources"]["Web"] = {"Type": "AWS::Cognito::UserPoolClient", "Properties": web_props}
    template["Resources"]["Server"] = {
        "Type": "AWS::Cognito::UserPoolClient",
        "Properties": {"ClientName": "t-server", "UserPoolId": {"Ref": "Pool"}, "GenerateSecret": True},
    }
    template["Outputs"] = {
        "Pool": {"Value": {"Ref": "Pool"}},
        "WebRef": {"Value": {"Ref": "Web"}},
        "WebClientId": {"Value": {"Fn::GetAtt": ["Web", "ClientId"]}},
        "WebName": {"Value": {"Fn::GetAtt": ["Web", "Name"]}},
        "ServerRef": {"Value": {"Ref": "Server"}},
        "ServerSecret": {"Value": {"Fn::GetAtt": ["Server", "ClientSecret"]}},
    }
    return template


def test_user_pool_client_is_created_updated_in_place_and_deleted(aws):
    aws.deploy("clients", client_template())
    idp = aws.client("cognito-idp")
    out = aws.outputs("clients")
    pool_id, web_id = out["Pool"], out["WebRef"]
    assert (out["WebClientId"], out["WebName"]) == (web_id, "t-web")
    assert aws.physical_id("clients", "Web") == web_id
    web = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=web_id)["UserPoolClient"]
    assert web["ClientName"] == "t-web" and "ClientSecret" not in web
    assert web["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert web["PreventUserExistenceErrors"] == "ENABLED"
    assert (web["AccessTokenValidity"], web["IdTokenValidity"], web["RefreshTokenValidity"]) == (60, 60, 30)
    assert web["TokenValidityUnits"] == {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"}
    assert web["ReadAttributes"] == ["email", "custom:persona"] and web["WriteAttributes"] == ["email"]
    assert web["SupportedIdentityProviders"] == ["COGNITO"]
    assert web["CallbackURLs"] == ["https://app.example.com/callback"]
    assert web["AllowedOAuthFlowsUserPoolClient"] is True
    server = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=out["ServerRef"])["UserPoolClient"]
    assert server["ClientSecret"] == out["ServerSecret"]

    # Update in place: UpdateUserPoolClient with the whole client; dropped settings reset.
    template = client_template(ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"], AccessTokenValidity=30)
    for dropped in ("CallbackURLs", "AllowedOAuthFlows", "AllowedOAuthScopes", "AllowedOAuthFlowsUserPoolClient"):
        del template["Resources"]["Web"]["Properties"][dropped]
    aws.deploy("clients", template)
    assert aws.outputs("clients")["WebRef"] == web_id
    web = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=web_id)["UserPoolClient"]
    assert (web["ExplicitAuthFlows"], web["AccessTokenValidity"]) == (["ALLOW_USER_SRP_AUTH"], 30)
    assert "CallbackURLs" not in web and web["AllowedOAuthFlowsUserPoolClient"] is False

    del template["Resources"]["Web"]
    template["Outputs"] = {"Pool": {"Value": {"Ref": "Pool"}}}
    aws.deploy("clients", template)
    assert error_code(idp.describe_user_pool_client, UserPoolId=pool_id, ClientId=web_id) == "ResourceNotFoundException"
    assert [c["ClientName"] for c in idp.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"]] == ["t-server"]


# --------------------------------------------------------------------------- UserPoolGroup


def group_template(**admin):
    template = pool_template()
    admin_props = {"GroupName": "admin", "UserPoolId": {"Ref": "Pool"}, "Description": "Admins", "Precedence": 2}
    admin_props.update(admin)
    template["Resources"]["Admin"] = {"Type": "AWS::Cognito::UserPoolGroup", "Properties": admin_props}
    template["Resources"]["Users"] = {
        "Type": "AWS::Cognito::UserPoolGroup",
        "Properties": {"GroupName": "user", "UserPoolId": {"Ref": "Pool"}, "Precedence": 3},
    }
    template["Outputs"] = {"Pool": {"Value": {"Ref": "Pool"}}, "Admin": {"Value": {"Ref": "Admin"}}}
    return template


def test_user_pool_group_is_created_updated_in_place_and_deleted(aws):
    aws.deploy("groups", group_template())
    idp = aws.client("cognito-idp")
    out = aws.outputs("groups")
    pool_id = out["Pool"]
    assert out["Admin"] == "admin" and aws.physical_id("groups", "Admin") == "admin"
    listed = {g["GroupName"]: g for g in idp.list_groups(UserPoolId=pool_id)["Groups"]}
    assert set(listed) == {"admin", "user"}
    admin = idp.get_group(UserPoolId=pool_id, GroupName="admin")["Group"]
    assert (admin["Description"], admin["Precedence"], admin["UserPoolId"]) == ("Admins", 2, pool_id)
    assert listed["user"]["Precedence"] == 3

    # Members carry the group in their tokens' cognito:groups claim.
    idp.admin_create_user(UserPoolId=pool_id, Username="max")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="max", GroupName="admin")
    assert [g["GroupName"] for g in idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="max")["Groups"]] == ["admin"]

    # In place: description and precedence (UpdateGroup); dropping Description clears it.
    template = group_template(Precedence=1)
    del template["Resources"]["Admin"]["Properties"]["Description"]
    aws.deploy("groups", template)
    admin = idp.get_group(UserPoolId=pool_id, GroupName="admin")["Group"]
    assert (admin.get("Description", ""), admin["Precedence"]) == ("", 1)
    assert [u["Username"] for u in idp.list_users_in_group(UserPoolId=pool_id, GroupName="admin")["Users"]] == ["max"]

    # A new name replaces the group.
    aws.deploy("groups", group_template(GroupName="admins"))
    assert {g["GroupName"] for g in idp.list_groups(UserPoolId=pool_id)["Groups"]} == {"admins", "user"}
    assert aws.outputs("groups")["Admin"] == "admins"

    template = group_template(GroupName="admins")
    del template["Resources"]["Users"]
    aws.deploy("groups", template)
    assert error_code(idp.get_group, UserPoolId=pool_id, GroupName="user") == "ResourceNotFoundException"


def test_user_pool_group_name_must_be_free(aws):
    aws.deploy("taken", group_template())
    template = group_template()
    template["Resources"]["Again"] = {
        "Type": "AWS::Cognito::UserPoolGroup",
        "Properties": {"GroupName": "admin", "UserPoolId": {"Ref": "Pool"}},
    }
    with pytest.raises(Exception):
        aws.deploy("taken", template)


# --------------------------------------------------------------------------- golden templates


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_golden_auth_template_deploys_after_app(aws, env):
    deploy_golden_app(aws, env)
    app = aws.outputs(f"matbakh-{env}-app")
    aws.deploy(f"matbakh-{env}-auth", golden_template(env, "auth"))
    out = aws.outputs(f"matbakh-{env}-auth")
    idp, lam = aws.client("cognito-idp"), aws.client("lambda")
    pool_id = out["UserPoolId"]
    described = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert described["Name"] == f"matbakh-users-{env}"
    assert described["Arn"] == out["UserPoolArn"]
    assert out["UserPoolProviderUrl"] == f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}"
    assert described["DeletionProtection"] == ("ACTIVE" if env == "prod" else "INACTIVE")
    triggers = {"PreSignUp", "PostConfirmation", "PreAuthentication"}
    assert described["LambdaConfig"] == {t: app[f"{t}AliasArn"] for t in triggers}
    assert set(idp.get_user_pool_mfa_config(UserPoolId=pool_id)) >= {"SmsMfaConfiguration", "SoftwareTokenMfaConfiguration"}
    for trigger in triggers:
        name = app[f"{trigger}FunctionName"]
        policy = json.loads(lam.get_policy(FunctionName=name, Qualifier="live")["Policy"])
        [statement] = policy["Statement"]
        assert statement["Resource"] == app[f"{trigger}AliasArn"]
        assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == out["UserPoolArn"]
    clients = {c["ClientId"]: c["ClientName"] for c in idp.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"]}
    assert clients == {
        out["WebClientId"]: f"matbakh-{env}-web",
        out["MobileClientId"]: f"matbakh-{env}-mobile",
        out["ApiClientId"]: f"matbakh-{env}-api",
    }
    api = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=out["ApiClientId"])["UserPoolClient"]
    assert api["ExplicitAuthFlows"] == ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    ssm = aws.client("ssm")
    assert ssm.get_parameter(Name=f"/matbakh/{env}/auth/user-pool-id")["Parameter"]["Value"] == pool_id
    assert ssm.get_parameter(Name=f"/matbakh/{env}/auth/api-client-id")["Parameter"]["Value"] == out["ApiClientId"]
    groups = {g["GroupName"]: g["Precedence"] for g in idp.list_groups(UserPoolId=pool_id)["Groups"]}
    assert groups == {"super_admin": 1, "admin": 2, "user": 3}
    # api-core's role (in app) got AdminInitiateAuth on exactly this pool.
    role = app["ApiCoreRoleName"]
    document = aws.client("iam").get_role_policy(RoleName=role, PolicyName="sign-in")["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    [statement] = document["Statement"]
    assert (statement["Action"], statement["Resource"]) == (["cognito-idp:AdminInitiateAuth"], [out["UserPoolArn"]])
    # The pool sends its mail from the app stack's SES identity.
    assert described["EmailConfiguration"]["SourceArn"] == app["SesIdentityArn"]


# --------------------------------------------------------------------------- probes: moto still broken


@pytest.mark.parametrize(
    "resource_type", ["AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolGroup"]
)
def test_probe_no_cognito_models(resource_type):
    moto_models = [
        m for m in CloudFormationModel.__subclasses__()
        if m.__module__.startswith("moto.") and m.cloudformation_type() == resource_type
    ]
    assert moto_models == [], f"moto added a {resource_type} model upstream: remove ours in local_aws/cognitoidp.py"


def test_probe_update_user_pool_drops_create_only_settings(aws):
    backend: CognitoIdpBackend = cognitoidp_backends[ACCOUNT][REGION]
    created = backend.create_user_pool("probe", {"AliasAttributes": ["email"], "UsernameConfiguration": {"CaseSensitive": False}})
    _cfn.original(CognitoIdpBackend, "update_user_pool")(backend, created.id, {"UserPoolId": created.id, "Policies": {}})
    config = created.extended_config
    assert "AliasAttributes" not in config and config.get("UserPoolId") == created.id, (
        "moto fixed UpdateUserPool dropping AliasAttributes/UsernameConfiguration upstream: "
        "remove the extension in local_aws/cognitoidp.py"
    )


def test_probe_delete_user_pool_ignores_deletion_protection(aws):
    backend: CognitoIdpBackend = cognitoidp_backends[ACCOUNT][REGION]
    created = backend.create_user_pool("probe", {"DeletionProtection": "ACTIVE"})
    _cfn.original(CognitoIdpBackend, "delete_user_pool")(backend, created.id)
    assert created.id not in backend.user_pools, (
        "moto now honours DeletionProtection in DeleteUserPool: remove the extension in local_aws/cognitoidp.py"
    )
