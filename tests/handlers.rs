//! The example handlers and layers under examples/ pass their Node.js tests (`node --test`),
//! with the layers on NODE_PATH the way Lambda puts them there (`/opt/nodejs/node_modules`).
//! Fails, never skips, when `node` is missing: the handlers are deployed code.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::repo_root;

/// Every `*.test.js` below examples/ outside `node_modules`, sorted.
fn test_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(repo_root().join("examples"))
        .into_iter()
        .filter_entry(|e| e.file_name() != "node_modules")
        .map(|e| e.expect("examples/ is readable").into_path())
        .filter(|p| p.to_string_lossy().ends_with(".test.js"))
        .collect();
    files.sort();
    files
}

#[test]
fn example_handlers_pass_their_node_tests() {
    let files = test_files();
    assert!(files.len() >= 4, "expected the handler and layer tests under examples/, found {files:?}");
    let layers = ["shared-utils", "database-client"]
        .map(|l| repo_root().join("examples/layers").join(l).join("nodejs/node_modules").display().to_string());
    // Files are passed one by one: `node --test <dir>` means different things across Node versions.
    let output = Command::new("node")
        .arg("--test")
        .args(&files)
        .env("NODE_PATH", layers.join(":"))
        .current_dir(repo_root())
        .output()
        .unwrap_or_else(|e| panic!("node is required to test the example handlers (install Node.js 20+): {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "node --test failed (exit {:?}):\n{stdout}\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("# fail 0"), "unexpected node --test output:\n{stdout}");
}
