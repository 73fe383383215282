//! Flags every command that talks to AWS shares.

use super::Style;
use crate::aws::identity::Target;
use crate::aws::{AwsOptions, Connection, connect};
use crate::config::Environment;

#[derive(Debug, Clone, clap::Args)]
pub struct AwsArgs {
    /// AWS profile; wins over AWS_ACCESS_KEY_ID in the environment, as in the AWS CLI
    /// (default: the standard credential chain).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Region (default: the one the environment file names).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Endpoint of an AWS-compatible API, e.g. the local AWS (also AWS_ENDPOINT_URL).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Assume this role (e.g. a CI deploy role) with the credentials found, and work as it.
    #[arg(long, value_name = "ARN", value_parser = parse_role_arn)]
    pub role_arn: Option<String>,
    /// External id the role's trust policy requires (with --role-arn).
    #[arg(long, value_name = "ID", requires = "role_arn")]
    pub external_id: Option<String>,
    /// Session name of the assumed role, shown in CloudTrail (with --role-arn; default:
    /// matbakh-infra).
    #[arg(long, value_name = "NAME", requires = "role_arn", value_parser = parse_session_name)]
    pub role_session_name: Option<String>,
}

impl AwsArgs {
    pub fn options(&self) -> AwsOptions {
        AwsOptions {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
            role_arn: self.role_arn.clone(),
            external_id: self.external_id.clone(),
            role_session_name: self.role_session_name.clone(),
        }
    }

    /// Connects for `env`: refuses credentials of another account than the file names,
    /// before any stack is read.
    pub async fn connect(&self, env: &Environment) -> anyhow::Result<Connection> {
        Ok(connect(&self.options(), &env.account, &env.region).await?)
    }
}

/// The header every plan, apply and drift starts with (on stderr, so JSON on stdout
/// stays a document): which environment, account, region and credentials.
pub fn print_target(command: &str, env: &Environment, target: &Target, style: &Style) {
    eprintln!("{}", style.bold(&format!("{command} {} in {} / {}", env.name, target.account, target.region)));
    eprintln!("{}", style.dim(&format!("  as {} ({})", target.caller_arn, target.source)));
}

/// `arn:aws:iam::123456789012:role/path/name` (any partition).
fn parse_role_arn(value: &str) -> Result<String, String> {
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    let valid = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "iam"
        && parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts[5].strip_prefix("role/").is_some_and(|name| !name.is_empty());
    if valid {
        Ok(value.to_owned())
    } else {
        Err("expected a role ARN such as arn:aws:iam::123456789012:role/deploy".to_owned())
    }
}

/// STS allows 2-64 characters of `[\w+=,.@-]`.
fn parse_session_name(value: &str) -> Result<String, String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c);
    if (2..=64).contains(&value.len()) && value.chars().all(allowed) {
        Ok(value.to_owned())
    } else {
        Err("2 to 64 characters of letters, digits and _+=,.@-".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_and_session_names_are_checked_as_sts_does() {
        assert!(parse_role_arn("arn:aws:iam::123456789012:role/deploy").is_ok());
        assert!(parse_role_arn("arn:aws-cn:iam::123456789012:role/ci/deploy").is_ok());
        for bad in [
            "deploy",
            "arn:aws:iam::12345:role/deploy",
            "arn:aws:iam::123456789012:user/me",
            "arn:aws:iam::123456789012:role/",
        ] {
            assert!(parse_role_arn(bad).is_err(), "{bad}");
        }
        assert!(parse_session_name("github-actions@run.42").is_ok());
        assert!(parse_session_name("a").is_err());
        assert!(parse_session_name("has space").is_err());
        assert!(parse_session_name(&"x".repeat(65)).is_err());
    }
}
