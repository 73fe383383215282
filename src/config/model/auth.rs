//! Cognito (§3).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::values::*;

/// The `auth` stack: user pool `matbakh-users-<env>` and its app clients.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    /// What a user's password must contain.
    pub password_policy: PasswordPolicy,
    /// `off`, `optional` or `on`.
    pub mfa: MfaMode,
    /// Second factors users may choose (at least one when `mfa` is not off).
    pub mfa_methods: Vec<MfaMethod>,
    /// Custom user attributes (§3: `persona`, `business_id`); become `custom:<name>`.
    #[schemars(length(max = 50))]
    pub custom_attributes: Vec<CustomAttribute>,
    /// Names of the `functions.definitions` wired as Cognito triggers.
    pub triggers: Triggers,
    /// Refuse deletion of the user pool.
    pub deletion_protection: bool,
    /// The web app's client (no secret; it runs in the browser).
    pub web_client: AppClient,
    /// The mobile app's client (no secret; it runs on the device).
    pub mobile_client: AppClient,
    /// The identity pool of §1 ("Cognito --> IAM"): exchanges the web and mobile
    /// clients' tokens for AWS credentials of an authenticated role. Off unless enabled.
    #[serde(default)]
    pub identity_pool: IdentityPool,
}

/// A Cognito identity pool for signed-in users of the web and mobile clients (no guest
/// access). Its authenticated role grants nothing yet: the apps reach AWS only through
/// the API, so the role is where a direct-access feature adds its permissions.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IdentityPool {
    /// Whether the environment has the identity pool and its authenticated role.
    #[serde(default)]
    pub enabled: bool,
}

/// The user pool's password policy.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicy {
    /// Fewest characters a password may have (6-99).
    #[schemars(range(min = 6, max = 99), extend("examples" = [8, 12]))]
    pub minimum_length: u32,
    /// Require at least one upper-case letter.
    pub require_uppercase: bool,
    /// Require at least one lower-case letter.
    pub require_lowercase: bool,
    /// Require at least one digit.
    pub require_numbers: bool,
    /// Require at least one special character.
    pub require_symbols: bool,
    /// Days a temporary password set by an administrator stays valid.
    #[schemars(range(min = 1, max = 365), extend("examples" = [7]))]
    pub temporary_password_validity_days: u32,
}

/// Whether users sign in with a second factor.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MfaMode {
    Off,
    Optional,
    On,
}

/// A second factor: a code by SMS, or a time-based one-time password app.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum MfaMethod {
    Sms,
    Totp,
}

/// A custom string attribute of the user pool.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CustomAttribute {
    /// Attribute name without the `custom:` prefix, e.g. `business_id`.
    #[schemars(regex(pattern = ATTRIBUTE_NAME.pattern), extend("examples" = ["persona", "business_id"]))]
    pub name: String,
    /// Whether the value may change after sign-up (Cognito cannot change this later).
    pub mutable: bool,
    /// Longest value in characters (1-2048); omit for Cognito's default of 2048.
    #[serde(default)]
    #[schemars(range(min = 1, max = 2048), extend("examples" = [256]))]
    pub max_length: Option<u32>,
}

/// The Cognito triggers, each the name of a function of kind `trigger`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Triggers {
    /// Runs before a user is created: auto-confirms matbakh.app, requires a business email.
    #[schemars(extend("examples" = ["pre-sign-up"]))]
    pub pre_sign_up: String,
    /// Runs after a user confirms: creates the profile and sends the welcome mail.
    #[schemars(extend("examples" = ["post-confirmation"]))]
    pub post_confirmation: String,
    /// Runs before each sign-in: blocks suspicious login patterns.
    #[schemars(extend("examples" = ["pre-authentication"]))]
    pub pre_authentication: String,
}

/// An app client of the user pool (OAuth code flow, no client secret).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AppClient {
    /// OAuth callback URLs (https, an app scheme such as `matbakh://`, or
    /// http://localhost outside prod).
    #[schemars(extend("examples" = [["https://app.matbakh.app/auth/callback"]]))]
    pub callback_urls: Vec<String>,
    /// URLs Cognito may redirect to after sign-out (same rules as `callback_urls`).
    #[schemars(extend("examples" = [["https://app.matbakh.app/"]]))]
    pub logout_urls: Vec<String>,
    /// Minutes an access/id token is valid (5-1440).
    #[schemars(range(min = 5, max = 1440), extend("examples" = [60]))]
    pub token_validity_minutes: u32,
    /// Days a refresh token is valid (1-3650).
    #[schemars(range(min = 1, max = 3650), extend("examples" = [30]))]
    pub refresh_token_validity_days: u32,
}
