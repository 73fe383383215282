//! Cognito (§3).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `auth` stack: user pool `matbakh-users-<env>` and its app clients.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    pub password_policy: PasswordPolicy,
    /// `off`, `optional` or `on`.
    pub mfa: MfaMode,
    /// Second factors users may choose (at least one when `mfa` is not off).
    pub mfa_methods: Vec<MfaMethod>,
    /// Custom user attributes (§3: `persona`, `business_id`); become `custom:<name>`.
    pub custom_attributes: Vec<CustomAttribute>,
    /// Names of the `functions.definitions` wired as Cognito triggers.
    pub triggers: Triggers,
    /// Refuse deletion of the user pool.
    pub deletion_protection: bool,
    /// The web app's client (no secret; it runs in the browser).
    pub web_client: AppClient,
    /// The mobile app's client (no secret; it runs on the device).
    pub mobile_client: AppClient,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicy {
    #[schemars(range(min = 6, max = 99))]
    pub minimum_length: u32,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
    /// Days a temporary password set by an administrator stays valid.
    #[schemars(range(min = 1, max = 365))]
    pub temporary_password_validity_days: u32,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MfaMode {
    Off,
    Optional,
    On,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum MfaMethod {
    Sms,
    Totp,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CustomAttribute {
    #[schemars(regex(pattern = r"^[a-z][a-z_]{0,19}$"))]
    pub name: String,
    pub mutable: bool,
    #[serde(default)]
    #[schemars(range(min = 1, max = 2048))]
    pub max_length: Option<u32>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Triggers {
    pub pre_sign_up: String,
    pub post_confirmation: String,
    pub pre_authentication: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AppClient {
    /// OAuth callback URLs (https, or http://localhost outside prod).
    pub callback_urls: Vec<String>,
    pub logout_urls: Vec<String>,
    /// Minutes an access/id token is valid (5-1440).
    #[schemars(range(min = 5, max = 1440))]
    pub token_validity_minutes: u32,
    /// Days a refresh token is valid (1-3650).
    #[schemars(range(min = 1, max = 3650))]
    pub refresh_token_validity_days: u32,
}
