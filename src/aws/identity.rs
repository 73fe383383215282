//! Which account the credentials belong to (STS `GetCallerIdentity`), checked against
//! the account an environment file names before any stack is read or changed, like
//! Terraform's `allowed_account_ids` and CDK's environment-bound stacks.

use std::fmt;
use std::future::Future;

use thiserror::Error;

use super::AwsError;

/// Where the credentials came from, as the user would name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialSource {
    /// A named profile; `sso` when it signs in through IAM Identity Center.
    Profile { name: String, from: ProfileChoice, sso: bool },
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` in the environment.
    EnvironmentKeys,
    /// `AWS_WEB_IDENTITY_TOKEN_FILE` (e.g. GitHub Actions OIDC, EKS).
    WebIdentity,
    /// Nothing explicit: the SDK's default chain (profile `default`, container or
    /// instance role).
    DefaultChain,
    /// A role assumed (`--role-arn`) with credentials from `base`.
    AssumedRole { role_arn: String, base: Box<CredentialSource> },
}

/// How a profile was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileChoice {
    Flag,
    EnvVar,
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialSource::Profile { name, from, sso } => {
                let from = match from {
                    ProfileChoice::Flag => "--profile",
                    ProfileChoice::EnvVar => "AWS_PROFILE",
                };
                write!(f, "profile `{name}` ({from}{})", if *sso { ", SSO" } else { "" })
            }
            CredentialSource::EnvironmentKeys => {
                write!(f, "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY")
            }
            CredentialSource::WebIdentity => write!(f, "web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)"),
            CredentialSource::DefaultChain => {
                write!(f, "the default credential chain (profile `default`, container or instance role)")
            }
            CredentialSource::AssumedRole { role_arn, base } => write!(f, "role {role_arn} assumed with {base}"),
        }
    }
}

/// Who STS says the caller is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account: String,
    /// The user or assumed-role ARN.
    pub arn: String,
}

/// The account and region a command works on, and the credentials it uses: shown in
/// every plan, apply and drift header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub account: String,
    pub region: String,
    pub caller_arn: String,
    pub source: CredentialSource,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {} as {} ({})", self.account, self.region, self.caller_arn, self.source)
    }
}

/// STS, at the boundary the tests fake.
pub trait IdentityApi: Send + Sync {
    fn caller_identity(&self) -> impl Future<Output = Result<CallerIdentity, AwsError>> + Send;
}

pub struct SdkIdentity {
    client: aws_sdk_sts::Client,
}

impl SdkIdentity {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        SdkIdentity { client: aws_sdk_sts::Client::new(config) }
    }
}

impl IdentityApi for SdkIdentity {
    async fn caller_identity(&self) -> Result<CallerIdentity, AwsError> {
        let out =
            self.client.get_caller_identity().send().await.map_err(|e| AwsError::from_sdk("GetCallerIdentity", e))?;
        // The API reference documents both fields as always present for a signed call.
        match (out.account(), out.arn()) {
            (Some(account), Some(arn)) => Ok(CallerIdentity { account: account.to_owned(), arn: arn.to_owned() }),
            _ => Err(AwsError::Unreadable {
                operation: "GetCallerIdentity",
                detail: "the answer has no Account or Arn".to_owned(),
            }),
        }
    }
}

#[derive(Debug, Error)]
pub enum IdentityError {
    #[error(
        "the credentials belong to account {actual} ({arn}, from {credentials}), but the environment file names account {expected}; nothing was read or changed. Use credentials for account {expected} (--profile, --role-arn), or fix `account:` in the environment file if it is wrong"
    )]
    WrongAccount { expected: String, actual: String, arn: String, credentials: CredentialSource },
    #[error(
        "cannot tell which account the credentials from {credentials} belong to ({cause}); nothing was read or changed. Check them (e.g. `aws sts get-caller-identity`, `aws sso login`) and the endpoint"
    )]
    Unknown { credentials: CredentialSource, cause: AwsError },
}

/// Asks STS who the caller is and refuses any account but `expected`.
pub async fn verify_account(
    api: &impl IdentityApi,
    expected: &str,
    region: &str,
    source: CredentialSource,
) -> Result<Target, IdentityError> {
    let identity = match api.caller_identity().await {
        Ok(identity) => identity,
        Err(cause) => return Err(IdentityError::Unknown { credentials: source, cause }),
    };
    if identity.account != expected {
        return Err(IdentityError::WrongAccount {
            expected: expected.to_owned(),
            actual: identity.account,
            arn: identity.arn,
            credentials: source,
        });
    }
    Ok(Target { account: identity.account, region: region.to_owned(), caller_arn: identity.arn, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Sts(Result<CallerIdentity, &'static str>);

    impl IdentityApi for Sts {
        async fn caller_identity(&self) -> Result<CallerIdentity, AwsError> {
            self.0.clone().map_err(|code| AwsError::Service {
                operation: "GetCallerIdentity",
                code: code.to_owned(),
                message: "The security token included in the request is expired".to_owned(),
            })
        }
    }

    fn caller(account: &str) -> Sts {
        Sts(Ok(CallerIdentity {
            account: account.to_owned(),
            arn: format!("arn:aws:sts::{account}:assumed-role/deploy/ci"),
        }))
    }

    fn profile() -> CredentialSource {
        CredentialSource::Profile { name: "prod-admin".into(), from: ProfileChoice::Flag, sso: true }
    }

    #[tokio::test]
    async fn the_named_account_passes_and_becomes_the_target() {
        let target = verify_account(&caller("111122223333"), "111122223333", "eu-central-1", profile()).await.unwrap();
        assert_eq!(target.account, "111122223333");
        assert_eq!(
            target.to_string(),
            "111122223333 / eu-central-1 as arn:aws:sts::111122223333:assumed-role/deploy/ci (profile `prod-admin` (--profile, SSO))"
        );
    }

    #[tokio::test]
    async fn another_account_is_refused_naming_both_and_the_source() {
        let err = verify_account(&caller("444455556666"), "111122223333", "eu-central-1", profile()).await.unwrap_err();
        let text = err.to_string();
        for part in ["account 444455556666", "account 111122223333", "profile `prod-admin` (--profile, SSO)"] {
            assert!(text.contains(part), "{part} in {text}");
        }
    }

    /// Stands for STS refusing expired credentials: `ExpiredToken` (HTTP 403), as the
    /// GetCallerIdentity API reference lists among the common errors.
    #[tokio::test]
    async fn an_unanswered_identity_is_an_error_not_a_pass() {
        let source = CredentialSource::AssumedRole {
            role_arn: "arn:aws:iam::111122223333:role/deploy".into(),
            base: Box::new(CredentialSource::EnvironmentKeys),
        };
        let err = verify_account(&Sts(Err("ExpiredToken")), "111122223333", "eu-central-1", source).await.unwrap_err();
        let text = err.to_string();
        assert!(text.contains("ExpiredToken"), "{text}");
        assert!(
            text.contains("role arn:aws:iam::111122223333:role/deploy assumed with environment variables"),
            "{text}"
        );
    }
}
