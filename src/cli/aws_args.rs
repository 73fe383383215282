//! Flags every command that talks to AWS shares.

use crate::aws::AwsOptions;

#[derive(Debug, Clone, clap::Args)]
pub struct AwsArgs {
    /// AWS profile (default: the standard credential chain).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Region (default: the one the environment file names).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Endpoint of an AWS-compatible API, e.g. the local AWS (also AWS_ENDPOINT_URL).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
}

impl AwsArgs {
    pub fn options(&self) -> AwsOptions {
        AwsOptions {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
        }
    }
}
