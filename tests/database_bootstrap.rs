//! The database as code (issue #14): the db-bootstrap function
//! (examples/functions/db-bootstrap) sets up the roles and applies examples/migrations on a
//! real PostgreSQL with pg_cron, connecting through the database-client layer as synth
//! builds it over verified TLS. The scenarios are in tests/node/database_bootstrap.test.js
//! (roles and their privileges, row-level security, idempotence, partitions, the KPI view,
//! the cron jobs, refused migrations); this starts the server and runs them. Fails, never
//! skips, when node, PostgreSQL or pg_cron is missing (`scripts/setup.sh` installs them).

mod common;
#[path = "support/postgres.rs"]
mod postgres;

use std::path::Path;
use std::process::Command;

use common::repo_root;
use matbakh_infra::assets::{AssetKind, AssetSet};
use postgres::{Postgres, Tls};

const LAYER: &str = "examples/layers/database-client";

/// The database-client layer as synth packages it, unpacked into `into` (its `nodejs/node_modules`
/// is what Lambda puts on NODE_PATH).
fn unpack_layer(into: &Path) {
    let mut set = AssetSet::new(repo_root());
    let asset = set.add_dir("layer/database-client", AssetKind::Layer, LAYER).expect("the layer builds");
    zip::ZipArchive::new(std::io::Cursor::new(&asset.bytes)).unwrap().extract(into).unwrap();
}

/// pg_cron must be preloaded, so it must be installed where the server looks for libraries.
fn assert_pg_cron_installed() {
    let output =
        Command::new(postgres::bin_dir().join("pg_config")).arg("--pkglibdir").output().expect("pg_config runs");
    let lib = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    assert!(
        Path::new(&lib).join("pg_cron.so").exists(),
        "pg_cron is not installed in {lib}: run `bash scripts/setup.sh` (Debian's postgresql-15-cron)"
    );
}

#[test]
fn the_bootstrap_sets_up_roles_and_applies_the_migrations_on_postgresql_with_pg_cron() {
    assert_pg_cron_installed();
    let layer = tempfile::tempdir().unwrap();
    unpack_layer(layer.path());
    // As the RDS parameter group does: pg_cron preloaded, its jobs in the matbakh database.
    let server =
        Postgres::start_with(Tls::Required, &["shared_preload_libraries=pg_cron", "cron.database_name=matbakh"]);

    let script = repo_root().join("tests/node/database_bootstrap.test.js");
    let output = Command::new("node")
        .arg("--test")
        .arg(&script)
        .env("NODE_PATH", layer.path().join("nodejs/node_modules"))
        .env("PGHOST", postgres::HOST)
        .env("PGPORT", server.port.to_string())
        .env("PG_SUPERUSER", server.user)
        .env("PG_SUPERPASSWORD", &server.password)
        .env("DB_TLS_CA_FILE", server.ca_file.as_ref().unwrap())
        .current_dir(repo_root())
        .output()
        .unwrap_or_else(|e| panic!("node is required (install Node.js 20+): {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "node --test {} failed (exit {:?}):\n{stdout}\n{}\nserver log:\n{}",
        script.display(),
        output.status.code(),
        String::from_utf8_lossy(&output.stderr),
        server.log_text()
    );
    assert!(stdout.contains("# fail 0"), "unexpected node --test output:\n{stdout}");
    // Every scenario ran: a test file that stopped loading early would pass nothing.
    let passed: usize = stdout
        .lines()
        .find_map(|l| l.strip_prefix("# pass "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no pass count in:\n{stdout}"));
    assert!(passed >= 15, "only {passed} scenarios passed:\n{stdout}");

    // What the node tests left behind, seen by the server's own client.
    let history = server.psql(
        "matbakh",
        "SELECT string_agg(version || '_' || name, ',' ORDER BY version) FROM matbakh_meta.schema_history",
    );
    let shipped: Vec<String> = std::fs::read_dir(repo_root().join("examples/migrations"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    for file in &shipped {
        let applied = file.trim_end_matches(".sql").trim_start_matches('0');
        assert!(history.split(',').any(|h| h.trim() == applied), "{file} is not in the history: {history}");
    }
}
