//! Every rendered template of every environment passes cfn-lint (the pinned version in
//! scripts/requirements.txt) with zero errors and zero warnings.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{ENVIRONMENTS, load_env, render_env, render_environment, switched_on, venv_tool};
use matbakh_infra::constructs::bootstrap;
use matbakh_infra::synth::{Format, render_stack, write};

#[test]
fn every_template_of_every_environment_is_cfn_lint_clean() {
    let cfn_lint = venv_tool("cfn-lint");
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for env in ENVIRONMENTS {
        for format in [Format::Json, Format::Yaml] {
            let rendered = render_env(env, format);
            let out = dir.path().join(format!("{env}-{}", format.extension()));
            write(&rendered, &out).unwrap();
            files.extend(rendered.stacks.iter().map(|s| out.join(&s.file)));
            // apply's bootstrap stack (the artifacts bucket) too.
            let (boot, _) = render_stack(&bootstrap::build(&load_env(env)), format);
            std::fs::write(out.join(&boot.file), &boot.body).unwrap();
            files.push(out.join(&boot.file));
        }
    }
    assert!(files.len() >= ENVIRONMENTS.len() * 2 * 11, "expected ten stacks and bootstrap per environment");
    assert_clean(&cfn_lint, &files);
}

#[test]
fn features_no_shipped_environment_turns_on_are_cfn_lint_clean() {
    // The identity pool and QuickSight are off in every stacks/*.yaml; prod with both on.
    let env = switched_on("prod");
    let cfn_lint = venv_tool("cfn-lint");
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for format in [Format::Json, Format::Yaml] {
        let rendered = render_environment(&env, format);
        let out = dir.path().join(format!("switched-on-{}", format.extension()));
        write(&rendered, &out).unwrap();
        files.extend(rendered.stacks.iter().map(|s| out.join(&s.file)));
    }
    let text: String = files.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect();
    for type_name in
        ["AWS::Cognito::IdentityPool", "AWS::Cognito::IdentityPoolRoleAttachment", "AWS::QuickSight::DataSource"]
    {
        assert!(text.contains(type_name), "the switched-on rendering has no {type_name}");
    }
    assert_clean(&cfn_lint, &files);
}

fn assert_clean(cfn_lint: &Path, files: &[PathBuf]) {
    let output = Command::new(cfn_lint)
        .args(["--format", "parseable", "--regions", "eu-central-1", "--"])
        .args(files)
        .output()
        .expect("cfn-lint runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.trim().is_empty(),
        "cfn-lint found problems (exit {:?}):\n{stdout}\n{stderr}",
        output.status.code()
    );
}

#[test]
fn cfn_lint_would_catch_a_broken_template() {
    // Guards the test above against passing vacuously (wrong flags, no files read).
    let cfn_lint = venv_tool("cfn-lint");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.template.json");
    std::fs::write(
        &file,
        r#"{"AWSTemplateFormatVersion":"2010-09-09","Resources":{"Vpc":{"Type":"AWS::EC2::VPC","Properties":{"CidrBlock":"10.0.0.0/16","Bogus":1}}}}"#,
    )
    .unwrap();
    let output = Command::new(&cfn_lint)
        .args(["--format", "parseable", "--regions", "eu-central-1", "--"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("Bogus"));
}
