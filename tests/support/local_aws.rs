//! Shared by the local-AWS tests and benchmarks: a moto server on a free port (stopped
//! when dropped) and creating a rendered stack through the SDK the way apply passes
//! parameters (every one explicitly, with its default).
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use aws_sdk_cloudformation::types::Parameter;
use matbakh_infra::apply::deploy::parameter_defaults;

pub struct MotoProcess {
    pub port: u16,
    child: Child,
}

impl MotoProcess {
    /// Starts `.venv/bin/moto_server` of the repository at `root`.
    pub fn start(root: &Path) -> MotoProcess {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(root.join(".venv/bin/moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run `bash scripts/setup.sh` first: moto_server not found");
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            std::thread::sleep(Duration::from_millis(100));
        }
        MotoProcess { port, child }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for MotoProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
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
