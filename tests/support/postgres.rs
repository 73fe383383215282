//! A real PostgreSQL server for a test: a fresh cluster (`initdb`) in a temporary folder,
//! listening on a free loopback port with password authentication (scram-sha-256), and with
//! [`Tls::Required`] accepting TLS connections only (`hostssl`, as RDS with `rds.force_ssl`)
//! under a certificate from a CA made for the test. Stopped by its pid when dropped, also
//! when the test panics.
//!
//! Fails, never skips, when PostgreSQL is missing: `scripts/setup.sh` installs it (Debian's
//! `postgresql`). `initdb` refuses to run as root, so as root the server runs as the
//! `postgres` user the package creates (or `nobody`).
#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether the server takes plain connections or TLS ones only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tls {
    Off,
    Required,
}

pub struct Postgres {
    child: Child,
    pub port: u16,
    /// The superuser, with [`Postgres::password`].
    pub user: &'static str,
    pub password: String,
    /// The PEM of the CA that signed the server's certificate (for `127.0.0.1`) under [`Tls::Required`].
    pub ca_file: Option<PathBuf>,
    bin: PathBuf,
    log: PathBuf,
    // Last, so the folder is removed after the server stopped.
    dir: tempfile::TempDir,
}

pub const HOST: &str = "127.0.0.1";

/// The `bin` folder of the newest PostgreSQL under /usr/lib/postgresql (or `$PG_BIN`).
pub fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).unwrap_or_else(|| {
        panic!("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run `bash scripts/setup.sh`")
    })
}

/// The uid and gid to run the server as: ours, or as root an unprivileged account.
fn server_account() -> Option<(u32, u32)> {
    let ours = std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m)).ok()?;
    if ours != 0 {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").expect("/etc/passwd is readable");
    let account = |name: &str| {
        passwd.lines().find_map(|l| {
            let fields: Vec<&str> = l.split(':').collect();
            (fields.first() == Some(&name) && fields.len() > 3)
                .then(|| (fields[2].parse().unwrap(), fields[3].parse().unwrap()))
        })
    };
    Some(account("postgres").or_else(|| account("nobody")).expect("a postgres or nobody account to run the server as"))
}

impl Postgres {
    pub fn start(tls: Tls) -> Postgres {
        Postgres::start_with(tls, &[])
    }

    /// Like [`Postgres::start`], with further server settings (`name=value`, as `postgres -c`
    /// takes them), e.g. `shared_preload_libraries=pg_cron` for an extension that must be
    /// loaded at start.
    pub fn start_with(tls: Tls, extra_settings: &[&str]) -> Postgres {
        let bin = bin_dir();
        let dir = tempfile::tempdir().expect("a temporary folder");
        let account = server_account();
        let give = |path: &Path| {
            if let Some((uid, gid)) = account {
                std::os::unix::fs::chown(path, Some(uid), Some(gid)).expect("chown to the server's account");
            }
        };
        give(dir.path());
        let as_server = |program: PathBuf| {
            let mut command = Command::new(program);
            if let Some((uid, gid)) = account {
                command.uid(uid).gid(gid);
            }
            command
        };

        let password = format!("pw-{}", std::process::id());
        let pwfile = dir.path().join("pwfile");
        std::fs::write(&pwfile, &password).unwrap();
        give(&pwfile);
        let data = dir.path().join("data");
        let output = as_server(bin.join("initdb"))
            .args(["--no-sync", "--no-instructions", "--no-locale", "--encoding=UTF8", "--auth=scram-sha-256"])
            .args(["--username=postgres", "--pwfile"])
            .arg(&pwfile)
            .arg("-D")
            .arg(&data)
            .output()
            .expect("initdb runs");
        assert!(output.status.success(), "initdb failed: {}", String::from_utf8_lossy(&output.stderr));

        let host_line = match tls {
            Tls::Off => "host",
            Tls::Required => "hostssl",
        };
        std::fs::write(data.join("pg_hba.conf"), format!("{host_line} all all {HOST}/32 scram-sha-256\n")).unwrap();
        let mut settings = vec![format!("listen_addresses={HOST}"), "fsync=off".into()];
        settings.extend(extra_settings.iter().map(|s| s.to_string()));
        let ca_file = (tls == Tls::Required).then(|| {
            let (ca, cert, key) = make_certificates(dir.path());
            for file in [&cert, &key] {
                give(file);
            }
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
            settings.extend(["ssl=on".into(), format!("ssl_cert_file={}", cert.display())]);
            settings.push(format!("ssl_key_file={}", key.display()));
            ca
        });

        let log = dir.path().join("server.log");
        for _attempt in 0..3 {
            // A port free now may be taken before the server binds it: then try another.
            let port = std::net::TcpListener::bind((HOST, 0)).unwrap().local_addr().unwrap().port();
            let log_file = std::fs::File::create(&log).unwrap();
            let mut command = as_server(bin.join("postgres"));
            command.arg("-D").arg(&data).args(["-p", &port.to_string(), "-k"]).arg(dir.path());
            for setting in &settings {
                command.args(["-c", setting]);
            }
            let mut child = command
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().unwrap())
                .stderr(log_file)
                .spawn()
                .expect("postgres starts");
            match wait_ready(&mut child, &bin, port) {
                Ready::Yes => {
                    return Postgres { child, port, user: "postgres", password, ca_file, bin, log, dir };
                }
                Ready::Exited => continue,
                Ready::TimedOut => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "PostgreSQL did not start within 60 s:\n{}",
                        std::fs::read_to_string(&log).unwrap_or_default()
                    )
                }
            }
        }
        panic!("PostgreSQL exited at start three times:\n{}", std::fs::read_to_string(&log).unwrap_or_default())
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Runs `sql` with `psql` as the superuser on `database` (over TLS when it is required,
    /// verifying the server); the unaligned, tuples-only output.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        let mut command = Command::new(self.bin.join("psql"));
        command
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", HOST, "-p", &self.port.to_string()])
            .args(["-U", self.user, "-d", database, "-c", sql])
            .env("PGPASSWORD", &self.password)
            .env("PGCONNECT_TIMEOUT", "10");
        match &self.ca_file {
            Some(ca) => command.env("PGSSLMODE", "verify-full").env("PGSSLROOTCERT", ca),
            None => command.env("PGSSLMODE", "disable"),
        };
        let output = command.output().expect("psql runs");
        assert!(output.status.success(), "psql `{sql}` failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    }
}

enum Ready {
    Yes,
    /// It exited (its port was taken).
    Exited,
    TimedOut,
}

/// Waits until the server accepts connections.
fn wait_ready(child: &mut Child, bin: &Path, port: u16) -> Ready {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if child.try_wait().expect("the server's status").is_some() {
            return Ready::Exited;
        }
        let ready = Command::new(bin.join("pg_isready"))
            .args(["-q", "-h", HOST, "-p", &port.to_string()])
            .status()
            .expect("pg_isready runs");
        if ready.success() {
            return Ready::Yes;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ready::TimedOut
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // SIGINT is PostgreSQL's fast shutdown: backends end, the postmaster exits.
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A CA and a server certificate for `127.0.0.1` signed by it (openssl, which Debian's
/// PostgreSQL package pulls in): (CA PEM, server certificate, server key).
fn make_certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let openssl = |args: &[&str]| {
        let output = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
        assert!(output.status.success(), "openssl {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    };
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    let ca = ["-x509", "-subj", "/CN=matbakh test CA", "-days", "2", "-keyout", "ca.key", "-out", "ca.pem"];
    openssl(&[&["req"][..], &ec, &ca].concat());
    openssl(&[&["req"][..], &ec, &["-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out", "server.csr"]].concat());
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.crt",
    ]);
    (dir.join("ca.pem"), dir.join("server.crt"), dir.join("server.key"))
}
