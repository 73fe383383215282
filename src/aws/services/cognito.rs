//! Cognito: the user pool's password policy, MFA, auto-verified and alias attributes,
//! triggers and deletion protection.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
use aws_sdk_cognitoidentityprovider::types::UserPoolType;
use serde_json::{Map, Value, json};

use super::{LiveProperties, LiveState, present_or_absent, put, strings};
use crate::aws::AwsError;

pub async fn read_user_pool(client: &Client, id: &str) -> Result<LiveState, AwsError> {
    let (pool, mfa) = tokio::join!(
        client.describe_user_pool().user_pool_id(id).send(),
        client.get_user_pool_mfa_config().user_pool_id(id).send()
    );
    let pool = match pool.map_err(|e| AwsError::from_sdk("DescribeUserPool", e)) {
        Ok(out) => match out.user_pool() {
            Some(p) => p.clone(),
            None => return Ok(LiveState::Absent),
        },
        Err(e) => return present_or_absent(Err(e)),
    };
    let mut props = user_pool(&pool);
    // EnabledMfas only comes from GetUserPoolMfaConfig; without it, it is not compared.
    if let Ok(mfa) = mfa {
        props.insert("EnabledMfas".into(), enabled_mfas(&mfa));
    }
    Ok(LiveState::Present(props))
}

pub fn user_pool(p: &UserPoolType) -> LiveProperties {
    let mut m = Map::new();
    put(&mut m, "UserPoolName", p.name());
    if let Some(pp) = p.policies().and_then(|x| x.password_policy()) {
        let mut policy = Map::new();
        put(&mut policy, "MinimumLength", pp.minimum_length());
        policy.insert("RequireUppercase".into(), json!(pp.require_uppercase()));
        policy.insert("RequireLowercase".into(), json!(pp.require_lowercase()));
        policy.insert("RequireNumbers".into(), json!(pp.require_numbers()));
        policy.insert("RequireSymbols".into(), json!(pp.require_symbols()));
        put(&mut policy, "PasswordHistorySize", pp.password_history_size());
        policy.insert("TemporaryPasswordValidityDays".into(), json!(pp.temporary_password_validity_days()));
        let mut policies = Map::new();
        policies.insert("PasswordPolicy".into(), Value::Object(policy));
        m.insert("Policies".into(), Value::Object(policies));
    }
    put(&mut m, "MfaConfiguration", p.mfa_configuration().map(|x| x.as_str()));
    m.insert("AutoVerifiedAttributes".into(), strings(p.auto_verified_attributes().iter().map(|a| a.as_str())));
    m.insert("AliasAttributes".into(), strings(p.alias_attributes().iter().map(|a| a.as_str())));
    m.insert("UsernameAttributes".into(), strings(p.username_attributes().iter().map(|a| a.as_str())));
    put(&mut m, "DeletionProtection", p.deletion_protection().map(|d| d.as_str()));
    let mut triggers = Map::new();
    if let Some(l) = p.lambda_config() {
        for (key, value) in [
            ("PreSignUp", l.pre_sign_up()),
            ("CustomMessage", l.custom_message()),
            ("PostConfirmation", l.post_confirmation()),
            ("PreAuthentication", l.pre_authentication()),
            ("PostAuthentication", l.post_authentication()),
            ("DefineAuthChallenge", l.define_auth_challenge()),
            ("CreateAuthChallenge", l.create_auth_challenge()),
            ("VerifyAuthChallengeResponse", l.verify_auth_challenge_response()),
            ("PreTokenGeneration", l.pre_token_generation()),
            ("UserMigration", l.user_migration()),
        ] {
            put(&mut triggers, key, value);
        }
    }
    m.insert("LambdaConfig".into(), Value::Object(triggers));
    m
}

pub fn enabled_mfas(out: &GetUserPoolMfaConfigOutput) -> Value {
    let mut enabled = Vec::new();
    if out.sms_mfa_configuration().is_some() {
        enabled.push("SMS_MFA");
    }
    if out.software_token_mfa_configuration().is_some_and(|s| s.enabled()) {
        enabled.push("SOFTWARE_TOKEN_MFA");
    }
    if out.email_mfa_configuration().is_some() {
        enabled.push("EMAIL_OTP");
    }
    strings(enabled)
}
