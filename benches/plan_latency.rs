//! Round trips of `plan`: a proxy in front of the local AWS holds every request for
//! 100 ms; plan's wall time divided by that delay is the number of sequential round
//! trips. The local AWS's own work (its CreateChangeSet alone takes 250-400 ms) is
//! measured through the same proxy with no delay and reported apart: the round trips
//! are (wall at 100 ms − wall at 0 ms) / 100 ms. The whole of dev is deployed first (with
//! one tag different from the code, so all ten stacks have changes). Targets (issue 5):
//! ≤ 3 without change sets, ≤ 10 with them. Needs `bash scripts/setup.sh`.
//! Run: `cargo bench --bench plan_latency`.

#[path = "../tests/support/bench_mode.rs"]
mod bench_mode;
#[path = "../tests/support/latency_proxy.rs"]
mod latency_proxy;
#[path = "../tests/support/local_aws.rs"]
mod local_aws;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use latency_proxy::LatencyProxy;
use local_aws::{MotoProcess, apply_env};
use matbakh_infra::aws::artifacts::S3Artifacts;
use matbakh_infra::aws::cloudformation::SdkCloudFormation;
use matbakh_infra::aws::services::SdkReaders;
use matbakh_infra::config::load::load_file;
use matbakh_infra::constructs::bootstrap;
use matbakh_infra::plan::{PlanOptions, discard, make_plan, needs_bucket};
use matbakh_infra::synth::{Format, render, render_stack};

const DELAY: Duration = Duration::from_millis(100);

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let moto = MotoProcess::start(&root);
    let port = moto.port;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let loaded = load_file(&root.join("stacks/dev.yaml")).expect("dev is valid");
        let rendered = render(&matbakh_infra::constructs::build(&loaded.env, &root).unwrap(), Format::Json).unwrap();
        // Deploy all of dev with one tag different from the code, so every stack has a
        // change (and, with change sets on, a change set to make).
        apply_env(&root, &format!("http://127.0.0.1:{port}"), "dev", Some(("cost-center: engineering", "cost-center: finance")));

        let slow = LatencyProxy::start(([127, 0, 0, 1], port).into(), DELAY, None).await;
        let fast = LatencyProxy::start(([127, 0, 0, 1], port).into(), Duration::ZERO, None).await;
        let (slow_config, fast_config) = (config(&slow.endpoint).await, config(&fast.endpoint).await);
        let clients = |c: &aws_config::SdkConfig| (SdkCloudFormation::new(c), S3Artifacts::new(c), SdkReaders::new(c));
        let (slow_api, fast_api) = (clients(&slow_config), clients(&fast_config));
        let boot = render_stack(&bootstrap::build(&loaded.env), Format::Json).0;
        println!("plan of {} stacks through a {} ms-per-request proxy", rendered.stacks.len(), DELAY.as_millis());
        for change_sets in [false, true] {
            let options = PlanOptions { change_sets, ..PlanOptions::default() };
            let best = |api: &(SdkCloudFormation, S3Artifacts, SdkReaders), proxy: &LatencyProxy| {
                let (api, proxy, rendered, options) = (api.clone(), proxy.requests.clone(), &rendered, &options);
                let boot = needs_bucket(rendered).then_some(&boot);
                async move {
                    let mut best = (Duration::MAX, 0);
                    for _ in 0..bench_mode::repetitions() {
                        let before = proxy.load(std::sync::atomic::Ordering::SeqCst);
                        let start = Instant::now();
                        // As the command runs: plan, then its change sets deleted.
                        let plan = make_plan(&api.0, &api.1, &api.2, rendered, boot, options).await.expect("plan");
                        assert!(plan.has_changes());
                        assert!(discard(&api.0, &plan, options.backoff).await.is_empty());
                        let wall = start.elapsed();
                        if wall < best.0 {
                            best = (wall, proxy.load(std::sync::atomic::Ordering::SeqCst) - before);
                        }
                    }
                    best
                }
            };
            let (slow_wall, requests) = best(&slow_api, &slow).await;
            let (fast_wall, _) = best(&fast_api, &fast).await;
            let raw = slow_wall.as_secs_f64() / DELAY.as_secs_f64();
            let trips = (slow_wall.as_secs_f64() - fast_wall.as_secs_f64()) / DELAY.as_secs_f64();
            println!(
                "  change sets {:<3}: {trips:.2} round trips ({requests} requests; wall {} ms at 100 ms/request, {} ms at 0 ms; raw ratio {raw:.2}); target ≤ {}",
                if change_sets { "on" } else { "off" },
                slow_wall.as_millis(),
                fast_wall.as_millis(),
                if change_sets { 10 } else { 3 }
            );
        }
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
