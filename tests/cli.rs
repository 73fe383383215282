//! The command-line contract: commands, flags, output locations and exit statuses.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{bin, repo_root};

fn run(args: &[&str], cwd: &Path) -> Output {
    Command::new(bin()).args(args).current_dir(cwd).env_remove("MATBAKH_ENV").output().expect("binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A copy of the stacks folder where a test may break one file, with the example code
/// (which asset paths in the environment files name) next to it.
fn stacks_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("stacks")).unwrap();
    for env in common::ENVIRONMENTS {
        let name = format!("{env}.yaml");
        std::fs::copy(repo_root().join("stacks").join(&name), dir.path().join("stacks").join(&name)).unwrap();
    }
    copy_tree(&repo_root().join("examples"), &dir.path().join("examples"));
    dir
}

/// Copies a folder (asset paths must stay inside the repository, so a link to the
/// repository's examples would be refused).
fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn edit(dir: &Path, env: &str, from: &str, to: &str) {
    let path = dir.join("stacks").join(format!("{env}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from:?} not in {env}.yaml");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn validate_checks_every_environment_by_default() {
    let o = run(&["validate"], &repo_root());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for env in common::ENVIRONMENTS {
        assert!(stderr(&o).contains(&format!("valid: stacks/{env}.yaml")), "{}", stderr(&o));
    }
}

#[test]
fn invalid_input_is_located_reported_all_at_once_and_exits_1() {
    let dir = stacks_copy();
    edit(dir.path(), "dev", "nat_gateways: 1", "nat_gateways: one");
    edit(dir.path(), "dev", "  shards: 1", "  shards: 1\n  shard_count: 2");
    let o = run(&["validate", "--env", "dev"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("stacks/dev.yaml:")).collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].starts_with("stacks/dev.yaml:14:17: network.nat_gateways: expected an integer"), "{err}");
    assert!(lines[1].contains(": cache.shard_count: unknown field `shard_count`; allowed fields:"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn semantic_errors_are_located_and_nothing_is_rendered() {
    let dir = stacks_copy();
    edit(dir.path(), "staging", "cidr: 10.0.22.0/24", "cidr: 10.9.22.0/24");
    let o = run(&["synth", "--env", "staging", "--out", "out"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(
            "stacks/staging.yaml:25:15: network.database_subnets[2].cidr: subnet 10.9.22.0/24 is outside the VPC CIDR"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("out").exists(), "nothing may be written for invalid input");
}

#[test]
fn deprecated_choices_warn_but_do_not_fail() {
    let dir = stacks_copy();
    edit(dir.path(), "dev", "engine_version: \"15.19\"", "engine_version: \"15.4\"");
    let o = run(&["validate", "--env", "dev", "--no-color"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("database.engine_version: warning: PostgreSQL 15.4 is deprecated; use 15."),
        "{}",
        stderr(&o)
    );
}

#[test]
fn garbage_input_never_panics() {
    let dir = stacks_copy();
    std::fs::write(dir.path().join("stacks/dev.yaml"), [0xff, 0xfe, 0x00, b'{', b'[']).unwrap();
    let o = run(&["validate", "stacks/dev.yaml"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("stacks/dev.yaml:1:1:"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
}

#[test]
fn synth_writes_templates_and_manifest_byte_identically() {
    let dir = tempfile::tempdir().unwrap();
    let root = repo_root();
    let out1 = dir.path().join("a");
    let out2 = dir.path().join("b");
    for out in [&out1, &out2] {
        let o = run(&["synth", "--env", "prod", "--out", out.to_str().unwrap()], &root);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(stdout(&o).contains("matbakh-prod-data"), "{}", stdout(&o));
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out1.join("manifest.json")).unwrap()).unwrap();
    let mut expected: Vec<String> = vec!["manifest.json".into()];
    expected.extend(manifest["stacks"].as_array().unwrap().iter().map(|s| s["template"].as_str().unwrap().to_owned()));
    expected.extend(manifest["assets"].as_array().unwrap().iter().map(|a| a["file"].as_str().unwrap().to_owned()));
    expected.sort();
    let mut names: Vec<String> =
        std::fs::read_dir(&out1).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, expected, "exactly the manifest's templates and assets");
    assert_eq!(manifest["stacks"].as_array().unwrap().len(), 10);
    assert!(manifest["assets"].as_array().unwrap().iter().any(|a| a["id"] == "function/vc-start"));
    for name in &names {
        assert_eq!(std::fs::read(out1.join(name)).unwrap(), std::fs::read(out2.join(name)).unwrap(), "{name}");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out1.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["stacks"][2]["depends_on"], serde_json::json!(["network", "security"]));
}

#[test]
fn synth_yaml_format_and_env_from_the_environment_variable() {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(bin())
        .args(["synth", "--format", "yaml", "--out", dir.path().to_str().unwrap()])
        .current_dir(repo_root())
        .env("MATBAKH_ENV", "dev")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let body = std::fs::read_to_string(dir.path().join("matbakh-dev-network.template.yaml")).unwrap();
    assert!(
        body.starts_with("AWSTemplateFormatVersion: 2010-09-09")
            || body.starts_with("AWSTemplateFormatVersion: '2010-09-09'")
    );
}

#[test]
fn commands_that_need_an_environment_say_which_exist() {
    let o = run(&["synth"], &repo_root());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("pass --env ENV (found: dev, prod, staging)"), "{}", stderr(&o));
    let o = run(&["graph", "--env", "qa"], &repo_root());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no environment file stacks/qa.yaml"), "{}", stderr(&o));
}

#[test]
fn graph_draws_edges_with_the_exports_they_carry() {
    let o = run(&["graph", "--env", "prod"], &repo_root());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mermaid = stdout(&o);
    assert!(mermaid.starts_with("flowchart LR\n"));
    assert!(mermaid.contains("network -->|\"DatabaseSubnetIds<br/>RdsSecurityGroupId\"| data"), "{mermaid}");
    assert!(mermaid.contains("security -->|\"RedisAuthTokenSecretArn\"| cache"), "{mermaid}");
    let o = run(&["graph", "--env", "prod", "--format", "dot"], &repo_root());
    assert!(
        stdout(&o).contains(
            "\"security\" -> \"data\" [label=\"AnalyticsCredentialsSecretArn\\nEtlCredentialsSecretArn\\nRdsCredentialsSecretArn\\nRdsKeyArn\"];"
        ),
        "{}",
        stdout(&o)
    );
}

#[test]
fn schema_check_passes_on_the_checked_in_schema_and_fails_on_a_stale_one() {
    let o = run(&["schema", "--check"], &repo_root());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let dir = tempfile::tempdir().unwrap();
    let stale = dir.path().join("s.json");
    std::fs::write(&stale, "{}").unwrap();
    let o = run(&["schema", "--check", "--out", stale.to_str().unwrap()], &repo_root());
    assert_eq!(o.status.code(), Some(1));
    let o = run(&["schema", "--out", stale.to_str().unwrap()], &repo_root());
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        std::fs::read(&stale).unwrap(),
        std::fs::read(repo_root().join("schemas/environment.schema.json")).unwrap()
    );
}

#[test]
fn every_stacks_file_points_editors_at_the_schema() {
    for env in common::ENVIRONMENTS {
        let text = std::fs::read_to_string(repo_root().join("stacks").join(format!("{env}.yaml"))).unwrap();
        assert!(text.starts_with("# yaml-language-server: $schema=../schemas/environment.schema.json\n"), "{env}");
    }
}

// Exit status 2 means "changes" (plan) and "drift" (drift): a usage error must never
// look like one. Help and version are not errors.
#[test]
fn usage_errors_exit_1_never_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["plan", "--env", "dev", "--outptu", "json"][..],
        &["drift", "--env", "dev", "--bad-flag"],
        &["plan", "--env", "dev", "--output", "yaml"],
        &["apply", "--env", "dev", "--concurrency", "many"],
        &["no-such-command"],
    ] {
        let out = run(args, dir.path());
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("error:"), "{args:?}: {}", stderr(&out));
    }
    for args in [&["--help"][..], &["plan", "--help"], &["--version"]] {
        assert_eq!(run(args, dir.path()).status.code(), Some(0), "{args:?}");
    }
}

// `plan --out json` would write a file named `json` and print the human view: refused,
// before anything is read.
#[test]
fn plan_out_refuses_a_format_name_for_a_file() {
    let dir = tempfile::tempdir().unwrap();
    for value in ["json", "markdown", "-"] {
        let out = run(&["plan", "--env", "dev", "--out", value], dir.path());
        assert_eq!(out.status.code(), Some(1), "{value}");
        assert!(stderr(&out).contains("--out takes the file to save the plan to"), "{}", stderr(&out));
        assert!(!dir.path().join(value).exists());
    }
}

// CDK users type `diff`; it is plan (never a suggestion of `drift`). Completion scripts
// for the shells clap_complete knows.
#[test]
fn diff_is_plan_and_completions_are_printed() {
    let dir = tempfile::tempdir().unwrap();
    let help = run(&["diff", "--help"], dir.path());
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("prepare the change sets"), "{}", stdout(&help));
    for shell in ["bash", "zsh", "fish"] {
        let out = run(&["completions", shell], dir.path());
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(stdout(&out).contains("matbakh-infra"), "{shell}");
        assert!(stdout(&out).contains("allow-replace"), "{shell}: flags of subcommands are completed");
    }
}

// ---- validate: everything at once, bounded input, paths inside the repository (issue #16) ----

/// The `stacks/dev.yaml:LINE:COL:` lines of a run's stderr.
fn located(o: &Output) -> Vec<String> {
    stderr(o).lines().filter(|l| l.starts_with("stacks/dev.yaml:")).map(str::to_owned).collect()
}

/// The 1-based line of `dir`'s stacks/dev.yaml holding `text` (the file changes as the
/// design grows; the tests name what they edited, not where it sits).
fn line_of(dir: &Path, text: &str) -> usize {
    let yaml = std::fs::read_to_string(dir.join("stacks/dev.yaml")).unwrap();
    yaml.lines().position(|l| l.contains(text)).unwrap_or_else(|| panic!("no {text:?} in dev.yaml")) + 1
}

fn line_with(lines: &[String], needle: &str) -> String {
    lines.iter().find(|l| l.contains(needle)).cloned().unwrap_or_else(|| panic!("no line with {needle:?}: {lines:#?}"))
}

#[test]
fn schema_rule_asset_and_secret_errors_come_in_one_run() {
    let dir = stacks_copy();
    // Schema errors in `network` (its rules cannot run), rule errors in other sections,
    // a missing code folder, a secret.
    edit(dir.path(), "dev", "nat_gateways: 1", "nat_gateways: one\n  nat_gatways: 2");
    edit(dir.path(), "dev", "snapshot_window: \"03:00-05:00\"", "snapshot_window: \"03:00-03:10\"");
    edit(dir.path(), "dev", "    - https://matbakh.app\n", "    - http://matbakh.app\n");
    edit(dir.path(), "dev", "schedule: \"cron(0 2 * * ? *)\"", "schedule: \"cron(0 25 * * ? *)\"");
    edit(dir.path(), "dev", "code: examples/functions/vc-start", "code: examples/functions/nope");
    edit(dir.path(), "dev", "path: examples/layers/database-client", "path: examples/layers/none");
    edit(dir.path(), "dev", "  owner: platform-team", "  owner: platform-team\n  DB_PASS: hunter2hunter2");
    let o = run(&["validate", "--env", "dev"], dir.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let lines = located(&o);
    assert_eq!(lines.len(), 8, "{lines:#?}");
    assert!(
        line_with(&lines, "functions.layers[1].path:").starts_with(&format!(
            "stacks/dev.yaml:{}:13: functions.layers[1].path: folder",
            line_of(dir.path(), "path: examples/layers/none")
        )),
        "{lines:#?}"
    );
    let nat = format!("stacks/dev.yaml:{}:17: ", line_of(dir.path(), "nat_gateways: one"));
    assert!(line_with(&lines, "network.nat_gateways:").starts_with(&nat), "{lines:#?}");
    assert!(line_with(&lines, "network.nat_gatways:").contains("unknown field"));
    assert!(line_with(&lines, "cache.snapshot_window:").contains("60 minutes"));
    assert!(line_with(&lines, "api.cors_origins[0]:").contains("https"));
    assert!(line_with(&lines, "datalake.etl.schedule:").contains("hours (2nd field) `25`"));
    assert!(line_with(&lines, "tags.DB_PASS:").contains("Secrets Manager"));
    let code = line_with(&lines, "functions.definitions[0].code:");
    let at = format!("stacks/dev.yaml:{}:13: ", line_of(dir.path(), "code: examples/functions/nope"));
    assert!(code.starts_with(&at), "{code}");
    assert!(code.contains("`examples/functions/nope` does not exist (resolved from "), "{code}");
}

#[test]
fn the_cache_invalidator_must_name_a_function_using_the_cache() {
    let dir = stacks_copy();
    edit(dir.path(), "dev", "cache_invalidator: cache-invalidator", "cache_invalidator: vc-invalidate");
    let o = run(&["validate", "--env", "dev"], dir.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let lines = located(&o);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    let at = format!("stacks/dev.yaml:{}:22: database.cache_invalidator: ", line_of(dir.path(), "cache_invalidator:"));
    assert!(lines[0].starts_with(&at), "{lines:#?}");
    assert!(lines[0].contains("vc-invalidate is not a function in functions.definitions"), "{lines:#?}");
}

#[test]
fn asset_paths_resolve_from_the_repository_root_whatever_the_working_directory() {
    let dir = stacks_copy();
    let o = run(&["validate", "dev.yaml"], &dir.path().join("stacks"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let elsewhere = tempfile::tempdir().unwrap();
    let file = dir.path().join("stacks/dev.yaml");
    let o = run(&["validate", file.to_str().unwrap()], elsewhere.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    edit(dir.path(), "dev", "path: examples/layers/shared-utils", "path: examples/layers/gone");
    let o = run(&["validate", "dev.yaml"], &dir.path().join("stacks"));
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let root = dir.path().canonicalize().unwrap();
    let expected = format!("resolved from {}: {}", root.display(), root.join("examples/layers/gone").display());
    let at = format!("dev.yaml:{}:13: ", line_of(dir.path(), "path: examples/layers/gone"));
    assert!(err.contains(&format!("{at}functions.layers[0].path: folder `examples/layers/gone`")), "{err}");
    assert!(err.contains(&expected), "{err}");
}

#[test]
fn asset_paths_and_links_leaving_the_repository_are_refused() {
    let dir = stacks_copy();
    edit(dir.path(), "dev", "code: examples/functions/vc-start", "code: ../../../../etc/ssl");
    let o = run(&["validate", "--env", "dev"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    let code = line_with(&located(&o), "functions.definitions[0].code:");
    let at = format!("stacks/dev.yaml:{}:13: ", line_of(dir.path(), "code: ../../../../etc/ssl"));
    assert!(code.starts_with(&at), "{code}");
    assert!(code.contains("`../../../../etc/ssl` leads outside the repository"), "{code}");

    let dir = stacks_copy();
    let function = dir.path().join("examples/functions/vc-start");
    std::os::unix::fs::symlink("/etc", function.join("etc")).unwrap();
    let o = run(&["validate", "--env", "dev"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    let code = line_with(&located(&o), "functions.definitions[0].code:");
    assert!(code.contains("leads through a symbolic link to /etc, outside the repository"), "{code}");

    // A link that stays inside the repository is followed.
    std::fs::remove_file(function.join("etc")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("examples/glue"), function.join("glue")).unwrap();
    let o = run(&["validate", "--env", "dev"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn oversized_environment_files_are_refused_with_the_limit() {
    let dir = stacks_copy();
    let path = dir.path().join("stacks/dev.yaml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&format!("# {}\n", "x".repeat(1024 * 1024)));
    std::fs::write(&path, text).unwrap();
    let o = run(&["validate", "--env", "dev"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    let lines = located(&o);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].starts_with("stacks/dev.yaml:1:1: (document): the file is larger than 1048576 bytes (1 MiB)"));
}

#[test]
fn validate_output_json_is_a_versioned_document_of_diagnostics() {
    let dir = stacks_copy();
    edit(dir.path(), "dev", "nat_gateways: 1", "nat_gateways: one");
    let o = run(&["validate", "--env", "dev", "--output", "json"], dir.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("stdout is JSON");
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["valid"], false);
    assert_eq!(doc["files"], serde_json::json!([{"file": "stacks/dev.yaml", "valid": false}]));
    assert_eq!(
        doc["diagnostics"],
        serde_json::json!([{
            "file": "stacks/dev.yaml", "line": 14, "column": 17, "path": "network.nat_gateways",
            "severity": "error", "message": "expected an integer, found `one`"
        }])
    );
    let o = run(&["validate", "--output", "json"], &repo_root());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["valid"], true);
    assert_eq!(doc["files"].as_array().unwrap().len(), 3);
}

#[test]
fn output_is_the_format_flag_everywhere_and_format_stays_an_alias() {
    let old = run(&["graph", "--env", "dev", "--format", "dot"], &repo_root());
    let new = run(&["graph", "--env", "dev", "--output", "dot"], &repo_root());
    assert_eq!(old.status.code(), Some(0), "{}", stderr(&old));
    assert_eq!(stdout(&old), stdout(&new));
    assert!(stdout(&new).starts_with("digraph"));
    let out = tempfile::tempdir().unwrap();
    for flag in ["--format", "--output"] {
        let o = run(&["synth", "--env", "dev", flag, "yaml", "--out", out.path().to_str().unwrap()], &repo_root());
        assert_eq!(o.status.code(), Some(0), "{flag}: {}", stderr(&o));
        assert!(out.path().join("matbakh-dev-network.template.yaml").exists());
    }
}

#[test]
fn validate_usage_errors_exit_1() {
    for args in [&["validate", "--bogus"][..], &["validate", "--output", "xml"]] {
        let o = run(args, &repo_root());
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
    }
}
