//! validate + synth of a whole environment: load the YAML (parse, JSON Schema, rules),
//! build the typed model, package and hash the code assets, and render every template
//! with the manifest. Targets: under 20 ms for prod (issue 3), under 50 ms including
//! asset hashing (issue 4), on a 2-core machine.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use matbakh_infra::config::load::load_file;
use matbakh_infra::constructs;
use matbakh_infra::synth::{Format, render};

fn validate_and_synth(c: &mut Criterion) {
    for env in ["prod", "dev"] {
        let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("stacks/{env}.yaml"));
        c.bench_function(&format!("validate+synth {env}"), |b| {
            b.iter(|| {
                let loaded = load_file(black_box(&file)).expect("environment is valid");
                let assembly = constructs::build(&loaded.env, &loaded.base_dir()).expect("builds");
                let rendered = render(&assembly, Format::Json).expect("renders");
                black_box(rendered)
            })
        });
    }
}

criterion_group!(benches, validate_and_synth);
criterion_main!(benches);
