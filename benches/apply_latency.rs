//! Wall time of `apply` against a CloudFormation that answers every call after a fixed
//! delay: it should grow with the longest dependency chain, not with the number of
//! stacks. The account is the in-memory fake of tests/support/fake_cfn.rs with a 50 ms
//! latency per call (the local AWS cannot create dev's later stacks, see README), polls
//! every 50 ms, concurrency 4. Reported: one stack alone (T1), the whole environment
//! from nothing (bootstrap + 10 stacks), the critical path in stacks (L: the dependency
//! waves, plus the bootstrap stack), and the ratio wall / (L × T1) — 1.0 means "as fast
//! as the longest chain allows"; a serial apply would be (stacks + 1) × T1.
//! Run: `cargo bench --bench apply_latency`.

#[path = "../tests/support/fake_cfn.rs"]
mod fake_cfn;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use fake_cfn::FakeCfn;
use matbakh_infra::apply::progress::Recorder;
use matbakh_infra::apply::{ApplyOptions, apply};
use matbakh_infra::config::load::load_file;
use matbakh_infra::constructs::{self, bootstrap};
use matbakh_infra::synth::{Format, render, render_stack};

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
            let report = apply(&fake, &fake.store, &Recorder::default(), &rendered, &boot, &options(deploy)).await;
            assert_eq!(report.exit_status(), 0);
            start.elapsed()
        })
    };
    let one = timed(BTreeSet::from(["network".to_owned()]));
    let all_ids: BTreeSet<String> = rendered.stacks.iter().map(|s| s.id.clone()).collect();
    let stacks = all_ids.len() + 1;
    let mut runs: Vec<Duration> = (0..3).map(|_| timed(all_ids.clone())).collect();
    runs.sort();
    let all = runs[1];
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
}
