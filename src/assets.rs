//! Code assets: a folder (Lambda function or layer code, a Glue script) packaged into
//! a zip that is byte-identical for identical content and named by its SHA-256, so a
//! template changes exactly when the code does and `apply` uploads each zip once.
//!
//! Determinism: entries sorted by path with `/` separators, a fixed timestamp
//! (1980-01-01, the zip epoch), fixed permissions (0644 files, 0755 for files that are
//! executable on disk), deflate at a fixed level, no extra fields.
//!
//! A folder with a `package-lock.json` also carries the dependencies it pins, installed
//! at packaging time (see [`npm`]).

mod npm;

use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

#[derive(Debug, Error)]
pub enum AssetError {
    #[error(
        "{what} `{written}` does not exist (resolved from {root}: {resolved}); paths in an environment file are \
         relative to the repository root, the folder holding the stacks folder"
    )]
    Missing { what: &'static str, written: String, root: PathBuf, resolved: PathBuf },
    #[error("`{written}` is {found}, not a {what} (resolved from {root}: {resolved}); name the {what} itself")]
    WrongKind { what: &'static str, found: &'static str, written: String, root: PathBuf, resolved: PathBuf },
    #[error(
        "`{written}` leads outside the repository ({root}); asset paths must stay inside it: move the code into the \
         repository and name it relative to the root"
    )]
    Outside { written: String, root: PathBuf },
    #[error(
        "{link} leads through a symbolic link to {target}, outside the repository ({root}); copy the files into the \
         repository instead of linking to them"
    )]
    LinkOutside { link: PathBuf, target: PathBuf, root: PathBuf },
    #[error("asset folder {path} is empty; a function or layer needs at least one file")]
    Empty { path: PathBuf },
    #[error("cannot read {path}: {source}; check that it exists and is readable")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot package {path}: {message}")]
    Zip { path: PathBuf, message: String },
    #[error(
        "npm was not found on PATH; it installs the dependencies {lockfile} pins into the asset: install Node.js \
         (20 or newer) with npm, then run the command again"
    )]
    NpmMissing { lockfile: PathBuf },
    #[error(
        "`npm ci` for {lockfile} failed ({status}):\n{stderr}\ncheck that package.json and package-lock.json \
         agree (run `npm install --package-lock-only` in that folder) and that the npm registry is reachable"
    )]
    NpmFailed { lockfile: PathBuf, status: String, stderr: String },
    #[error("{lockfile} has no package.json next to it; npm installs from the two together: add it")]
    NpmManifest { lockfile: PathBuf },
    #[error(
        "{file} is both in the asset folder and installed from {lockfile}; remove the folder's copy (an install in \
         the source tree): packaging installs the dependencies from the lockfile"
    )]
    NpmConflict { file: PathBuf, lockfile: PathBuf },
}

/// What an asset path must name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// A folder packaged as a zip (function code, a layer).
    Folder,
    /// A single file uploaded as it is (a Glue script).
    File,
}

impl Expect {
    fn noun(self) -> &'static str {
        match self {
            Expect::Folder => "folder",
            Expect::File => "file",
        }
    }
}

/// Resolves `written` (a path from an environment file) against the repository `root`:
/// it must exist, be what `expect` says, and stay inside the root, also through symbolic
/// links (`..` that climbs above the root or a link that points out is refused).
pub fn resolve(root: &Path, written: &str, expect: Expect) -> Result<PathBuf, AssetError> {
    let outside = || AssetError::Outside { written: written.to_owned(), root: root.to_owned() };
    // Lexically first, so a path that leaves the root is refused whether or not it exists.
    let mut depth: usize = 0;
    for component in Path::new(written).components() {
        match component {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => depth = depth.checked_sub(1).ok_or_else(outside)?,
            // An absolute path names a place on this machine, not in the repository.
            Component::RootDir | Component::Prefix(_) => return Err(outside()),
        }
    }
    let resolved = root.join(written);
    let missing = || AssetError::Missing {
        what: expect.noun(),
        written: written.to_owned(),
        root: root.to_owned(),
        resolved: resolved.clone(),
    };
    let real_root = canonical(root)?;
    let real = match resolved.canonicalize() {
        Ok(real) => real,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
        Err(source) => return Err(AssetError::Read { path: resolved, source }),
    };
    if !real.starts_with(&real_root) {
        // Lexically inside, so a symbolic link on the way leads out.
        return Err(AssetError::LinkOutside { link: resolved, target: real, root: root.to_owned() });
    }
    let found = match (expect, real.is_dir()) {
        (Expect::Folder, false) => Some("a file"),
        (Expect::File, true) => Some("a folder"),
        _ => None,
    };
    if let Some(found) = found {
        return Err(AssetError::WrongKind {
            what: expect.noun(),
            found,
            written: written.to_owned(),
            root: root.to_owned(),
            resolved,
        });
    }
    Ok(resolved)
}

/// Checks what packaging `written` would check, without packaging: the path resolves
/// inside `root`, and a folder has files, none reached through a link out of the root.
pub fn check(root: &Path, written: &str, expect: Expect) -> Result<(), AssetError> {
    let path = resolve(root, written, expect)?;
    if expect == Expect::Folder {
        list_files(root, &path)?;
    }
    Ok(())
}

fn canonical(path: &Path) -> Result<PathBuf, AssetError> {
    path.canonicalize().map_err(|source| AssetError::Read { path: path.to_owned(), source })
}

/// What an asset is; decides nothing about its bytes, only how it is listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetKind {
    Function,
    Layer,
    Script,
}

/// One packaged asset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asset {
    /// e.g. `function/vc-start`
    pub id: String,
    pub kind: AssetKind,
    /// The folder or file it was built from.
    pub source: PathBuf,
    pub sha256: String,
    /// Key in the artifacts bucket, `assets/<sha256>.zip` (scripts keep their extension).
    pub s3_key: String,
    pub bytes: Vec<u8>,
}

impl Asset {
    /// File name of the asset in `synth`'s output folder.
    pub fn file_name(&self) -> String {
        self.s3_key.trim_start_matches("assets/").replace('/', "_")
    }
}

/// The assets of one environment, in the order they were added.
#[derive(Clone, Debug, Default)]
pub struct AssetSet {
    base_dir: PathBuf,
    assets: Vec<Asset>,
    fresh_installs: bool,
}

impl AssetSet {
    /// Paths of assets are resolved against `base_dir` (the repository root).
    pub fn new(base_dir: impl Into<PathBuf>) -> Self {
        AssetSet { base_dir: base_dir.into(), assets: Vec::new(), fresh_installs: false }
    }

    /// Installs dependencies with npm for every folder, bypassing the install caches
    /// (to show that two installs from one lockfile give the same bytes).
    pub fn with_fresh_installs(mut self) -> Self {
        self.fresh_installs = true;
        self
    }

    /// Packages a folder as a zip asset, with the dependencies its lockfiles pin.
    pub fn add_dir(&mut self, id: &str, kind: AssetKind, path: &str) -> Result<&Asset, AssetError> {
        let source = resolve(&self.base_dir, path, Expect::Folder)?;
        let own = read_entries(&list_files(&self.base_dir, &source)?)?;
        let bytes = zip_entries(&source, &npm::with_dependencies(&source, own, self.fresh_installs)?)?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        Ok(self.push(Asset { id: id.to_owned(), kind, source, s3_key: format!("assets/{sha256}.zip"), sha256, bytes }))
    }

    /// Packages a folder's files below `prefix/` in the zip, without dependencies: a layer
    /// whose files Lambda puts under `/opt/<prefix>/` (e.g. the database migrations).
    pub fn add_dir_under(&mut self, id: &str, kind: AssetKind, path: &str, prefix: &str) -> Result<&Asset, AssetError> {
        let source = resolve(&self.base_dir, path, Expect::Folder)?;
        let mut entries = read_entries(&list_files(&self.base_dir, &source)?)?;
        for entry in &mut entries {
            entry.name = format!("{prefix}/{}", entry.name);
        }
        let bytes = zip_entries(&source, &entries)?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        Ok(self.push(Asset { id: id.to_owned(), kind, source, s3_key: format!("assets/{sha256}.zip"), sha256, bytes }))
    }

    /// Adds a single file as it is (e.g. a Glue script), keyed by content hash.
    pub fn add_file(&mut self, id: &str, kind: AssetKind, path: &str) -> Result<&Asset, AssetError> {
        let source = resolve(&self.base_dir, path, Expect::File)?;
        let bytes = std::fs::read(&source).map_err(|e| AssetError::Read { path: source.clone(), source: e })?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let extension = source.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
        let s3_key = format!("assets/{sha256}{extension}");
        Ok(self.push(Asset { id: id.to_owned(), kind, source, sha256, s3_key, bytes }))
    }

    fn push(&mut self, asset: Asset) -> &Asset {
        assert!(!self.assets.iter().any(|a| a.id == asset.id), "duplicate asset id {}", asset.id);
        self.assets.push(asset);
        self.assets.last().expect("just pushed")
    }

    pub fn iter(&self) -> impl Iterator<Item = &Asset> {
        self.assets.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.assets.is_empty()
    }
}

/// Zips a folder deterministically (see the module docs); links in it may not lead
/// out of the folder.
pub fn zip_dir(dir: &Path) -> Result<Vec<u8>, AssetError> {
    zip_entries(dir, &read_entries(&list_files(dir, dir)?)?)
}

/// The files under `dir` as (zip entry name, path), sorted by name. Symbolic links are
/// followed when they resolve inside `root` and refused when they lead out of it.
pub fn list_files(root: &Path, dir: &Path) -> Result<Vec<(String, PathBuf)>, AssetError> {
    if !dir.is_dir() {
        let written = dir.to_string_lossy().into_owned();
        return Err(AssetError::Missing { what: "folder", written, root: root.to_owned(), resolved: dir.to_owned() });
    }
    let real_root = canonical(root)?;
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for entry in walkdir::WalkDir::new(dir).follow_links(true) {
        let entry = entry.map_err(|e| AssetError::Read {
            path: e.path().map_or_else(|| dir.to_owned(), Path::to_owned),
            source: e.into_io_error().unwrap_or_else(|| std::io::Error::other("file system loop")),
        })?;
        if entry.path_is_symlink() {
            let target = canonical(entry.path())?;
            if !target.starts_with(&real_root) {
                return Err(AssetError::LinkOutside { link: entry.path().to_owned(), target, root: root.to_owned() });
            }
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let name: Vec<String> = relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        files.push((name.join("/"), entry.path().to_owned()));
    }
    if files.is_empty() {
        return Err(AssetError::Empty { path: dir.to_owned() });
    }
    files.sort();
    Ok(files)
}

/// One file of a zip: its entry name, content and whether it is executable.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    name: String,
    content: Vec<u8>,
    executable: bool,
}

impl Entry {
    fn read(name: String, path: &Path) -> Result<Entry, AssetError> {
        let content = std::fs::read(path).map_err(|e| AssetError::Read { path: path.to_owned(), source: e })?;
        Ok(Entry { name, content, executable: is_executable(path) })
    }
}

/// The files [`list_files`] lists, read.
fn read_entries(files: &[(String, PathBuf)]) -> Result<Vec<Entry>, AssetError> {
    files.iter().map(|(name, path)| Entry::read(name.clone(), path)).collect()
}

/// The zip of `entries` (in their order) of the folder or file `source`.
fn zip_entries(source: &Path, entries: &[Entry]) -> Result<Vec<u8>, AssetError> {
    let zip_error = |e: zip::result::ZipError| AssetError::Zip { path: source.to_owned(), message: e.to_string() };
    let mut writer = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for entry in entries {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(6))
            .last_modified_time(DateTime::default())
            .unix_permissions(if entry.executable { 0o755 } else { 0o644 });
        writer.start_file(entry.name.as_str(), options).map_err(zip_error)?;
        writer
            .write_all(&entry.content)
            .map_err(|e| AssetError::Zip { path: source.to_owned(), message: e.to_string() })?;
    }
    Ok(writer.finish().map_err(zip_error)?.into_inner())
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(_: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, content) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        dir
    }

    #[test]
    fn same_content_gives_the_same_bytes_whatever_the_mtime_or_creation_order() {
        let a = tree(&[("index.js", "exports.handler = 1"), ("lib/util.js", "x")]);
        let b = tree(&[("lib/util.js", "x"), ("index.js", "exports.handler = 1")]);
        let old = std::fs::File::options().write(true).open(b.path().join("index.js")).unwrap();
        old.set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000)).unwrap();
        assert_eq!(zip_dir(a.path()).unwrap(), zip_dir(b.path()).unwrap());
    }

    #[test]
    fn one_changed_byte_changes_the_hash() {
        let a = tree(&[("index.js", "exports.handler = 1")]);
        let b = tree(&[("index.js", "exports.handler = 2")]);
        let hash =
            |root: &Path| AssetSet::new(root).add_dir("function/f", AssetKind::Function, ".").unwrap().sha256.clone();
        assert_ne!(hash(a.path()), hash(b.path()));
    }

    #[test]
    fn zips_list_sorted_entries_that_unpack_to_the_content() {
        let a = tree(&[("b.js", "B"), ("a/z.js", "Z"), ("a/b.js", "AB")]);
        let bytes = zip_dir(a.path()).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let names: Vec<String> = archive.file_names().map(|n| n.unwrap().into_owned()).collect();
        assert_eq!(names, ["a/b.js", "a/z.js", "b.js"]);
        let mut content = String::new();
        std::io::Read::read_to_string(&mut archive.by_name("a/z.js").unwrap(), &mut content).unwrap();
        assert_eq!(content, "Z");
    }

    #[test]
    fn missing_and_empty_folders_are_errors_that_say_what_to_do() {
        let err = zip_dir(Path::new("/nonexistent/fn")).unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(zip_dir(empty.path()).unwrap_err(), AssetError::Empty { .. }));
    }

    #[test]
    fn paths_and_links_stay_inside_the_root() {
        let repo = tree(&[("code/f/index.js", "x"), ("shared/lib.js", "y"), ("script.py", "z")]);
        let outside = tree(&[("secret.pem", "k")]);
        let root = repo.path();
        assert!(matches!(resolve(root, "../x", Expect::Folder), Err(AssetError::Outside { .. })));
        assert!(matches!(resolve(root, "code/../../x", Expect::Folder), Err(AssetError::Outside { .. })));
        // Absolute paths name this machine, not the repository (also one inside it).
        assert!(matches!(resolve(root, "/etc/ssl", Expect::Folder), Err(AssetError::Outside { .. })));
        let inside = root.join("code/f").display().to_string();
        assert!(matches!(resolve(root, &inside, Expect::Folder), Err(AssetError::Outside { .. })));
        assert!(resolve(root, "code/f/../../code/f", Expect::Folder).is_ok());
        let missing = resolve(root, "code/nope", Expect::Folder).unwrap_err().to_string();
        assert!(missing.contains(&format!("(resolved from {}: {})", root.display(), root.join("code/nope").display())));
        assert!(matches!(resolve(root, "script.py", Expect::Folder), Err(AssetError::WrongKind { .. })));
        assert!(matches!(resolve(root, "code/f", Expect::File), Err(AssetError::WrongKind { .. })));
        assert!(check(root, "script.py", Expect::File).is_ok());

        // A link inside the folder that stays in the repository is followed.
        std::os::unix::fs::symlink(root.join("shared"), root.join("code/f/shared")).unwrap();
        let names: Vec<String> = list_files(root, &root.join("code/f")).unwrap().into_iter().map(|f| f.0).collect();
        assert_eq!(names, ["index.js", "shared/lib.js"]);
        // One that leads out is refused, also when it is the named folder itself.
        std::os::unix::fs::symlink(outside.path(), root.join("code/f/out")).unwrap();
        assert!(matches!(check(root, "code/f", Expect::Folder), Err(AssetError::LinkOutside { .. })));
        std::os::unix::fs::symlink(outside.path(), root.join("linked")).unwrap();
        let err = resolve(root, "linked", Expect::Folder).unwrap_err();
        assert!(err.to_string().contains("leads through a symbolic link to"), "{err}");
        let mut set = AssetSet::new(root);
        assert!(set.add_dir("function/f", AssetKind::Function, "code/f").is_err());
    }
}
