//! Every resource type `synth` renders for dev, staging and prod (and apply's bootstrap
//! stack) has a complete model in the local AWS: created, updated in place and deleted
//! through CloudFormation, in the service's own backend. A type added to a construct
//! without a model fails here, not halfway through an end-to-end apply.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use common::{ENVIRONMENTS, load_env, render_env, repo_root};
use matbakh_infra::constructs::bootstrap;
use matbakh_infra::synth::{Format, render_stack};

fn types_of(body: &str, into: &mut BTreeSet<String>) {
    let template: serde_json::Value = serde_json::from_str(body).unwrap();
    for resource in template["Resources"].as_object().unwrap().values() {
        into.insert(resource["Type"].as_str().unwrap().to_owned());
    }
}

#[test]
fn every_rendered_resource_type_has_a_local_aws_model() {
    let mut rendered = BTreeSet::new();
    for env in ENVIRONMENTS {
        for stack in &render_env(env, Format::Json).stacks {
            types_of(&stack.body, &mut rendered);
        }
        types_of(&render_stack(&bootstrap::build(&load_env(env)), Format::Json).0.body, &mut rendered);
    }
    let out = Command::new(common::venv_tool("python"))
        .args(["-m", "local_aws", "--list-types"])
        .current_dir(repo_root().join("scripts"))
        .env("PYTHONPATH", repo_root().join("scripts"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let modelled: BTreeSet<String> = String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect();
    let missing: Vec<&String> = rendered.difference(&modelled).collect();
    assert!(rendered.len() > 50, "the templates render {} types", rendered.len());
    assert!(missing.is_empty(), "rendered but not modelled by the local AWS: {missing:?}");
}
