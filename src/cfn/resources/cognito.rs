//! `AWS::Cognito::*`: the user pool, its app clients and its groups.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::attributes;
use crate::cfn::{Resource, Str};

/// Standard attributes that can be verified, aliased or updated with verification.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum VerifiableAttribute {
    #[serde(rename = "email")]
    Email,
    #[serde(rename = "phone_number")]
    PhoneNumber,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum MfaConfiguration {
    Off,
    Optional,
    On,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum Mfa {
    #[serde(rename = "SMS_MFA")]
    Sms,
    #[serde(rename = "SOFTWARE_TOKEN_MFA")]
    SoftwareToken,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum DeletionProtection {
    Active,
    Inactive,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicy {
    pub minimum_length: u32,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
    pub temporary_password_validity_days: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Policies {
    pub password_policy: PasswordPolicy,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UsernameConfiguration {
    pub case_sensitive: bool,
}

/// How Cognito sends SMS (MFA codes): through SNS, as a role it assumes.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SmsConfiguration {
    pub sns_caller_arn: Str,
    /// Must equal the `sts:ExternalId` the role's trust policy requires.
    pub external_id: String,
    pub sns_region: Str,
}

/// Who sends the pool's mail (verification codes, password resets).
#[derive(Serialize)]
#[serde(tag = "EmailSendingAccount")]
pub enum EmailConfiguration {
    /// Cognito's own sender: a low daily quota meant for testing.
    #[serde(rename = "COGNITO_DEFAULT")]
    CognitoDefault,
    /// A verified SES identity of the account.
    #[serde(rename = "DEVELOPER", rename_all = "PascalCase")]
    Ses {
        /// ARN of the SES identity (domain or address).
        source_arn: Str,
        /// Sender address, inside the identity.
        from: String,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserAttributeUpdateSettings {
    pub attributes_require_verification_before_update: Vec<VerifiableAttribute>,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum AttributeDataType {
    String,
    Number,
    Boolean,
    DateTime,
}

/// Lengths are strings in the registry schema.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StringAttributeConstraints {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<String>,
}

/// A standard attribute (e.g. `email`) or a custom one (named without `custom:`; Cognito
/// adds the prefix).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SchemaAttribute {
    pub name: String,
    pub attribute_data_type: AttributeDataType,
    pub required: bool,
    pub mutable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub string_attribute_constraints: Option<StringAttributeConstraints>,
}

/// Trigger functions (ARNs of the function, version or alias Cognito invokes).
#[derive(Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LambdaConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_sign_up: Option<Str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_confirmation: Option<Str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_authentication: Option<Str>,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryMechanism {
    VerifiedEmail,
    VerifiedPhoneNumber,
    AdminOnly,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RecoveryOption {
    pub name: RecoveryMechanism,
    /// 1 is tried first.
    pub priority: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountRecoverySetting {
    pub recovery_mechanisms: Vec<RecoveryOption>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserConfig {
    pub allow_admin_create_user_only: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPool {
    pub user_pool_name: String,
    pub policies: Policies,
    pub auto_verified_attributes: Vec<VerifiableAttribute>,
    pub alias_attributes: Vec<VerifiableAttribute>,
    pub username_configuration: UsernameConfiguration,
    pub mfa_configuration: MfaConfiguration,
    /// Empty when MFA is off (Cognito rejects factors without MFA).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub enabled_mfas: Vec<Mfa>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms_configuration: Option<SmsConfiguration>,
    pub email_configuration: EmailConfiguration,
    pub user_attribute_update_settings: UserAttributeUpdateSettings,
    pub schema: Vec<SchemaAttribute>,
    pub lambda_config: LambdaConfig,
    pub account_recovery_setting: AccountRecoverySetting,
    pub admin_create_user_config: AdminCreateUserConfig,
    pub deletion_protection: DeletionProtection,
    /// A map in this type's schema, not the usual list of `Tag`s.
    pub user_pool_tags: BTreeMap<String, Str>,
}
impl Resource for UserPool {
    const TYPE: &'static str = "AWS::Cognito::UserPool";
}
// `Ref` is the pool id.
attributes!(UserPool { arn => "Arn", provider_name => "ProviderName", provider_url => "ProviderURL" });

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum AuthFlow {
    #[serde(rename = "ALLOW_USER_SRP_AUTH")]
    UserSrp,
    #[serde(rename = "ALLOW_REFRESH_TOKEN_AUTH")]
    RefreshToken,
    /// Server-side sign-in with user name and password through `AdminInitiateAuth`
    /// (IAM-authorized), never through the public `InitiateAuth`.
    #[serde(rename = "ALLOW_ADMIN_USER_PASSWORD_AUTH")]
    AdminUserPassword,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    Seconds,
    Minutes,
    Hours,
    Days,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokenValidityUnits {
    pub access_token: TimeUnit,
    pub id_token: TimeUnit,
    pub refresh_token: TimeUnit,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum PreventUserExistenceErrors {
    /// Sign-in and recovery answer the same for unknown and known users.
    Enabled,
    Legacy,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClient {
    pub client_name: String,
    pub user_pool_id: Str,
    /// Public clients (browser, device) cannot keep a secret.
    pub generate_secret: bool,
    pub explicit_auth_flows: Vec<AuthFlow>,
    pub prevent_user_existence_errors: PreventUserExistenceErrors,
    pub enable_token_revocation: bool,
    /// In `token_validity_units.access_token`.
    pub access_token_validity: u32,
    /// In `token_validity_units.id_token`.
    pub id_token_validity: u32,
    /// In `token_validity_units.refresh_token`.
    pub refresh_token_validity: u32,
    pub token_validity_units: TokenValidityUnits,
}
impl Resource for UserPoolClient {
    const TYPE: &'static str = "AWS::Cognito::UserPoolClient";
}
// `Ref` is the client id.
attributes!(UserPoolClient { client_id => "ClientId" });

/// A group of the user pool: its name lands in the `cognito:groups` claim of its members'
/// tokens.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolGroup {
    pub group_name: String,
    pub user_pool_id: Str,
    pub description: String,
    /// Lower wins: a member of several groups gets the role and claims of the group with
    /// the lowest precedence.
    pub precedence: u32,
}
impl Resource for UserPoolGroup {
    const TYPE: &'static str = "AWS::Cognito::UserPoolGroup";
}
// `Ref` is the group name.

/// A user pool app client whose tokens an identity pool exchanges for AWS credentials.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CognitoIdentityProvider {
    /// `cognito-idp.<region>.amazonaws.com/<pool id>` (the pool's `ProviderName`).
    pub provider_name: Str,
    pub client_id: Str,
    /// Ask the user pool whether the token was revoked (sign-out, disabled user) before
    /// handing out credentials, not only whether it is signed and unexpired.
    pub server_side_token_check: bool,
}

/// An identity pool (Cognito federated identities): turns user pool tokens into
/// temporary AWS credentials of an IAM role.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityPool {
    pub identity_pool_name: String,
    /// Guests (no sign-in) get no identity and no credentials when false.
    pub allow_unauthenticated_identities: bool,
    /// The basic (classic) flow lets the client pick a role itself with
    /// `AssumeRoleWithWebIdentity`; false keeps the enhanced flow, where the pool picks.
    pub allow_classic_flow: bool,
    pub cognito_identity_providers: Vec<CognitoIdentityProvider>,
    pub identity_pool_tags: Vec<super::Tag>,
}
impl Resource for IdentityPool {
    const TYPE: &'static str = "AWS::Cognito::IdentityPool";
}
// `Ref` is the identity pool id (`<region>:<uuid>`).

/// The identity pool's roles, by kind of identity.
#[derive(Serialize)]
pub struct IdentityPoolRoles {
    /// Role ARN for signed-in identities.
    pub authenticated: Str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityPoolRoleAttachment {
    pub identity_pool_id: Str,
    pub roles: IdentityPoolRoles,
}
impl Resource for IdentityPoolRoleAttachment {
    const TYPE: &'static str = "AWS::Cognito::IdentityPoolRoleAttachment";
}
