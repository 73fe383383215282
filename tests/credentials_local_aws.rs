//! Which credentials sign the calls and which account they reach, end to end on the
//! local AWS through a proxy that records each request's SigV4 key id and service:
//! `--profile` wins over keys in the environment (as in the AWS CLI), `--role-arn`
//! assumes a role (moto issues credentials of the role's account), and credentials of
//! another account than the environment file names are refused after the STS call
//! alone, before any CloudFormation or S3 request.

mod common;

#[path = "support/latency_proxy.rs"]
mod latency_proxy;

use std::path::Path;
use std::process::{Command, Output};

use common::moto::{Moto, workspace};
use latency_proxy::LatencyProxy;

const ENV_KEY: &str = "AKIAENVIRONMENTKEY01";
const PROFILE_KEY: &str = "AKIAPROFILEOTHERKEY1";

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn set_account(dir: &Path, account: &str) {
    let path = dir.join("stacks/dev.yaml");
    let body = std::fs::read_to_string(&path).unwrap();
    let edited = body.replace("account: \"123456789012\"", &format!("account: \"{account}\""));
    assert_ne!(body, edited, "dev.yaml names account 123456789012");
    std::fs::write(path, edited).unwrap();
}

/// A credentials file with profile `other`, in `dir`.
fn profiles(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("aws-credentials");
    std::fs::write(
        &path,
        format!("[other]\naws_access_key_id = {PROFILE_KEY}\naws_secret_access_key = other-secret\n"),
    )
    .unwrap();
    path
}

/// Runs the CLI against `endpoint` with the given AWS variables and nothing else of
/// the machine's AWS settings.
fn cli(endpoint: &str, args: &[&str], cwd: &Path, vars: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_matbakh-infra"));
    command
        .args(args)
        .args(["--endpoint-url", endpoint])
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("NO_COLOR", "1");
    for (name, value) in vars {
        command.env(name, value);
    }
    command.output().expect("the matbakh-infra binary runs")
}

/// [`cli`] off the async runtime (the proxy serves on it meanwhile).
async fn cli_async(endpoint: &str, args: &[&str], cwd: &Path, vars: &[(&str, &str)]) -> Output {
    let (endpoint, cwd) = (endpoint.to_owned(), cwd.to_owned());
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        cli(&endpoint, &args, &cwd, &vars)
    })
    .await
    .unwrap()
}

async fn proxy(moto: &Moto) -> LatencyProxy {
    let upstream = moto.endpoint.trim_start_matches("http://").parse().unwrap();
    LatencyProxy::start(upstream, std::time::Duration::ZERO, None).await
}

fn take(proxy: &LatencyProxy) -> Vec<(String, String)> {
    std::mem::take(&mut *proxy.signatures.lock().unwrap())
}

const ENV_KEYS: [(&str, &str); 2] = [("AWS_ACCESS_KEY_ID", ENV_KEY), ("AWS_SECRET_ACCESS_KEY", "env-secret")];

#[tokio::test(flavor = "multi_thread")]
async fn credentials_of_another_account_are_refused_after_the_sts_call_alone() {
    let moto = Moto::start();
    let proxy = proxy(&moto).await;
    let dir = workspace();
    set_account(dir.path(), "111111111111");
    for command in [
        &["plan", "--env", "dev"][..],
        &["apply", "--env", "dev", "--yes"],
        &["drift", "--env", "dev"],
        &["plan", "--env", "dev", "--output", "json"],
    ] {
        let o = cli_async(&proxy.endpoint, command, dir.path(), &ENV_KEYS).await;
        let out = text(&o);
        assert_eq!(o.status.code(), Some(1), "{out}");
        for part in [
            "belong to account 123456789012",
            "names account 111111111111",
            "environment variables AWS_ACCESS_KEY_ID",
            "nothing was read or changed",
        ] {
            assert!(out.contains(part), "{part} in: {out}");
        }
        let services: Vec<String> = take(&proxy).into_iter().map(|(_, service)| service).collect();
        assert_eq!(services, ["sts"], "only STS was asked: {services:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_explicit_profile_wins_over_keys_in_the_environment_and_aws_profile_does_not() {
    let moto = Moto::start();
    let proxy = proxy(&moto).await;
    let dir = workspace();
    let credentials = profiles(dir.path());
    let credentials = credentials.to_str().unwrap();
    let cases: [(&[&str], &str, &str); 3] = [
        (&["--profile", "other"], "", PROFILE_KEY),
        // The documented chain: keys in the environment come before AWS_PROFILE.
        (&[], "other", ENV_KEY),
        (&[], "", ENV_KEY),
    ];
    for (flags, aws_profile, expected_key) in cases {
        let mut vars = ENV_KEYS.to_vec();
        vars.push(("AWS_SHARED_CREDENTIALS_FILE", credentials));
        if !aws_profile.is_empty() {
            vars.push(("AWS_PROFILE", aws_profile));
        }
        let mut args = vec!["drift", "--env", "dev", "--no-cloudformation-detection"];
        args.extend_from_slice(flags);
        let o = cli_async(&proxy.endpoint, &args, dir.path(), &vars).await;
        // Nothing is deployed: every stack is missing, which is drift.
        assert_eq!(o.status.code(), Some(2), "{flags:?} {aws_profile}: {}", text(&o));
        let signed = take(&proxy);
        assert!(signed.iter().any(|(_, service)| service == "cloudformation"), "{signed:?}");
        let keys: std::collections::BTreeSet<&str> = signed.iter().map(|(key, _)| key.as_str()).collect();
        assert_eq!(keys, [expected_key].into(), "{flags:?} AWS_PROFILE={aws_profile}: every call signed with one key");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_role_is_assumed_with_the_found_credentials_and_its_account_checked() {
    let moto = Moto::start();
    let proxy = proxy(&moto).await;
    let dir = workspace();
    set_account(dir.path(), "210987654321");
    let role = "arn:aws:iam::210987654321:role/deploy";
    let plan = ["plan", "--env", "dev", "--no-change-set"];
    let as_role =
        [&plan[..], &["--role-arn", role, "--external-id", "ext-42", "--role-session-name", "ci@42"]].concat();
    let assumed = cli_async(&proxy.endpoint, &as_role, dir.path(), &ENV_KEYS).await;
    // Nothing is deployed in that account: everything is to be created.
    assert_eq!(assumed.status.code(), Some(2), "{}", text(&assumed));
    let header = String::from_utf8_lossy(&assumed.stderr);
    assert!(header.starts_with("plan dev in 210987654321 / eu-central-1\n"), "{header}");
    assert!(
        header.contains("(role arn:aws:iam::210987654321:role/deploy assumed with environment variables"),
        "{header}"
    );
    let signed = take(&proxy);
    assert_eq!(signed[0], (ENV_KEY.to_owned(), "sts".to_owned()), "AssumeRole with the found keys: {signed:?}");
    let after: Vec<&(String, String)> = signed[1..].iter().collect();
    assert!(after.iter().any(|(_, service)| service == "cloudformation"), "{signed:?}");
    assert!(after.iter().all(|(key, _)| key != ENV_KEY), "every later call signed as the role: {signed:?}");

    // The JSON and markdown plans record the account too.
    let json = cli_async(&proxy.endpoint, &[&as_role[..], &["--output", "json"]].concat(), dir.path(), &ENV_KEYS).await;
    let document: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(document["account"], "210987654321");
    let markdown =
        cli_async(&proxy.endpoint, &[&as_role[..], &["--output", "markdown"]].concat(), dir.path(), &ENV_KEYS).await;
    assert!(
        String::from_utf8_lossy(&markdown.stdout)
            .starts_with("## matbakh-infra plan: `dev` in 210987654321 / eu-central-1")
    );
    take(&proxy);

    let own = cli_async(&proxy.endpoint, &plan, dir.path(), &ENV_KEYS).await;
    assert_eq!(own.status.code(), Some(1), "{}", text(&own));
    assert!(text(&own).contains("belong to account 123456789012"), "{}", text(&own));
    assert_eq!(take(&proxy).len(), 1, "only GetCallerIdentity");
}

/// A profile that assumes a role (`role_arn` + `source_profile`), chosen with
/// `--profile`: its STS call needs the region the tool sets (the SDK has none of its own
/// for it), and everything after runs as the role.
#[tokio::test(flavor = "multi_thread")]
async fn a_profile_that_assumes_a_role_works_with_the_profile_flag() {
    let moto = Moto::start();
    let proxy = proxy(&moto).await;
    let dir = workspace();
    set_account(dir.path(), "210987654321");
    let credentials = profiles(dir.path());
    let config = dir.path().join("aws-config");
    std::fs::write(
        &config,
        "[profile chained]\nrole_arn = arn:aws:iam::210987654321:role/deploy\nsource_profile = other\n",
    )
    .unwrap();
    let mut vars = ENV_KEYS.to_vec();
    let (credentials, config) = (credentials.to_str().unwrap(), config.to_str().unwrap());
    vars.extend([
        ("AWS_SHARED_CREDENTIALS_FILE", credentials),
        ("AWS_CONFIG_FILE", config),
        ("AWS_ENDPOINT_URL", proxy.endpoint.as_str()),
    ]);
    let args = ["plan", "--env", "dev", "--no-change-set", "--profile", "chained"];
    let o = cli_async(&proxy.endpoint, &args, dir.path(), &vars).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).starts_with("plan dev in 210987654321 / eu-central-1\n"),
        "{}",
        text(&o)
    );
    let signed = take(&proxy);
    assert_eq!(signed[0], (PROFILE_KEY.to_owned(), "sts".to_owned()), "AssumeRole with the source profile: {signed:?}");
    assert!(signed[1..].iter().all(|(key, _)| key != PROFILE_KEY && key != ENV_KEY), "{signed:?}");
}

#[test]
fn role_flags_are_checked_before_anything_runs() {
    let cwd = common::repo_root();
    for (args, says) in [
        (&["plan", "--env", "dev", "--external-id", "x"][..], "--role-arn"),
        (&["drift", "--env", "dev", "--role-arn", "deploy"], "expected a role ARN"),
        (
            &["apply", "--env", "dev", "--role-arn", "arn:aws:iam::123456789012:role/d", "--role-session-name", "a b"],
            "2 to 64",
        ),
    ] {
        let o = cli("http://127.0.0.1:9", args, &cwd, &ENV_KEYS);
        assert_eq!(o.status.code(), Some(1), "usage errors exit 1: {}", text(&o));
        assert!(text(&o).contains(says), "{says} in {}", text(&o));
    }
}

/// apply's question, asked on a terminal (`script` gives the CLI a pseudo-terminal),
/// names the account and region the credentials were checked against; "n" applies nothing.
#[tokio::test(flavor = "multi_thread")]
async fn the_apply_question_names_account_and_region() {
    let moto = Moto::start();
    let dir = workspace();
    let command = format!("{} apply --env dev --endpoint-url {}", env!("CARGO_BIN_EXE_matbakh-infra"), moto.endpoint);
    let cwd = dir.path().to_owned();
    let o = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = Command::new("script")
            .args(["-q", "-e", "-c", &command, "/dev/null"])
            .current_dir(&cwd)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("TERM", "dumb")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("script (util-linux) runs");
        child.stdin.take().unwrap().write_all(b"n\n").unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    let out = text(&o);
    assert!(out.contains("stacks to dev in 123456789012 / eu-central-1? [y/N]"), "{out}");
    assert!(out.contains("not applied"), "{out}");
    assert_eq!(o.status.code(), Some(1), "{out}");
}
