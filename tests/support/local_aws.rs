//! Shared by the local-AWS tests and benchmarks: the local AWS on a free port (stopped
//! when dropped) and creating a rendered stack through the SDK the way apply passes
//! parameters (every one explicitly, with its default).
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_cloudformation::types::Parameter;
use matbakh_infra::apply::deploy::parameter_defaults;

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

/// CreateStack with `body`, every parameter of `template_of_params` passed with its default.
pub async fn create_stack(client: &aws_sdk_cloudformation::Client, name: &str, body: &str, template_of_params: &str) {
    let template: serde_json::Value = serde_json::from_str(template_of_params).unwrap();
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
