//! SDK configuration: the default credential and region chain, with the command line's
//! `--profile`, `--role-arn`, `--region` and `--endpoint-url` on top
//! (`AWS_ENDPOINT_URL` is read by the chain itself), and the account check every
//! command that reads stacks starts with.

use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;

use super::identity::{CredentialSource, IdentityError, ProfileChoice, SdkIdentity, Target, verify_account};

#[derive(Clone, Debug, Default)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// A role to assume with the credentials found (`--role-arn`).
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
    pub role_session_name: Option<String>,
}

/// Session name of an assumed role when none is given: shows up in CloudTrail.
const DEFAULT_SESSION_NAME: &str = "matbakh-infra";

/// An SDK configuration whose account has been checked.
pub struct Connection {
    pub config: SdkConfig,
    pub target: Target,
}

/// Loads the configuration and refuses, before any stack is read, credentials of
/// another account than `account`.
pub async fn connect(options: &AwsOptions, account: &str, default_region: &str) -> Result<Connection, IdentityError> {
    let (config, source) = load_config(options, default_region).await;
    let region = config.region().map_or_else(|| default_region.to_owned(), |r| r.to_string());
    let target = verify_account(&SdkIdentity::new(&config), account, &region, source).await?;
    Ok(Connection { config, target })
}

/// Loads the SDK configuration. Throttling and transient errors are retried by the SDK
/// with exponential backoff and jitter (adaptive mode also slows the client down), so
/// running many stacks at once does not fail on `Throttling: Rate exceeded`.
pub async fn load_config(options: &AwsOptions, default_region: &str) -> (SdkConfig, CredentialSource) {
    // The environment's stacks live in the region its file names; an ambient
    // AWS_REGION or profile region must not send a prod plan elsewhere. Only an
    // explicit --region overrides it.
    let region = Region::new(options.region.clone().unwrap_or_else(|| default_region.to_owned()));
    let mut loader =
        aws_config::defaults(BehaviorVersion::latest()).retry_config(RetryConfig::adaptive().with_max_attempts(5));
    if let Some(profile) = &options.profile {
        // As in the AWS CLI, an explicit profile wins over AWS_ACCESS_KEY_ID in the
        // environment (the default chain would read those first). The region is for the
        // STS calls of profiles that assume a role (`role_arn` + `source_profile`).
        let provider_config = ProviderConfig::without_region().with_region(Some(region.clone()));
        loader = loader.profile_name(profile).credentials_provider(
            ProfileFileCredentialsProvider::builder().configure(&provider_config).profile_name(profile).build(),
        );
    }
    if let Some(endpoint) = &options.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    let config = loader.load().await.into_builder().region(region).build();
    let source = base_source(options).await;
    match &options.role_arn {
        None => (config, source),
        Some(role_arn) => {
            let mut role = AssumeRoleProvider::builder(role_arn.clone())
                .session_name(options.role_session_name.as_deref().unwrap_or(DEFAULT_SESSION_NAME))
                .configure(&config);
            if let Some(id) = &options.external_id {
                role = role.external_id(id.clone());
            }
            let provider = SharedCredentialsProvider::new(role.build().await);
            let source = CredentialSource::AssumedRole { role_arn: role_arn.clone(), base: Box::new(source) };
            (config.into_builder().credentials_provider(provider).build(), source)
        }
    }
}

/// Where the credentials come from, in the order the SDK's default chain looks.
async fn base_source(options: &AwsOptions) -> CredentialSource {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let profile = |name: String, from| async move {
        let sso = uses_sso(&name).await;
        CredentialSource::Profile { name, from, sso }
    };
    if let Some(name) = &options.profile {
        profile(name.clone(), ProfileChoice::Flag).await
    } else if set("AWS_ACCESS_KEY_ID") && set("AWS_SECRET_ACCESS_KEY") {
        // The SDK uses the pair only when both are set.
        CredentialSource::EnvironmentKeys
    } else if let Some(name) = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()) {
        profile(name, ProfileChoice::EnvVar).await
    } else if set("AWS_WEB_IDENTITY_TOKEN_FILE") {
        CredentialSource::WebIdentity
    } else {
        CredentialSource::DefaultChain
    }
}

/// Whether the profile signs in through IAM Identity Center (`sso_session` or the
/// legacy `sso_start_url`). An unreadable config file just means "not known to be SSO".
async fn uses_sso(profile: &str) -> bool {
    use aws_types::os_shim_internal::{Env, Fs};
    let files = Default::default(); // ~/.aws/config and credentials, or AWS_CONFIG_FILE & co.
    match aws_config::profile::load(&Fs::real(), &Env::real(), &files, Some(profile.to_owned().into())).await {
        Ok(set) => {
            set.get_profile(profile).is_some_and(|p| p.get("sso_session").is_some() || p.get("sso_start_url").is_some())
        }
        Err(_) => false,
    }
}
