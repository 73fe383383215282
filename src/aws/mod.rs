//! Talking to AWS through the official SDK for Rust. Everything else in the crate sees
//! only the traits and plain types defined here, so plan, apply and drift can be
//! tested at this boundary with response shapes taken from the AWS API reference.

pub mod cloudformation;
mod config;

pub use config::{AwsOptions, load_config};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum AwsError {
    /// A service error, with its code (e.g. `ValidationError`) and message.
    #[error("{operation}: {code}: {message}")]
    Service { operation: &'static str, code: String, message: String },
    /// No answer: connection refused, timeout, bad endpoint, missing credentials.
    #[error("{operation}: {detail}; check the endpoint (--endpoint-url / AWS_ENDPOINT_URL), region and credentials")]
    Transport { operation: &'static str, detail: String },
    /// An operation the endpoint does not implement (e.g. the local AWS's missing APIs).
    #[error("{operation} is not supported by this endpoint: {detail}")]
    Unsupported { operation: &'static str, detail: String },
}

impl AwsError {
    pub fn code(&self) -> Option<&str> {
        match self {
            AwsError::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Converts an SDK error, keeping the whole cause chain for transport failures.
    pub(crate) fn from_sdk<E>(
        operation: &'static str,
        err: aws_sdk_cloudformation::error::SdkError<E, aws_sdk_cloudformation::config::http::HttpResponse>,
    ) -> Self
    where
        E: aws_sdk_cloudformation::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        use aws_sdk_cloudformation::error::{DisplayErrorContext, SdkError};
        match &err {
            SdkError::ServiceError(service) => {
                let e = service.err();
                match e.code() {
                    Some(code) => AwsError::Service {
                        operation,
                        code: code.to_owned(),
                        message: e.message().unwrap_or_default().to_owned(),
                    },
                    // No AWS error code: the endpoint answered something that is not an
                    // AWS error (an emulator's HTML page for an API or case it lacks).
                    None => AwsError::Unsupported {
                        operation,
                        detail: format!("HTTP {} without an AWS error code", service.raw().status().as_u16()),
                    },
                }
            }
            // An answer that is not an AWS response at all: an emulator's HTML error page
            // for an API it lacks, or a proxy in the way.
            SdkError::ResponseError(_) => {
                AwsError::Unsupported { operation, detail: DisplayErrorContext(&err).to_string() }
            }
            _ => AwsError::Transport { operation, detail: transport_detail(&DisplayErrorContext(&err).to_string()) },
        }
    }
}

/// The readable part of a transport error: the SDK appends a `Debug` dump of the whole
/// error in parentheses, and credential failures deserve a plain instruction.
fn transport_detail(full: &str) -> String {
    if full.contains("loading credentials") {
        return "no AWS credentials found (set AWS_PROFILE or --profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
            .to_owned();
    }
    match full.find(" (DispatchFailure(").or_else(|| full.find(" (TimeoutError(")) {
        Some(i) => full[..i].to_owned(),
        None => full.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::transport_detail;

    #[test]
    fn transport_errors_drop_the_debug_dump_and_explain_missing_credentials() {
        let cred = "dispatch failure: other: an error occurred while loading credentials: failed (DispatchFailure(X))";
        assert!(transport_detail(cred).starts_with("no AWS credentials found"));
        let refused = "dispatch failure: io error: tcp connect error: Connection refused (DispatchFailure(DispatchFailure { .. }))";
        assert_eq!(transport_detail(refused), "dispatch failure: io error: tcp connect error: Connection refused");
    }
}
