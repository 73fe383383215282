//! The `auth` stack carries §3: the user pool's policies and attributes, MFA with an SMS
//! role, the triggers wired to the `live` aliases of their functions with invoke
//! permissions, public SRP clients, deletion protection in prod only, and the pool id
//! published for the functions; §3's role groups, the server-side client behind §4's
//! `/auth` routes with exactly the permission its handler needs, and the pool's mail sent
//! from the app stack's SES identity.

mod common;

use std::collections::BTreeSet;

use common::stacks::{alias_export, resources_of_type, templates};
use common::{ENVIRONMENTS, load_env, repo_root};
use serde_json::{Value, json};

#[test]
fn user_pool_follows_section_3() {
    let t = &templates("prod")["auth"];
    let pool = &t["Resources"]["UserPool"];
    let p = &pool["Properties"];
    assert_eq!(p["UserPoolName"], "matbakh-users-prod");
    assert_eq!(
        p["Policies"]["PasswordPolicy"],
        json!({"MinimumLength": 8, "RequireUppercase": true, "RequireLowercase": true, "RequireNumbers": true,
               "RequireSymbols": false, "TemporaryPasswordValidityDays": 7})
    );
    assert_eq!(p["AutoVerifiedAttributes"], json!(["email"]));
    assert_eq!(p["AliasAttributes"], json!(["email"]));
    assert_eq!(p["MfaConfiguration"], "OPTIONAL");
    assert_eq!(p["EnabledMfas"], json!(["SMS_MFA", "SOFTWARE_TOKEN_MFA"]));
    assert_eq!(p["UserAttributeUpdateSettings"], json!({"AttributesRequireVerificationBeforeUpdate": ["email"]}));
    assert_eq!(
        p["Schema"],
        json!([
            {"Name": "email", "AttributeDataType": "String", "Required": true, "Mutable": true},
            {"Name": "persona", "AttributeDataType": "String", "Required": false, "Mutable": true},
            {"Name": "business_id", "AttributeDataType": "String", "Required": false, "Mutable": true}
        ])
    );
    assert_eq!(p["AccountRecoverySetting"], json!({"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]}));
    assert_eq!(p["UsernameConfiguration"], json!({"CaseSensitive": false}));
    assert_eq!(p["EmailConfiguration"]["EmailSendingAccount"], "DEVELOPER");
    assert_eq!(pool["DeletionPolicy"], "Retain");
    assert_eq!(pool["UpdateReplacePolicy"], "Retain");
}

#[test]
fn deletion_protection_is_active_in_prod_only() {
    for env in ENVIRONMENTS {
        let pool = &templates(env)["auth"]["Resources"]["UserPool"];
        let expected = if env == "prod" { "ACTIVE" } else { "INACTIVE" };
        assert_eq!(pool["Properties"]["DeletionProtection"], expected, "{env}");
        // The accounts survive the stack in every environment.
        assert_eq!(pool["DeletionPolicy"], "Retain", "{env}");
    }
}

#[test]
fn sms_goes_through_a_role_only_cognito_with_the_external_id_can_assume() {
    let t = &templates("prod")["auth"];
    let sms = &t["Resources"]["UserPool"]["Properties"]["SmsConfiguration"];
    let role_id = sms["SnsCallerArn"]["Fn::GetAtt"][0].as_str().unwrap();
    let role = &t["Resources"][role_id]["Properties"];
    let trust = &role["AssumeRolePolicyDocument"]["Statement"];
    assert_eq!(trust.as_array().unwrap().len(), 1);
    assert_eq!(trust[0]["Principal"], json!({"Service": "cognito-idp.amazonaws.com"}));
    assert_eq!(trust[0]["Action"], json!(["sts:AssumeRole"]));
    assert_eq!(trust[0]["Condition"]["StringEquals"]["sts:ExternalId"], json!([sms["ExternalId"]]));
    let statements: Vec<&Value> = role["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["PolicyDocument"]["Statement"].as_array().unwrap())
        .collect();
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0]["Action"], json!(["sns:Publish"]));
    assert_eq!(statements[0]["Resource"], json!(["*"]));
}

#[test]
fn triggers_invoke_the_live_alias_of_their_function_with_a_permission() {
    for env in ENVIRONMENTS {
        let all = templates(env);
        let t = &all["auth"];
        let config = &t["Resources"]["UserPool"]["Properties"]["LambdaConfig"];
        let slots = [
            ("PreSignUp", "pre-sign-up"),
            ("PostConfirmation", "post-confirmation"),
            ("PreAuthentication", "pre-authentication"),
        ];
        assert_eq!(config.as_object().unwrap().len(), slots.len(), "{env}: {config}");
        let permissions = resources_of_type(t, "AWS::Lambda::Permission");
        assert_eq!(permissions.len(), slots.len(), "{env}");
        for (slot, function) in slots {
            let alias = json!({"Fn::ImportValue": alias_export(&all["app"], env, function)});
            assert_eq!(config[slot], alias, "{env}: {slot}");
            let permitted = permissions.iter().any(|(_, p)| {
                let p = &p["Properties"];
                p["FunctionName"] == alias
                    && p["Action"] == "lambda:InvokeFunction"
                    && p["Principal"] == "cognito-idp.amazonaws.com"
                    && p["SourceArn"] == json!({"Fn::GetAtt": ["UserPool", "Arn"]})
                    && p["SourceAccount"] == json!({"Ref": "AWS::AccountId"})
            });
            assert!(permitted, "{env}: no Cognito invoke permission on the {function} alias");
        }
    }
}

#[test]
fn clients_are_public_srp_clients_with_the_configured_token_validity() {
    let t = &templates("prod")["auth"];
    for (id, name, refresh_days) in [("WebClient", "matbakh-prod-web", 30), ("MobileClient", "matbakh-prod-mobile", 90)]
    {
        let p = &t["Resources"][id]["Properties"];
        assert_eq!(p["ClientName"], name);
        assert_eq!(p["UserPoolId"], json!({"Ref": "UserPool"}));
        assert_eq!(p["GenerateSecret"], false);
        assert_eq!(p["ExplicitAuthFlows"], json!(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]));
        assert_eq!(p["PreventUserExistenceErrors"], "ENABLED");
        assert_eq!(p["AccessTokenValidity"], 60);
        assert_eq!(p["IdTokenValidity"], 60);
        assert_eq!(p["RefreshTokenValidity"], refresh_days);
        assert_eq!(
            p["TokenValidityUnits"],
            json!({"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"})
        );
        // No OAuth without a user pool domain.
        for key in ["AllowedOAuthFlows", "AllowedOAuthFlowsUserPoolClient", "CallbackURLs", "LogoutURLs"] {
            assert!(p.get(key).is_none(), "{id}.{key}");
        }
    }
}

#[test]
fn pool_id_is_published_as_a_parameter_and_exports() {
    for env in ENVIRONMENTS {
        let t = &templates(env)["auth"];
        let parameters = resources_of_type(t, "AWS::SSM::Parameter");
        assert_eq!(parameters.len(), 2);
        for ((_, parameter), (name, value)) in
            parameters.iter().zip([("user-pool-id", "UserPool"), ("api-client-id", "ApiClient")])
        {
            let p = &parameter["Properties"];
            assert_eq!(p["Name"], format!("/matbakh/{env}/auth/{name}"));
            assert_eq!(p["Type"], "String");
            assert_eq!(p["Value"], json!({ "Ref": value }));
        }
        let exports: Vec<&str> =
            t["Outputs"].as_object().unwrap().values().filter_map(|o| o["Export"]["Name"].as_str()).collect();
        let expected = ["UserPoolId", "UserPoolArn", "WebClientId", "MobileClientId", "ApiClientId"]
            .map(|k| format!("matbakh-{env}-auth-{k}"));
        assert_eq!(exports, expected);
    }
}

/// §3's roles are the pool's groups (admin-overview authorizes by them), the most
/// privileged first in precedence (lower wins).
#[test]
fn the_section_3_roles_are_groups_of_the_pool() {
    for env in ENVIRONMENTS {
        let t = &templates(env)["auth"];
        let groups: Vec<(String, u64)> = resources_of_type(t, "AWS::Cognito::UserPoolGroup")
            .into_iter()
            .map(|(_, g)| {
                let p = &g["Properties"];
                assert_eq!(p["UserPoolId"], json!({"Ref": "UserPool"}));
                assert!(p["Description"].as_str().is_some_and(|d| !d.is_empty()));
                assert!(p.get("RoleArn").is_none(), "{env}: no identity pool, so no group role");
                (p["GroupName"].as_str().unwrap().to_owned(), p["Precedence"].as_u64().unwrap())
            })
            .collect();
        let expected = [("super_admin", 1), ("admin", 2), ("user", 3)].map(|(g, p)| (g.to_owned(), p));
        assert_eq!(groups, expected, "{env}");
    }
    // The groups the admin handler lets in exist.
    let handler = std::fs::read_to_string(repo_root().join("examples/functions/admin-overview/index.js")).unwrap();
    assert!(handler.contains("const ADMIN_GROUPS = ['admin', 'super_admin'];"));
}

/// The api-core source, for what its /auth routes call.
fn api_core_source() -> String {
    std::fs::read_to_string(repo_root().join("examples/functions/api-core/index.js")).unwrap()
}

/// Quoted words of the handler source that match `pattern`'s shape: commands it sends
/// (`'AdminInitiateAuth'`) or flows it starts (`'REFRESH_TOKEN_AUTH'`).
fn quoted(source: &str, keep: impl Fn(&str) -> bool) -> BTreeSet<String> {
    source.split('\'').skip(1).step_by(2).filter(|w| keep(w)).map(str::to_owned).collect()
}

/// §4's /auth routes: a client without a secret that allows exactly the flows api-core
/// starts (ADMIN_USER_PASSWORD_AUTH through IAM-authorized AdminInitiateAuth, and
/// REFRESH_TOKEN_AUTH), no user enumeration, revocable tokens.
#[test]
fn the_api_client_allows_exactly_the_flows_api_core_uses() {
    let flows =
        quoted(&api_core_source(), |w| w.ends_with("_AUTH") && w.chars().all(|c| c.is_ascii_uppercase() || c == '_'));
    assert_eq!(flows, BTreeSet::from(["ADMIN_USER_PASSWORD_AUTH".into(), "REFRESH_TOKEN_AUTH".into()]));
    let allowed: Vec<String> = flows.iter().map(|f| format!("ALLOW_{f}")).collect();
    for env in ENVIRONMENTS {
        let t = &templates(env)["auth"];
        let config = load_env(env);
        let p = &t["Resources"]["ApiClient"]["Properties"];
        assert_eq!(p["ClientName"], format!("matbakh-{env}-api"));
        assert_eq!(p["UserPoolId"], json!({"Ref": "UserPool"}));
        assert_eq!(p["GenerateSecret"], false);
        let mut explicit: Vec<String> =
            p["ExplicitAuthFlows"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_owned()).collect();
        explicit.sort();
        assert_eq!(explicit, allowed, "{env}");
        assert_eq!(p["PreventUserExistenceErrors"], "ENABLED");
        assert_eq!(p["EnableTokenRevocation"], true, "{env}: logout revokes the refresh token");
        assert_eq!(p["AccessTokenValidity"], config.auth.web_client.token_validity_minutes);
        assert_eq!(p["RefreshTokenValidity"], config.auth.web_client.refresh_token_validity_days);
        // The public clients cannot use the password flow.
        for id in ["WebClient", "MobileClient"] {
            let flows = &t["Resources"][id]["Properties"]["ExplicitAuthFlows"];
            assert!(!flows.as_array().unwrap().contains(&json!("ALLOW_ADMIN_USER_PASSWORD_AUTH")), "{env}/{id}");
        }
    }
}

/// api-core's role (exported by `app`) may call exactly the IAM-authorized Cognito
/// operations its handler sends — on this pool only. The handler's other calls
/// (ForgotPassword, ConfirmForgotPassword, RevokeToken) are public operations IAM does not
/// evaluate, so they get no statement.
#[test]
fn api_core_may_sign_in_on_this_pool_only() {
    let source = api_core_source();
    let commands = quoted(&source, |w| {
        !w.is_empty() && w.chars().all(|c| c.is_ascii_alphabetic()) && w.starts_with(char::is_uppercase)
    });
    let public = ["ForgotPassword", "ConfirmForgotPassword", "RevokeToken"];
    let iam_authorized: BTreeSet<String> = commands.iter().filter(|c| c.starts_with("Admin")).cloned().collect();
    assert_eq!(iam_authorized, BTreeSet::from(["AdminInitiateAuth".to_owned()]));
    assert!(public.iter().all(|c| commands.contains(*c)), "{commands:?}");
    for env in ENVIRONMENTS {
        let t = &templates(env)["auth"];
        let policies = resources_of_type(t, "AWS::IAM::Policy");
        assert_eq!(policies.len(), 1, "{env}");
        let (id, policy) = policies[0];
        assert_eq!(id, "ApiCoreSignInPolicy");
        let p = &policy["Properties"];
        assert_eq!(p["Roles"], json!([{"Fn::ImportValue": format!("matbakh-{env}-app-ApiCoreRoleName")}]));
        let statements = p["PolicyDocument"]["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 1);
        let actions: BTreeSet<String> = iam_authorized.iter().map(|c| format!("cognito-idp:{c}")).collect();
        let granted: BTreeSet<String> =
            statements[0]["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_owned()).collect();
        assert_eq!(granted, actions, "{env}");
        assert_eq!(statements[0]["Effect"], "Allow");
        assert_eq!(statements[0]["Resource"], json!([{"Fn::GetAtt": ["UserPool", "Arn"]}]), "{env}");
    }
}

/// Cognito sends its mail (codes, password resets) from the verified SES identity of the
/// app stack, referred to by its export rather than a hand-built ARN.
#[test]
fn the_pool_sends_mail_from_the_app_stacks_ses_identity() {
    for env in ENVIRONMENTS {
        let t = &templates(env)["auth"];
        let email = &t["Resources"]["UserPool"]["Properties"]["EmailConfiguration"];
        assert_eq!(email["EmailSendingAccount"], "DEVELOPER");
        assert_eq!(email["SourceArn"], json!({"Fn::ImportValue": format!("matbakh-{env}-app-SesIdentityArn")}));
        assert_eq!(email["From"], load_env(env).functions.email_from.as_str());
    }
}

/// §1's identity pool is off in every shipped environment: no pool, no role trusting
/// Cognito identities.
#[test]
fn no_shipped_environment_has_an_identity_pool() {
    for env in ENVIRONMENTS {
        assert!(!load_env(env).auth.identity_pool.enabled, "{env}");
        let t = &templates(env)["auth"];
        for type_name in ["AWS::Cognito::IdentityPool", "AWS::Cognito::IdentityPoolRoleAttachment"] {
            assert!(resources_of_type(t, type_name).is_empty(), "{env}: {type_name}");
        }
        assert!(!t.to_string().contains("cognito-identity.amazonaws.com"), "{env}");
    }
}

/// With `auth.identity_pool.enabled`, signed-in users of the web and mobile clients (not
/// the server-side `api` client, no guests) get credentials of a role only this pool's
/// authenticated identities can assume, and which grants nothing; the rest of the stack
/// is unchanged.
#[test]
fn the_identity_pool_trades_app_tokens_for_a_role_that_grants_nothing() {
    for env in ENVIRONMENTS {
        let shipped = &templates(env)["auth"];
        let switched = common::stacks::templates_of(&common::env_with(env, |e| e.auth.identity_pool.enabled = true));
        let t = &switched["auth"];

        let pools = resources_of_type(t, "AWS::Cognito::IdentityPool");
        assert_eq!(pools.len(), 1, "{env}");
        let (pool_id, pool) = pools[0];
        let provider = |client: &str| {
            json!({"ProviderName": {"Fn::GetAtt": ["UserPool", "ProviderName"]}, "ClientId": {"Ref": client},
                   "ServerSideTokenCheck": true})
        };
        let p = &pool["Properties"];
        assert_eq!(p["IdentityPoolName"], format!("matbakh-{env}-identities"));
        assert_eq!(p["AllowUnauthenticatedIdentities"], false, "{env}: no guests");
        assert_eq!(p["AllowClassicFlow"], false, "{env}: the pool picks the role");
        assert_eq!(p["CognitoIdentityProviders"], json!([provider("WebClient"), provider("MobileClient")]));

        let attachments = resources_of_type(t, "AWS::Cognito::IdentityPoolRoleAttachment");
        assert_eq!(attachments.len(), 1, "{env}");
        let a = &attachments[0].1["Properties"];
        assert_eq!(a["IdentityPoolId"], json!({"Ref": pool_id}));
        let roles = a["Roles"].as_object().unwrap();
        assert_eq!(roles.keys().collect::<Vec<_>>(), ["authenticated"], "{env}: no unauthenticated role");
        let role_id = roles["authenticated"]["Fn::GetAtt"][0].as_str().unwrap();
        assert_eq!(roles["authenticated"], json!({"Fn::GetAtt": [role_id, "Arn"]}));

        let role = &t["Resources"][role_id];
        assert_eq!(role["Type"], "AWS::IAM::Role");
        assert_eq!(
            role["Properties"]["AssumeRolePolicyDocument"]["Statement"],
            json!([{
                "Sid": "AssumedBySignedInIdentitiesOfThisPool",
                "Effect": "Allow",
                "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                "Action": ["sts:AssumeRoleWithWebIdentity"],
                "Condition": {
                    "StringEquals": {"cognito-identity.amazonaws.com:aud": [{"Ref": pool_id}]},
                    "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": ["authenticated"]}
                }
            }])
        );
        // Grants nothing: no inline or managed policy, and no policy resource names it.
        assert!(role["Properties"].get("Policies").is_none(), "{env}");
        assert!(role["Properties"].get("ManagedPolicyArns").is_none(), "{env}");
        for (id, policy) in resources_of_type(t, "AWS::IAM::Policy") {
            assert!(!policy["Properties"]["Roles"].to_string().contains(role_id), "{env}: {id} grants the role");
        }
        assert_eq!(t["Outputs"]["IdentityPoolId"]["Value"], json!({"Ref": pool_id}));

        // Everything the shipped stack has stays as it is.
        for (id, resource) in shipped["Resources"].as_object().unwrap() {
            assert_eq!(&t["Resources"][id], resource, "{env}: {id} changed");
        }
        let added: Vec<&String> =
            t["Resources"].as_object().unwrap().keys().filter(|id| shipped["Resources"].get(*id).is_none()).collect();
        assert_eq!(added.len(), 3, "{env}: pool, role, attachment; got {added:?}");
    }
}
