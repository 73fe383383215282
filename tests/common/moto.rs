//! The local AWS for tests (moto plus `scripts/local_aws`) on a free port, stopped by
//! its pid when the test ends.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use super::local_aws::{MotoProcess, run_cli, workspace_at};
use super::repo_root;

pub struct Moto {
    pub endpoint: String,
    _process: MotoProcess,
}

impl Moto {
    pub fn start() -> Moto {
        let process = MotoProcess::start(&repo_root());
        Moto { endpoint: process.endpoint(), _process: process }
    }

    /// An SDK configuration pointing at this server with dummy credentials.
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("eu-central-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(aws_sdk_cloudformation::config::Credentials::new(
                "testing", "testing", None, None, "test",
            ))
            .load()
            .await
    }

    /// A local AWS with dev applied from a fresh workspace (returned for further edits).
    pub fn with_dev_applied() -> (Moto, tempfile::TempDir) {
        let moto = Moto::start();
        let dir = workspace();
        let applied = moto.cli(&["apply", "--env", "dev", "--yes"], dir.path());
        assert_eq!(
            applied.status.code(),
            Some(0),
            "{}{}",
            String::from_utf8_lossy(&applied.stdout),
            String::from_utf8_lossy(&applied.stderr)
        );
        (moto, dir)
    }

    /// Runs the CLI against this server, from `cwd`, with isolated AWS settings.
    pub fn cli(&self, args: &[&str], cwd: &Path) -> Output {
        run_cli(&self.endpoint, args, cwd)
    }
}

/// Logical id → physical id of a stack's resources.
pub async fn physical_ids(client: &aws_sdk_cloudformation::Client, stack: &str) -> BTreeMap<String, String> {
    let out = client.list_stack_resources().stack_name(stack).send().await.unwrap();
    out.stack_resource_summaries()
        .iter()
        .map(|r| (r.logical_resource_id().unwrap().to_owned(), r.physical_resource_id().unwrap_or_default().to_owned()))
        .collect()
}

/// A copy of the stacks folder (with the example code next to it) that a test may edit.
pub fn workspace() -> tempfile::TempDir {
    workspace_at(&repo_root())
}
