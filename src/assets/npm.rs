//! Node.js dependencies of a folder asset. A folder inside the asset (outside
//! `node_modules`) that holds a `package-lock.json` gets its `node_modules` installed from
//! that lockfile with `npm ci --omit=dev --ignore-scripts`, in a temporary build directory —
//! never in the source folder — and the asset is the installed tree with the folder's own
//! files on top. The installed files go through the same deterministic zip as the rest, so
//! the same lockfile gives the same bytes.
//!
//! `--ignore-scripts`: an install script would build native code for the machine running
//! synth, not for Lambda's Amazon Linux on arm64; dependencies must be plain JavaScript.
//!
//! Installs are cached by the content of `package.json` + `package-lock.json`: in the
//! process (one environment renders several times in a test run) and on disk under the
//! user's cache folder (every `synth`/`plan`/`apply` is a process of its own).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use sha2::{Digest, Sha256};

use super::{AssetError, Entry, zip_entries};

const LOCKFILE: &str = "package-lock.json";
const MANIFEST: &str = "package.json";
/// Part of the cache key: bump it when what an install keeps changes.
const CACHE_FORMAT: &str = "matbakh-npm-install-v1";

/// `own` (the folder's files, sorted by name) with the dependencies of every lockfile in
/// it added under the lockfile's `node_modules/`, sorted by name. `fresh` skips the caches.
pub(super) fn with_dependencies(dir: &Path, own: Vec<Entry>, fresh: bool) -> Result<Vec<Entry>, AssetError> {
    let projects: Vec<String> = own.iter().filter_map(|e| project_of(&e.name)).collect();
    if projects.is_empty() {
        return Ok(own);
    }
    let mut all = own;
    for prefix in projects {
        let lockfile = dir.join(format!("{prefix}{LOCKFILE}"));
        let content = |name: &str| all.iter().find(|e| e.name == format!("{prefix}{name}")).map(|e| e.content.clone());
        let manifest = content(MANIFEST).ok_or_else(|| AssetError::NpmManifest { lockfile: lockfile.clone() })?;
        let lock = content(LOCKFILE).expect("the lockfile was found among the entries");
        let installed = install(Path::new("npm"), &lockfile, &manifest, &lock, fresh)?;
        add_installed(dir, &prefix, &lockfile, &mut all, &installed)?;
    }
    all.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(all)
}

/// Adds `installed` under `<prefix>node_modules/`; a file the folder holds too is an error.
fn add_installed(
    dir: &Path,
    prefix: &str,
    lockfile: &Path,
    all: &mut Vec<Entry>,
    installed: &[Entry],
) -> Result<(), AssetError> {
    for entry in installed {
        let name = format!("{prefix}node_modules/{}", entry.name);
        if all.iter().any(|e| e.name == name) {
            return Err(AssetError::NpmConflict { file: dir.join(&name), lockfile: lockfile.to_owned() });
        }
        all.push(Entry { name, ..entry.clone() });
    }
    Ok(())
}

/// The folder prefix (`""` or `"nodejs/"`) of a lockfile entry outside `node_modules`.
fn project_of(name: &str) -> Option<String> {
    let prefix = name.strip_suffix(LOCKFILE)?;
    let outside = prefix.split('/').all(|c| c != "node_modules");
    (outside && (prefix.is_empty() || prefix.ends_with('/'))).then(|| prefix.to_owned())
}

type Installed = Arc<Vec<Entry>>;

/// The files `npm ci` installs for this manifest and lockfile, relative to `node_modules`.
fn install(npm: &Path, lockfile: &Path, manifest: &[u8], lock: &[u8], fresh: bool) -> Result<Installed, AssetError> {
    if fresh {
        return run_npm_ci(npm, lockfile, manifest, lock).map(Arc::new);
    }
    let mut hash = Sha256::new();
    for part in [CACHE_FORMAT.as_bytes(), manifest, lock] {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    let key = hex::encode(hash.finalize());
    static INSTALLS: OnceLock<Mutex<HashMap<String, Installed>>> = OnceLock::new();
    // Held during an install, so parallel renders of one lockfile install it once.
    let mut installs = INSTALLS.get_or_init(Mutex::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = installs.get(&key) {
        return Ok(found.clone());
    }
    let cached = cache_file(&key);
    let entries = match cached.as_deref().and_then(read_cache) {
        Some(entries) => entries,
        None => {
            let entries = run_npm_ci(npm, lockfile, manifest, lock)?;
            if let Some(file) = &cached {
                write_cache(file, &entries);
            }
            entries
        }
    };
    let entries = Arc::new(entries);
    installs.insert(key, entries.clone());
    Ok(entries)
}

fn run_npm_ci(npm: &Path, lockfile: &Path, manifest: &[u8], lock: &[u8]) -> Result<Vec<Entry>, AssetError> {
    let build = tempfile::tempdir().map_err(|source| AssetError::Read { path: std::env::temp_dir(), source })?;
    for (name, content) in [(MANIFEST, manifest), (LOCKFILE, lock)] {
        let path = build.path().join(name);
        std::fs::write(&path, content).map_err(|source| AssetError::Read { path, source })?;
    }
    let output = Command::new(npm)
        .args(["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
        .env("npm_config_update_notifier", "false")
        .current_dir(build.path())
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => AssetError::NpmMissing { lockfile: lockfile.to_owned() },
            _ => AssetError::Read { path: npm.to_owned(), source: e },
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
        return Err(AssetError::NpmFailed {
            lockfile: lockfile.to_owned(),
            status: output.status.to_string(),
            stderr: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        });
    }
    installed_files(&build.path().join("node_modules"))
}

/// The regular files under `node_modules`, sorted, without what only npm itself reads
/// (`.package-lock.json`) and the `.bin` links to command-line tools.
fn installed_files(node_modules: &Path) -> Result<Vec<Entry>, AssetError> {
    let mut entries = Vec::new();
    if !node_modules.is_dir() {
        return Ok(entries); // a lockfile without dependencies
    }
    for file in walkdir::WalkDir::new(node_modules).sort_by_file_name() {
        let file = file.map_err(|e| AssetError::Read {
            path: e.path().map_or_else(|| node_modules.to_owned(), Path::to_owned),
            source: e.into_io_error().unwrap_or_else(|| std::io::Error::other("file system loop")),
        })?;
        if !file.file_type().is_file() {
            continue;
        }
        let relative = file.path().strip_prefix(node_modules).expect("walkdir stays below its root");
        let parts: Vec<String> = relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        let name = parts.join("/");
        if name == ".package-lock.json" || name.starts_with(".bin/") || name.contains("/node_modules/.bin/") {
            continue;
        }
        entries.push(Entry::read(name, file.path())?);
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}

/// `$XDG_CACHE_HOME/matbakh-infra/npm/<key>.zip`, else under `~/.cache` (the home folder
/// from the account database when `HOME` is unset, as npm finds its own cache).
fn cache_file(key: &str) -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from).filter(|p| p.is_absolute());
    let home = || std::env::home_dir().filter(|p| p.is_absolute()).map(|home| home.join(".cache"));
    let base = xdg.or_else(home)?;
    Some(base.join("matbakh-infra/npm").join(format!("{key}.zip")))
}

/// A cached install, or `None` when it is missing or unreadable (then npm runs again).
fn read_cache(file: &Path) -> Option<Vec<Entry>> {
    let bytes = std::fs::read(file).ok()?;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut entries = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).ok()?;
        let mut content = Vec::with_capacity(usize::try_from(file.size()).ok()?);
        std::io::Read::read_to_end(&mut file, &mut content).ok()?; // checks the CRC
        let executable = file.unix_mode().is_some_and(|m| m & 0o111 != 0);
        entries.push(Entry { name: file.name().ok()?.into_owned(), content, executable });
    }
    Some(entries)
}

/// Stores an install; a cache that cannot be written only costs the next run an install.
fn write_cache(file: &Path, entries: &[Entry]) {
    let (Some(dir), Ok(bytes)) = (file.parent(), zip_entries(file, entries)) else {
        return;
    };
    // Written aside and renamed, so a concurrent run never reads half a file.
    let partial = file.with_extension(format!("zip.{}.partial", std::process::id()));
    let stored = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&partial, bytes))
        .and_then(|()| std::fs::rename(&partial, file));
    if stored.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockfiles_outside_node_modules_name_projects() {
        assert_eq!(project_of("package-lock.json").as_deref(), Some(""));
        assert_eq!(project_of("nodejs/package-lock.json").as_deref(), Some("nodejs/"));
        assert_eq!(project_of("nodejs/node_modules/x/package-lock.json"), None);
        assert_eq!(project_of("nodejs/my-package-lock.json"), None);
        assert_eq!(project_of("nodejs/index.js"), None);
    }

    #[test]
    fn a_missing_npm_says_to_install_it() {
        let err = install(Path::new("/nonexistent/npm"), Path::new("l/nodejs/package-lock.json"), b"{}", b"{}", true)
            .unwrap_err();
        assert!(matches!(err, AssetError::NpmMissing { .. }), "{err}");
        let text = err.to_string();
        assert!(text.contains("l/nodejs/package-lock.json") && text.contains("install Node.js"), "{text}");
    }

    #[test]
    fn a_failing_install_shows_what_npm_said() {
        // `false` stands in for an npm that fails (a lockfile out of sync, an unreachable registry).
        let err = install(Path::new("false"), Path::new("l/package-lock.json"), b"{}", b"{}", true).unwrap_err();
        assert!(matches!(err, AssetError::NpmFailed { .. }), "{err}");
        assert!(err.to_string().contains("npm install --package-lock-only"), "{err}");
    }

    #[test]
    fn a_lockfile_needs_its_package_json() {
        let own = vec![Entry { name: "nodejs/package-lock.json".into(), content: b"{}".to_vec(), executable: false }];
        let err = with_dependencies(Path::new("layer"), own, true).unwrap_err();
        assert!(matches!(err, AssetError::NpmManifest { .. }), "{err}");
    }

    #[test]
    fn installed_files_go_under_the_lockfiles_node_modules_and_may_not_shadow_the_folders() {
        let file = |name: &str| Entry { name: name.into(), content: name.as_bytes().to_vec(), executable: false };
        let installed = [file("pg/package.json")];
        let lockfile = Path::new("layer/nodejs/package-lock.json");
        let mut all = vec![file("nodejs/node_modules/@matbakh/db/index.js")];
        add_installed(Path::new("layer"), "nodejs/", lockfile, &mut all, &installed).unwrap();
        assert_eq!(all[1].name, "nodejs/node_modules/pg/package.json");
        assert_eq!(all[1].content, b"pg/package.json");

        // A copy of the dependency in the source folder (an install there) is refused.
        let mut all = vec![file("nodejs/node_modules/pg/package.json")];
        let err = add_installed(Path::new("layer"), "nodejs/", lockfile, &mut all, &installed).unwrap_err();
        assert!(matches!(err, AssetError::NpmConflict { .. }), "{err}");
        assert!(err.to_string().contains("layer/nodejs/node_modules/pg/package.json"), "{err}");
    }

    #[test]
    fn the_disk_cache_round_trips_names_contents_and_modes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("npm/key.zip");
        let entries = vec![
            Entry { name: "a/index.js".into(), content: b"x".to_vec(), executable: false },
            Entry { name: "a/cli.js".into(), content: b"#!".to_vec(), executable: true },
        ];
        write_cache(&file, &entries);
        let read = read_cache(&file).expect("the cache was written");
        assert_eq!(read, entries);
        std::fs::write(&file, b"not a zip").unwrap();
        assert_eq!(read_cache(&file), None, "an unreadable cache means installing again");
    }
}
