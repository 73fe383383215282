//! The local AWS for tests (moto plus `scripts/local_aws`) on a free port, stopped by
//! its pid when the test ends.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use super::local_aws::MotoProcess;
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

    /// Runs the CLI against this server, from `cwd`, with isolated AWS settings.
    pub fn cli(&self, args: &[&str], cwd: &Path) -> Output {
        Command::new(super::bin())
            .args(args)
            .current_dir(cwd)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("NO_COLOR", "1")
            .output()
            .expect("binary runs")
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
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("stacks")).unwrap();
    for env in super::ENVIRONMENTS {
        let name = format!("{env}.yaml");
        std::fs::copy(repo_root().join("stacks").join(&name), dir.path().join("stacks").join(&name)).unwrap();
    }
    std::os::unix::fs::symlink(repo_root().join("examples"), dir.path().join("examples")).unwrap();
    dir
}
