//! Shared by the local-AWS tests and benchmarks: the local AWS on a free port (stopped
//! when dropped) and creating a rendered stack through the SDK the way apply passes
//! parameters (every one explicitly, with its default).
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_cloudformation::types::Parameter;
use matbakh_infra::plan::prepare::parameter_defaults;

/// The local AWS (moto plus `scripts/local_aws`) on a free port, stopped by its pid
/// when dropped. Its log is kept in the temp folder (`local-aws-PORT.log`).
pub struct MotoProcess {
    pub port: u16,
    pub log: PathBuf,
    child: Child,
}

impl MotoProcess {
    /// Starts `python -m local_aws` from the venv of the repository at `root`.
    pub fn start(root: &Path) -> MotoProcess {
        let python = root.join(".venv/bin/python");
        assert!(python.exists(), "{} not found: run `bash scripts/setup.sh` first", python.display());
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log = std::env::temp_dir().join(format!("local-aws-{port}.log"));
        let file = std::fs::File::create(&log).unwrap();
        let mut child = Command::new(python)
            .args(["-m", "local_aws", "-H", "127.0.0.1", "-p", &port.to_string()])
            .current_dir(root.join("scripts"))
            .env("PYTHONPATH", root.join("scripts"))
            .env("LOCAL_AWS_HOSTED_ZONES", operator_hosted_zones(root))
            .stdout(Stdio::from(file.try_clone().unwrap()))
            .stderr(Stdio::from(file))
            .spawn()
            .expect("the local AWS starts");
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("the local AWS exited ({status}); see {}", log.display());
            }
            assert!(start.elapsed() < Duration::from_secs(60), "the local AWS did not start; see {}", log.display());
            std::thread::sleep(Duration::from_millis(50));
        }
        MotoProcess { port, log, child }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for MotoProcess {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

/// The local AWS is one account: moto's default, which dev names.
pub const LOCAL_ACCOUNT: &str = "123456789012";

/// The Route 53 zones the environment files name (`api.custom_domain.hosted_zone_id`),
/// as `ZONEID=zone,...` for the local AWS to create: on AWS an operator creates them before
/// the first apply, with ids Route 53 picks. The zone is the domain's parent
/// (`api.matbakh.app` → `matbakh.app`).
pub fn operator_hosted_zones(root: &Path) -> String {
    let mut zones = Vec::new();
    for entry in std::fs::read_dir(root.join("stacks")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let env: matbakh_infra::config::Environment =
            serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if let Some(domain) = env.api.custom_domain
            && let Some(zone_id) = domain.hosted_zone_id
        {
            let zone = domain.domain_name.split_once('.').map_or(domain.domain_name.as_str(), |(_, parent)| parent);
            zones.push(format!("{zone_id}={zone}"));
        }
    }
    zones.sort();
    zones.dedup();
    zones.join(",")
}

/// A copy of `stacks/` (every environment file) that a test may edit, next to a copy of
/// the example code the files point at (asset paths must stay inside the repository, so
/// a link out of it would be refused). Every environment names the local AWS's account,
/// as an operator sets `account:` to theirs (staging and prod name another one).
pub fn workspace_at(root: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("stacks")).unwrap();
    for entry in std::fs::read_dir(root.join("stacks")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let local: String = text
                .lines()
                .map(
                    |l| if l.starts_with("account: ") { format!("account: \"{LOCAL_ACCOUNT}\"") } else { l.to_owned() },
                )
                .collect::<Vec<_>>()
                .join("\n");
            std::fs::write(dir.path().join("stacks").join(path.file_name().unwrap()), local + "\n").unwrap();
        }
    }
    for entry in walkdir::WalkDir::new(root.join("examples")) {
        let entry = entry.unwrap();
        let target = dir.path().join(entry.path().strip_prefix(root).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    dir
}

/// Runs the CLI from `cwd` against `endpoint` with dummy credentials and no other AWS
/// settings of the machine.
pub fn run_cli(endpoint: &str, args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_matbakh-infra"))
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("NO_COLOR", "1")
        .output()
        .expect("the matbakh-infra binary runs")
}

/// Deploys environment `env` the way a user does (`apply --env ENV --yes`), after
/// replacing `edit.0` by `edit.1` in its file when given.
pub fn apply_env(root: &Path, endpoint: &str, env: &str, edit: Option<(&str, &str)>) {
    let dir = workspace_at(root);
    if let Some((from, to)) = edit {
        let path = dir.path().join("stacks").join(format!("{env}.yaml"));
        let body = std::fs::read_to_string(&path).unwrap();
        assert!(body.contains(from), "{from} not in {env}.yaml");
        std::fs::write(&path, body.replace(from, to)).unwrap();
    }
    let out = run_cli(endpoint, &["apply", "--env", env, "--yes"], dir.path());
    assert!(
        out.status.success(),
        "apply --env {env} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// CreateStack with `body`, every parameter passed with its default (as apply passes them).
pub async fn create_stack(client: &aws_sdk_cloudformation::Client, name: &str, body: &str) {
    let template: serde_json::Value = serde_json::from_str(body).unwrap();
    let params = parameter_defaults(&template)
        .into_iter()
        .map(|(k, v)| Parameter::builder().parameter_key(k).parameter_value(v).build());
    client
        .create_stack()
        .stack_name(name)
        .template_body(body)
        .set_parameters(Some(params.collect()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("the local AWS creates {name}: {e:?}"));
}
