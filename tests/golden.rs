//! Golden tests: the rendered templates and manifest of every environment, byte for
//! byte. After an intended change, regenerate with `UPDATE_GOLDEN=1 cargo test --test golden`
//! and review the diff.

mod common;

use common::{ENVIRONMENTS, render_env, repo_root};
use matbakh_infra::synth::{Format, MANIFEST_FILE};

#[test]
fn rendered_templates_match_the_golden_files() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut mismatches = Vec::new();
    for env in ENVIRONMENTS {
        let rendered = render_env(env, Format::Json);
        let dir = repo_root().join("tests/golden").join(env);
        let mut files: Vec<(String, String)> =
            rendered.stacks.iter().map(|s| (s.file.clone(), s.body.clone())).collect();
        files.push((MANIFEST_FILE.to_owned(), rendered.manifest.to_json()));
        for (name, body) in files {
            let path = dir.join(&name);
            if update {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &body).unwrap();
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(body.as_str()) {
                mismatches.push(path.display().to_string());
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "rendered output differs from the golden files (review, then UPDATE_GOLDEN=1 cargo test --test golden):\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn rendering_is_deterministic() {
    for env in ENVIRONMENTS {
        for format in [Format::Json, Format::Yaml] {
            let a = render_env(env, format);
            let b = render_env(env, format);
            let bodies =
                |r: &matbakh_infra::synth::Rendered| r.stacks.iter().map(|s| s.body.clone()).collect::<Vec<_>>();
            assert_eq!(bodies(&a), bodies(&b), "{env} {format:?}");
            assert_eq!(a.manifest, b.manifest);
        }
    }
}
