//! §7 `raw/external-apis/`: the functions that call Google and Facebook archive the
//! responses there. They may write that prefix and nothing else of the lake (no read, no
//! delete): a compromised function cannot read personal data or destroy what is there.

use crate::cfn::resources::iam::{Policy, PolicyDocument, Statement};
use crate::cfn::resources::kms::Key;
use crate::cfn::resources::s3::Bucket;
use crate::cfn::{Handle, Str, Template};

use super::super::kms::via_service;
use super::EXTERNAL_APIS_PREFIX;

/// Grants the execution roles (their names) write access to `raw/external-apis/`.
pub fn grant(t: &mut Template, bucket: &Handle<Bucket>, key: &Handle<Key>, roles: Vec<Str>) {
    if roles.is_empty() {
        return;
    }
    t.add(
        "ExternalApiArchivePolicy",
        Policy {
            policy_name: "archive-external-apis".into(),
            policy_document: PolicyDocument::new(vec![
                Statement::allow(
                    "WriteExternalApiResponses",
                    &["s3:PutObject"],
                    vec![Str::concat([bucket.arn(), Str::lit(format!("/{EXTERNAL_APIS_PREFIX}*"))])],
                ),
                // The bucket encrypts with the data lake key: a put needs a data key from it.
                Statement::allow("EncryptWithDataLakeKey", &["kms:GenerateDataKey"], vec![key.arn()]).when(
                    "StringEquals",
                    "kms:ViaService",
                    vec![via_service("s3")],
                ),
            ]),
            roles,
        },
    );
}
