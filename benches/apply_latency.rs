//! Wall time of `apply` (its plan included, as the CLI runs it) against a CloudFormation that answers every call after a fixed
//! delay: it should grow with the longest dependency chain, not with the number of
//! stacks. The account is the in-memory fake of tests/support/fake_cfn.rs with a 50 ms
//! latency per call (so the scheduling, not the emulator, is measured), polls every
//! 50 ms, concurrency 4. Reported: one stack alone (T1), the whole environment
//! from nothing (bootstrap + 10 stacks), the critical path in stacks (L: the dependency
//! waves, plus the bootstrap stack), and the ratio wall / (L × T1) — 1.0 means "as fast
//! as the longest chain allows"; a serial apply would be (stacks + 1) × T1.
//!
//! Then the whole of dev from nothing on the local AWS, through a proxy that holds every
//! request 0 ms and 100 ms (polls every 100 ms). Round trips = (wall at 100 ms − wall at
//! 0 ms) / 100 ms, so the local AWS's own work does not count as latency; divided by the
//! critical path, they are the sequential calls one stack costs (change set, its status,
//! execute, events and status until settled, resources, outputs).
//! Run: `cargo bench --bench apply_latency`. Needs `bash scripts/setup.sh`.

#[path = "../tests/support/bench_mode.rs"]
mod bench_mode;
#[path = "../tests/support/fake_cfn.rs"]
mod fake_cfn;
#[path = "../tests/support/latency_proxy.rs"]
mod latency_proxy;
#[path = "../tests/support/local_aws.rs"]
mod local_aws;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use fake_cfn::{FakeCfn, plan_and_apply};
use latency_proxy::LatencyProxy;
use local_aws::MotoProcess;
use matbakh_infra::apply::progress::Recorder;
use matbakh_infra::apply::{ApplyOptions, apply};
use matbakh_infra::aws::artifacts::S3Artifacts;
use matbakh_infra::aws::cloudformation::SdkCloudFormation;
use matbakh_infra::aws::services::SdkReaders;
use matbakh_infra::config::load::load_file;
use matbakh_infra::constructs::{self, bootstrap};
use matbakh_infra::plan::{PlanOptions, make_plan, needs_bucket};
use matbakh_infra::synth::{Format, Rendered, RenderedStack, render, render_stack};

const LATENCY: Duration = Duration::from_millis(50);

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let env = load_file(&root.join("stacks/dev.yaml")).expect("dev is valid").env;
    let rendered = render(&constructs::build(&env, &root).expect("dev builds"), Format::Json).expect("dev renders");
    let boot = render_stack(&bootstrap::build(&env), Format::Json).0;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let options = |deploy: BTreeSet<String>| ApplyOptions { poll: LATENCY, ..ApplyOptions::new(deploy) };
    let timed = |deploy: BTreeSet<String>| {
        runtime.block_on(async {
            let fake = FakeCfn { latency: LATENCY, ..FakeCfn::default() };
            let start = Instant::now();
            let report =
                plan_and_apply(&fake, &fake.store, &Recorder::default(), &rendered, &boot, &options(deploy)).await;
            assert_eq!(report.exit_status(), 0);
            start.elapsed()
        })
    };
    let one = timed(BTreeSet::from(["network".to_owned()]));
    let all_ids: BTreeSet<String> = rendered.stacks.iter().map(|s| s.id.clone()).collect();
    let stacks = all_ids.len() + 1;
    let mut runs: Vec<Duration> = (0..bench_mode::repetitions()).map(|_| timed(all_ids.clone())).collect();
    runs.sort();
    let all = runs[runs.len() / 2];
    let waves = rendered.graph.waves().unwrap().len() + 1;
    println!("apply_latency: {} ms per call, concurrency 4", LATENCY.as_millis());
    println!("  one stack alone (T1):               {:>7.0} ms", one.as_secs_f64() * 1000.0);
    println!("  bootstrap + {} stacks (median of 3): {:>7.0} ms", stacks - 1, all.as_secs_f64() * 1000.0);
    println!("  critical path L:                    {waves} stacks (serial would be {stacks})");
    println!("  ratio wall / (L x T1):              {:.2}", all.as_secs_f64() / (waves as f64 * one.as_secs_f64()));
    println!(
        "  ratio wall / ({stacks} x T1) (serial):   {:.2}",
        all.as_secs_f64() / (stacks as f64 * one.as_secs_f64())
    );
    runtime.block_on(on_the_local_aws(&root, &rendered, &boot, &all_ids));
}

const DELAY: Duration = Duration::from_millis(100);

/// Whole-dev apply from nothing on the local AWS, at 0 ms and at 100 ms per request.
async fn on_the_local_aws(root: &Path, rendered: &Rendered, boot: &RenderedStack, all: &BTreeSet<String>) {
    let moto = MotoProcess::start(root);
    let upstream = ([127, 0, 0, 1], moto.port).into();
    let mut runs = Vec::new();
    // As a smoke test, one pass without delay shows the path works; no figure.
    let delays = if bench_mode::measuring() { vec![Duration::ZERO, DELAY] } else { vec![Duration::ZERO] };
    for delay in delays {
        let proxy = LatencyProxy::start(upstream, delay, None).await;
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("eu-central-1"))
            .endpoint_url(&proxy.endpoint)
            .credentials_provider(aws_sdk_cloudformation::config::Credentials::new("t", "t", None, None, "t"))
            .load()
            .await;
        let (api, store) = (SdkCloudFormation::new(&config), S3Artifacts::new(&config));
        let options = ApplyOptions { poll: DELAY, ..ApplyOptions::new(all.clone()) };
        let start = Instant::now();
        // As `apply --yes`: the plan (its change sets), then exactly that plan executed.
        let plan_options = PlanOptions { poll: DELAY, ..PlanOptions::default() };
        let plan = make_plan(
            &api,
            &store,
            &SdkReaders::new(&config),
            rendered,
            needs_bucket(rendered).then_some(boot),
            &plan_options,
        )
        .await
        .expect("plan on the local AWS");
        let report = apply(&api, &store, &Recorder::default(), rendered, boot, &plan, &options).await;
        assert_eq!(report.exit_status(), 0, "apply on the local AWS");
        runs.push((start.elapsed(), proxy.requests.load(Ordering::SeqCst)));
        reset(moto.port);
    }
    let [(fast, _), (slow, requests)] = runs[..] else {
        println!("apply of dev from nothing on the local AWS: ran once (smoke test; `cargo bench` measures)");
        return;
    };
    let trips = (slow.as_secs_f64() - fast.as_secs_f64()) / DELAY.as_secs_f64();
    let waves = rendered.graph.waves().unwrap().len() + 1;
    println!("apply of dev from nothing on the local AWS, {} ms per request, polls every 100 ms", DELAY.as_millis());
    println!(
        "  {trips:.1} round trips ({requests} requests; wall {} ms at 100 ms/request, {} ms at 0 ms); {:.1} per stack on the critical path of {waves}",
        slow.as_millis(),
        fast.as_millis(),
        trips / waves as f64
    );
}

/// Empties the local AWS (moto's reset endpoint), for the next measurement.
fn reset(port: u16) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "POST /moto-api/reset HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
