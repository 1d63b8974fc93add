//! Plumbing of the server's robustness tests (`serve_crash`, `serve_fuzz`): a real `fnhost
//! serve` process on a fixed port of 127.0.0.1 that can be killed with SIGKILL and restarted on
//! the same store, and a raw HTTP/1.1 client over `std::net::TcpStream` — no client library
//! between the tests and the bytes on the wire.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free port of 127.0.0.1 (bound and released; the server binds it again).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `fnhost serve` process; stopped (SIGKILL) on drop.
pub struct Server {
    binary: PathBuf,
    child: Option<Child>,
    /// The port it listens on (the same across restarts).
    pub port: u16,
    project: PathBuf,
    database: String,
    workers: usize,
    log_dir: PathBuf,
    /// How many times it was started.
    pub starts: usize,
}

impl Server {
    /// Starts `fnhost serve --project PROJECT --database DATABASE --workers N` and waits until
    /// `/healthz` answers; each start's standard error goes to `LOG_DIR/serve-<n>.log`.
    pub fn start(project: &Path, database: &str, workers: usize, log_dir: &Path) -> Server {
        // a copy of the binary, so that every restart runs the same one even when the target
        // directory is rebuilt meanwhile (it may be shared with other checkouts)
        let binary = log_dir.join("fnhost-under-test");
        std::fs::copy(env!("CARGO_BIN_EXE_fnhost"), &binary).expect("a copy of fnhost");
        let mut server = Server {
            binary,
            child: None,
            port: free_port(),
            project: project.to_path_buf(),
            database: database.to_string(),
            workers,
            log_dir: log_dir.to_path_buf(),
            starts: 0,
        };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let log = self.log_dir.join(format!("serve-{}.log", self.starts));
        self.starts += 1;
        let child = Command::new(&self.binary)
            .env_remove("FNHOST_REPO_DIR")
            .env("TZ", "UTC")
            .arg("serve")
            .arg("--project")
            .arg(&self.project)
            .arg("--database")
            .arg(&self.database)
            .arg("--listen")
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--workers")
            .arg(self.workers.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("fnhost serve starts");
        self.child = Some(child);
        self.wait_healthy(Duration::from_secs(60));
    }

    /// Waits until `/healthz` answers 200; panics with the server's log if it exits or
    /// does not answer within `timeout`.
    pub fn wait_healthy(&mut self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            if !self.alive() {
                panic!("fnhost serve exited:\n{}", self.logs());
            }
            if let Ok(a) = get(self.port, "/healthz", Duration::from_secs(5)) {
                if a.status == 200 {
                    return;
                }
            }
            if Instant::now() > deadline {
                panic!("fnhost serve did not become healthy:\n{}", self.logs());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        match self.child.as_mut() {
            Some(c) => c.try_wait().map(|s| s.is_none()).unwrap_or(false),
            None => false,
        }
    }

    /// `kill -9`: no chance to finish anything.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port and store.
    pub fn restart(&mut self) {
        self.kill9();
        self.spawn();
    }

    /// SIGTERM, then waits for it to exit (SIGKILL after 30 s).
    pub fn terminate(&mut self) {
        if let Some(mut c) = self.child.take() {
            unsafe {
                libc::kill(c.id() as libc::pid_t, libc::SIGTERM);
            }
            let deadline = Instant::now() + Duration::from_secs(30);
            while c.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Every start's standard error, in order.
    pub fn logs(&self) -> String {
        (0..self.starts)
            .map(|n| {
                std::fs::read_to_string(self.log_dir.join(format!("serve-{n}.log")))
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("--- restart ---\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// An HTTP answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Its status code.
    pub status: u16,
    /// Its headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Its body (de-chunked).
    pub body: Vec<u8>,
}

impl Answer {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`Null` when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

fn broken(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string())
}

/// Reads one answer: the head, then a body by `content-length`, chunks, or up to the end.
pub fn read_answer<R: BufRead>(reader: &mut R) -> std::io::Result<Answer> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "closed before an answer",
        ));
    }
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| broken(&format!("not a status line: {line:?}")))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(broken("closed inside the head"));
        }
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            break;
        }
        if let Some((n, v)) = l.split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let find = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v): &(String, String)| v.clone())
    };
    let mut body = Vec::new();
    if let Some(len) = find("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(len, 0);
        reader.read_exact(&mut body)?;
    } else if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| broken("bad chunk size"))?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else if status != 204 && status != 304 {
        reader.read_to_end(&mut body)?;
    }
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// Sends `raw` (a whole request) on a new connection and reads the answer, each read waiting
/// at most `timeout`.
pub fn exchange(port: u16, raw: &[u8], timeout: Duration) -> std::io::Result<Answer> {
    let stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let mut reader = BufReader::new(stream);
    reader.get_mut().write_all(raw)?;
    let answer = read_answer(&mut reader);
    let _ = reader.get_ref().shutdown(Shutdown::Both);
    answer
}

/// `GET path` on a new connection.
pub fn get(port: u16, path: &str, timeout: Duration) -> std::io::Result<Answer> {
    exchange(
        port,
        format!("GET {path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n").as_bytes(),
        timeout,
    )
}

/// A POST request's bytes with a `content-length`.
pub fn post_bytes(path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut raw = format!(
        "POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: {}\r\n",
        body.len()
    )
    .into_bytes();
    for (n, v) in headers {
        raw.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
    }
    raw.extend_from_slice(b"\r\n");
    raw.extend_from_slice(body);
    raw
}

/// A keep-alive connection that reconnects after an error.
pub struct Conn {
    port: u16,
    timeout: Duration,
    reader: Option<BufReader<TcpStream>>,
}

impl Conn {
    /// A connection to 127.0.0.1:`port` (opened on first use).
    pub fn new(port: u16, timeout: Duration) -> Conn {
        Conn {
            port,
            timeout,
            reader: None,
        }
    }

    /// Sends a request and reads its answer; after an error the next call reconnects.
    pub fn send(&mut self, raw: &[u8]) -> std::io::Result<Answer> {
        let result = self.try_send(raw);
        match &result {
            Ok(a) if a.header("connection") != Some("close") => {}
            _ => self.reader = None,
        }
        result
    }

    fn try_send(&mut self, raw: &[u8]) -> std::io::Result<Answer> {
        if self.reader.is_none() {
            let stream = TcpStream::connect(("127.0.0.1", self.port))?;
            stream.set_read_timeout(Some(self.timeout))?;
            stream.set_write_timeout(Some(self.timeout))?;
            stream.set_nodelay(true)?;
            self.reader = Some(BufReader::new(stream));
        }
        let reader = self.reader.as_mut().unwrap();
        reader.get_mut().write_all(raw)?;
        read_answer(reader)
    }
}

/// A value of `/metrics` (the first sample whose line starts with `series`).
pub fn metric(port: u16, series: &str) -> Option<f64> {
    let answer = get(port, "/metrics", Duration::from_secs(10)).ok()?;
    let text = String::from_utf8_lossy(&answer.body).into_owned();
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

/// A small seeded generator (splitmix64): the same seed, the same test.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
}

/// A store URL on a fresh schema of the test PostgreSQL (`FNHOST_TEST_PG`, started by
/// `.ci/run` or `tests/pg/start.sh`); panics without it (a skipped test would pass silently).
pub fn postgres_schema(tag: &str) -> String {
    let base = std::env::var("FNHOST_TEST_PG")
        .expect("FNHOST_TEST_PG is not set: run `export FNHOST_TEST_PG=$(tests/pg/start.sh)`");
    let schema = format!("{tag}_{}_{}", std::process::id(), free_port());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let pool = sqlx::postgres::PgPool::connect(&base).await.unwrap();
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}
