//! The environment's SES sending identity (`functions.ses_identity`), in the `app` stack:
//! the welcome mail (post-confirmation) and the user pool's own mail (`auth`, which
//! imports from `app`) both send from it, so both refer to the resource instead of a
//! hand-built ARN, and neither deploys before it exists.
//!
//! A domain gets Easy DKIM (SES generates a 2048-bit key): SES verifies the domain once
//! the three DKIM CNAME records are in its DNS. No hosted zone is configured, so the
//! records are stack outputs (`DkimRecord1..3`, `<name> CNAME <value>`) for whoever runs
//! the domain's DNS. An address identity is verified by the link SES mails to it.

use crate::cfn::resources::ses::{DkimAttributes, DkimKeyLength, DkimSigningAttributes, EmailIdentity, identity_arn};
use crate::cfn::{Stack, Str};

use super::context::Context;

/// Adds the identity and, for a domain, its DKIM records as outputs. Returns the
/// identity's ARN (built from its `Ref`).
pub fn ses_identity(ctx: &Context, stack: &mut Stack) -> Str {
    let identity = ctx.env.functions.ses_identity.clone();
    let domain = !identity.contains('@');
    let handle = stack.template.add(
        "SesIdentity",
        EmailIdentity {
            email_identity: identity,
            dkim_signing_attributes: domain
                .then_some(DkimSigningAttributes { next_signing_key_length: DkimKeyLength::Rsa2048 }),
            dkim_attributes: domain.then_some(DkimAttributes { signing_enabled: true }),
        },
    );
    if domain {
        let records = [
            (handle.dkim_token_name_1(), handle.dkim_token_value_1()),
            (handle.dkim_token_name_2(), handle.dkim_token_value_2()),
            (handle.dkim_token_name_3(), handle.dkim_token_value_3()),
        ];
        for (i, (name, value)) in records.into_iter().enumerate() {
            stack.output(
                &format!("DkimRecord{}", i + 1),
                "A DKIM record the SES identity's domain needs in its DNS",
                Str::concat([name, Str::lit(" CNAME "), value]),
            );
        }
    }
    identity_arn(handle.r#ref())
}
