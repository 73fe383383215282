//! The `auth` stack carries §3: the user pool's policies and attributes, MFA with an SMS
//! role, the triggers wired to the `live` aliases of their functions with invoke
//! permissions, public SRP clients, deletion protection in prod only, and the pool id
//! published for the functions.

mod common;

use common::ENVIRONMENTS;
use common::stacks::{alias_export, resources_of_type, templates};
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
        assert_eq!(parameters.len(), 1);
        let p = &parameters[0].1["Properties"];
        assert_eq!(p["Name"], format!("/matbakh/{env}/auth/user-pool-id"));
        assert_eq!(p["Type"], "String");
        assert_eq!(p["Value"], json!({"Ref": "UserPool"}));
        let exports: Vec<&str> =
            t["Outputs"].as_object().unwrap().values().filter_map(|o| o["Export"]["Name"].as_str()).collect();
        let expected =
            ["UserPoolId", "UserPoolArn", "WebClientId", "MobileClientId"].map(|k| format!("matbakh-{env}-auth-{k}"));
        assert_eq!(exports, expected);
    }
}
