//! Plumbing shared by the integration tests: the binary, temporary directories, local adaptor
//! packages, and reading a run's final state.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The `fnhost` binary, isolated from the caller's repo and time zone.
pub fn fnhost() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fnhost"));
    cmd.env_remove("FNHOST_REPO_DIR").env("TZ", "UTC");
    cmd
}

/// Runs `command` and gives back its standard output; panics with its standard error when it
/// fails.
/// Runs `command` with `input` on its standard input; its standard output, after checking it
/// exited 0.
pub fn succeed_with_input(command: &mut Command, input: &str) -> String {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    child
        .stdin
        .take()
        .expect("a standard input")
        .write_all(input.as_bytes())
        .expect("the command reads its input");
    let out = child.wait_with_output().expect("the command ends");
    assert!(
        out.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn succeed(command: &mut Command) -> String {
    let out = command.output().expect("the command starts");
    assert!(
        out.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh directory whose name contains `tag`.
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let path = std::env::temp_dir().join(format!("fnhost-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    /// Writes `text` to `rel` (creating folders) and returns the file's path.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Writes an ES-module adaptor package `@openfn/language-<name>` at `<dir>/<name>` and
    /// returns the `-a` value that selects it.
    pub fn adaptor(&self, name: &str, index_js: &str) -> String {
        self.write(
            &format!("{name}/package.json"),
            &format!(r#"{{"name":"@openfn/language-{name}","version":"1.0.0","type":"module","main":"index.js"}}"#),
        );
        self.write(&format!("{name}/index.js"), index_js);
        format!("{name}={}", self.0.join(name).display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copies a directory tree, making the copies writable.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            let mut perms = std::fs::metadata(&target).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            std::fs::set_permissions(&target, perms).unwrap();
        }
    }
}

/// The final state printed by a `-O` run that must have exited 0.
pub fn final_state(out: &Output) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the final state is JSON")
}

/// A copy of `source` with its npm packages installed, kept at `<tmp>/<name>` between runs and
/// reinstalled when `source`'s package.json changes or `installed` (a path inside the copy) is
/// missing. Serialised: several tests may ask for the same copy at once.
pub fn npm_prepared(source: &Path, name: &str, installed: &str) -> PathBuf {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = std::env::temp_dir().join(name);
    let manifest = std::fs::read_to_string(source.join("package.json")).unwrap_or_default();
    let current = std::fs::read_to_string(dir.join("package.json")).ok();
    if current.as_deref() != Some(manifest.as_str()) || !dir.join(installed).exists() {
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(source, &dir);
        let status = Command::new("npm")
            .args(["install", "--no-fund", "--no-audit", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .expect("npm installs the fixture packages");
        assert!(status.success(), "npm install in {} failed", dir.display());
    }
    dir
}

/// `tests/servers/http_fixture.py` on a free port of 127.0.0.1 (HTTPS with a certificate and
/// key); stopped on drop.
pub struct HttpFixture {
    child: std::process::Child,
    /// The port it listens on.
    pub port: u16,
}

impl HttpFixture {
    /// Starts the server, over TLS when `tls` gives a certificate and its key.
    pub fn start(tls: Option<(&Path, &Path)>) -> HttpFixture {
        use std::io::{BufRead, BufReader};
        use std::process::Stdio;
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/servers/http_fixture.py");
        let mut cmd = Command::new("python3");
        cmd.arg(script);
        if let Some((cert, key)) = tls {
            cmd.arg(cert).arg(key);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the test server");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        HttpFixture {
            port: line.trim().parse().expect("the server prints its port"),
            child,
        }
    }
}

impl Drop for HttpFixture {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The top-level keys in which `actual` differs from `expected`, one report line each.
pub fn section_diff(actual: &serde_json::Value, expected: &serde_json::Value) -> String {
    let mut report = String::new();
    match (actual.as_object(), expected.as_object()) {
        (Some(a), Some(e)) => {
            for (key, want) in e {
                let got = a.get(key).unwrap_or(&serde_json::Value::Null);
                if got != want {
                    report.push_str(&format!("  {key}:\n    got  {got}\n    want {want}\n"));
                }
            }
            for key in a.keys().filter(|k| !e.contains_key(*k)) {
                report.push_str(&format!("  {key}: not expected\n"));
            }
        }
        _ => report = format!("got {actual}"),
    }
    report
}

/// Runs `job` with one adaptor (`-a` value) and returns its final state (the run must exit 0).
pub fn run_with_adaptor(job: &Path, adaptor: &str) -> serde_json::Value {
    run_with_adaptor_env(job, adaptor, &[])
}

/// [`run_with_adaptor`] with extra environment variables for the process.
pub fn run_with_adaptor_env(job: &Path, adaptor: &str, env: &[(&str, &Path)]) -> serde_json::Value {
    let mut command = fnhost();
    for (name, value) in env {
        command.env(name, value);
    }
    let out = command
        .arg(job)
        .arg("-a")
        .arg(adaptor)
        .args(["-O", "--log", "none"])
        .output()
        .unwrap();
    final_state(&out)
}

/// A throw-away PKI made by openssl in `dir`: a self-signed CA (`ca.pem`) and a certificate for
/// 127.0.0.1/localhost it signed (`cert.pem`, key `key.pem`), as a private PKI would issue them.
pub struct TestCerts {
    /// The CA's certificate (PEM file).
    pub ca: PathBuf,
    /// The server certificate (PEM file).
    pub cert: PathBuf,
    /// The server certificate's private key (PEM file).
    pub key: PathBuf,
}

impl TestCerts {
    /// Makes the CA and the server certificate under `dir`.
    pub fn make(dir: &Path) -> TestCerts {
        std::fs::write(
            dir.join("san.ext"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
        )
        .unwrap();
        self_signed_ca(dir, "/CN=fnhost test CA", "ca.key", "ca.pem");
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=localhost",
                "-keyout",
                "key.pem",
                "-out",
                "leaf.csr",
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "leaf.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "1",
                "-extfile",
                "san.ext",
                "-out",
                "cert.pem",
            ],
        );
        TestCerts {
            ca: dir.join("ca.pem"),
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        }
    }
}

/// Runs openssl in `dir` to make test certificates; panics when it fails.
pub fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .stderr(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("openssl generates test certificates");
    assert!(status.success(), "openssl {args:?}");
}

/// A self-signed CA in `dir`: its subject, key file and certificate file (PEM).
pub fn self_signed_ca(dir: &Path, subject: &str, key: &str, cert: &str) {
    openssl(
        dir,
        &[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", subject,
            "-keyout", key, "-out", cert,
        ],
    );
}

/// A raw TCP listener on 127.0.0.1 that records each request's bytes (head and body) by its
/// path (query left out), answering `200` with a 2-byte body (none to a HEAD) on a kept-alive
/// connection: the same listener as tests/servers/recorder.mjs.
pub struct Recorder {
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    /// Each request's bytes (head and body), by its path without the leading `/` and query.
    pub seen: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>,
}

impl Recorder {
    /// Starts the listener on a free port (one thread per connection, for the test's life).
    pub fn start() -> Recorder {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(std::collections::HashMap::new()));
        let record = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let record = record.clone();
                std::thread::spawn(move || {
                    let mut buf: Vec<u8> = Vec::new();
                    let mut chunk = [0u8; 4096];
                    loop {
                        while let Some(total) = complete_request(&buf) {
                            let request: String = buf.drain(..total).map(char::from).collect();
                            let path = request.split(' ').nth(1).unwrap_or("/");
                            let name = path[1..].split('?').next().unwrap_or("").to_string();
                            let head_only = request.starts_with("HEAD ");
                            record.lock().unwrap().insert(name, request);
                            let body = if head_only { "" } else { "ok" };
                            let reply = format!("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\n{body}");
                            if stream.write_all(reply.as_bytes()).is_err() {
                                return;
                            }
                        }
                        match stream.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                });
            }
        });
        Recorder { port, seen }
    }
}

/// Length of the first complete request in `buf` (head, then a `content-length` or chunked body).
fn complete_request(buf: &[u8]) -> Option<usize> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
    let mut total = end;
    if let Some(line) = head
        .split("\r\n")
        .find(|l| l.starts_with("content-length:"))
    {
        total += line["content-length:".len()..]
            .trim()
            .parse::<usize>()
            .ok()?;
    } else if head.contains("\r\ntransfer-encoding: chunked") {
        total = end + buf[end..].windows(5).position(|w| w == b"0\r\n\r\n")? + 5;
    }
    (buf.len() >= total).then_some(total)
}
