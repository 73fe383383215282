//! SDK configuration: the default credential and region chain, with the command line's
//! `--profile`, `--region` and `--endpoint-url` on top (`AWS_ENDPOINT_URL` is read by
//! the chain itself).

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};

#[derive(Clone, Debug, Default)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

/// Loads the SDK configuration. Throttling and transient errors are retried by the SDK
/// with exponential backoff and jitter (adaptive mode also slows the client down), so
/// running many stacks at once does not fail on `Throttling: Rate exceeded`.
pub async fn load_config(options: &AwsOptions, default_region: &str) -> SdkConfig {
    let mut loader =
        aws_config::defaults(BehaviorVersion::latest()).retry_config(RetryConfig::adaptive().with_max_attempts(5));
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(endpoint) = &options.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    let config = loader.load().await;
    // The environment's stacks live in the region its file names; an ambient
    // AWS_REGION or profile region must not send a prod plan elsewhere. Only an
    // explicit --region overrides it.
    let region = options.region.clone().unwrap_or_else(|| default_region.to_owned());
    config.into_builder().region(Region::new(region)).build()
}
