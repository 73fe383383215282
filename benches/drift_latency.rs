//! Round trips of `drift`: a proxy in front of the local AWS holds every request for
//! 100 ms; drift's wall time at 100 ms minus its wall time through the same proxy at
//! 0 ms, divided by the delay, is the number of sequential round trips (the local AWS's
//! own work is measured apart that way). Deploys all of dev with `apply` and checks it:
//! every stack's DescribeStacks, GetTemplate and ListStackResources at once plus
//! DetectStackDrift (not implemented there), then every service read at once.
//! Target (issue 7): ≤ 4 round trips.
//! Needs `bash scripts/setup.sh`. Run: `cargo bench --bench drift_latency`.

#[path = "../tests/support/bench_mode.rs"]
mod bench_mode;
#[path = "../tests/support/latency_proxy.rs"]
mod latency_proxy;
#[path = "../tests/support/local_aws.rs"]
mod local_aws;

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use latency_proxy::LatencyProxy;
use local_aws::{MotoProcess, apply_env};
use matbakh_infra::aws::cloudformation::SdkCloudFormation;
use matbakh_infra::aws::services::SdkReaders;
use matbakh_infra::config::load::load_file;
use matbakh_infra::drift::{DriftOptions, make_drift};
use matbakh_infra::synth::{Format, render};

const DELAY: Duration = Duration::from_millis(100);

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let moto = MotoProcess::start(&root);
    let port = moto.port;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let loaded = load_file(&root.join("stacks/dev.yaml")).expect("dev is valid");
        let rendered = render(&matbakh_infra::constructs::build(&loaded.env, &root).unwrap(), Format::Json).unwrap();
        apply_env(&root, &format!("http://127.0.0.1:{port}"), "dev", None);

        let slow = LatencyProxy::start(([127, 0, 0, 1], port).into(), DELAY, None).await;
        let fast = LatencyProxy::start(([127, 0, 0, 1], port).into(), Duration::ZERO, None).await;
        let options = DriftOptions::default();
        println!("drift of {} stacks through a {} ms-per-request proxy", rendered.stacks.len(), DELAY.as_millis());
        let best = |proxy: &LatencyProxy| {
            let (endpoint, requests, rendered, options) =
                (proxy.endpoint.clone(), proxy.requests.clone(), &rendered, &options);
            async move {
                let config = config(&endpoint).await;
                let (cfn, readers) = (SdkCloudFormation::new(&config), SdkReaders::new(&config));
                let mut best = (Duration::MAX, 0, 0);
                for _ in 0..bench_mode::repetitions() {
                    let before = requests.load(Ordering::SeqCst);
                    let start = Instant::now();
                    let report = make_drift(&cfn, &cfn, &readers, rendered, options).await.expect("drift");
                    let wall = start.elapsed();
                    if wall < best.0 {
                        best = (wall, requests.load(Ordering::SeqCst) - before, report.summary.resources_checked);
                    }
                }
                best
            }
        };
        let (slow_wall, requests, checked) = best(&slow).await;
        let (fast_wall, _, _) = best(&fast).await;
        let raw = slow_wall.as_secs_f64() / DELAY.as_secs_f64();
        let trips = (slow_wall.as_secs_f64() - fast_wall.as_secs_f64()) / DELAY.as_secs_f64();
        println!(
            "  {trips:.2} round trips ({requests} requests, {checked} resources checked; wall {} ms at 100 ms/request, {} ms at 0 ms; raw ratio {raw:.2}); target ≤ 4",
            slow_wall.as_millis(),
            fast_wall.as_millis(),
        );
    });
    drop(moto);
}

async fn config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("eu-central-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_cloudformation::config::Credentials::new(
            "testing", "testing", None, None, "bench",
        ))
        .load()
        .await
}
