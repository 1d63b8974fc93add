//! `fnhost serve` end to end: the real binary on 127.0.0.1, posts over real HTTP, runs with
//! the registry's language-common, the store read back through `fnhost messages/runs`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::support::{fnhost, npm_prepared, TempDir};

/// language-common 3.3.4 from the npm registry, as an adaptor spec.
pub fn common() -> String {
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/adaptors");
    let dir = npm_prepared(
        &source,
        "fnhost-adaptor-imports",
        "node_modules/@openfn/language-mssql",
    );
    format!(
        "common={}",
        dir.join("node_modules/@openfn/language-common").display()
    )
}

/// A running `fnhost serve`; killed on drop.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// The store's URL.
    pub database: String,
}

impl Server {
    /// Serves `project` (a file) with the store at `database`, without sign-in (`--no-auth`).
    pub fn start(project: &Path, database: &str, extra: &[&str]) -> Server {
        let mut args = vec!["--no-auth"];
        args.extend_from_slice(extra);
        Server::launch(project, database, &args, &[])
    }

    /// Serves `project` with exactly the arguments `extra` and environment `env` added (sign-in
    /// required unless `extra` says `--no-auth`).
    pub fn launch(project: &Path, database: &str, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let mut command = fnhost();
        for (k, v) in env {
            command.env(k, v);
        }
        Server::start_with(command, "127.0.0.1:0", project, database, extra)
    }

    /// Serves with `command` (the fnhost binary, or a wrapper such as `ip netns exec NS
    /// fnhost`) listening on `listen`.
    pub fn start_with(
        mut command: std::process::Command,
        listen: &str,
        project: &Path,
        database: &str,
        extra: &[&str],
    ) -> Server {
        let mut child = command
            .args(["serve", "--project"])
            .arg(project)
            .args(["--listen", listen, "--database", database])
            .args(extra)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("fnhost serve starts");
        let mut stderr = child.stderr.take().unwrap();
        let mut seen = String::new();
        let mut buf = [0u8; 1];
        let deadline = Instant::now() + Duration::from_secs(60);
        let addr = loop {
            assert!(Instant::now() < deadline, "serve did not start: {seen}");
            match stderr.read(&mut buf) {
                Ok(0) => panic!("serve exited: {seen} {:?}", child.wait()),
                Ok(_) => seen.push(buf[0] as char),
                Err(e) => panic!("{e}"),
            }
            if seen.ends_with('\n') {
                if let Some(rest) = seen
                    .lines()
                    .last()
                    .and_then(|l| l.split("listening on http://").nth(1))
                {
                    break rest.split_whitespace().next().unwrap().to_string();
                }
            }
        };
        // keep draining stderr so the server never blocks on a full pipe
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = stderr.read_to_end(&mut sink);
            if std::env::var_os("FNHOST_TEST_VERBOSE").is_some() {
                eprintln!("{}", String::from_utf8_lossy(&sink));
            }
        });
        Server {
            child,
            addr,
            database: database.to_string(),
        }
    }

    /// Posts to a path with headers; the status, headers (lower-case names) and body.
    pub fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        request(&self.addr, "POST", path, headers, body)
    }

    /// GETs a path.
    pub fn get(&self, path: &str) -> Reply {
        request(&self.addr, "GET", path, &[], b"")
    }

    /// `fnhost <args> --database <store>` printing JSON.
    pub fn cli(&self, args: &[&str]) -> Value {
        let out = fnhost()
            .args(args)
            .args(["--database", &self.database])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
    }

    /// The run with this id once it has finished (waits up to 60 s).
    pub fn finished_run(&self, id: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let reply = self.get(&format!("/api/v1/runs/{id}"));
            if reply.status == 200 {
                let run = reply.json();
                if run["finished_at"].is_i64() {
                    return run;
                }
            }
            assert!(Instant::now() < deadline, "run {id} did not finish");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The runs of a message (waits until `n` exist).
    pub fn runs_of(&self, message: &str, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let runs = self.get(&format!("/api/v1/runs?message={message}")).json();
            let runs = runs.as_array().cloned().unwrap_or_default();
            if runs.len() >= n {
                return runs;
            }
            assert!(
                Instant::now() < deadline,
                "{n} runs of {message} did not appear"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends SIGTERM and waits for the process to exit (up to 60 s); its exit code.
    pub fn terminate(mut self) -> Option<i32> {
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the process at once (as a crash would).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Reply {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request on a fresh connection.
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    try_request(addr, method, path, headers, body).unwrap_or_else(|e| panic!("{e}"))
}

/// One HTTP/1.1 request on a fresh connection; an error when the connection fails or the
/// answer is cut short.
pub fn try_request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Reply, String> {
    let mut stream = TcpStream::connect(addr).map_err(|e| format!("{addr}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| e.to_string())?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n");
    let mut has_length = false;
    for (k, v) in headers {
        if k.eq_ignore_ascii_case("content-length") || k.eq_ignore_ascii_case("transfer-encoding") {
            has_length = true;
        }
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !has_length {
        head.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .map_err(|e| format!("{addr}: {e}"))?;
    let _ = stream.write_all(body);
    let raw = read_answer(&mut stream);
    if !raw.windows(4).any(|w| w == b"\r\n\r\n") {
        return Err(format!("{addr}: no HTTP answer"));
    }
    Ok(parse_reply(&raw))
}

/// Reads an answer until the server closes the connection or, when the head gives a
/// `content-length`, until that many body bytes have come (chromedriver answers
/// `connection: close` and then keeps the socket open).
fn read_answer(stream: &mut TcpStream) -> Vec<u8> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let mut wanted: Option<usize> = None;
    loop {
        if let Some(total) = wanted {
            if raw.len() >= total {
                return raw;
            }
        } else if let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
            let length = head.lines().find_map(|l| {
                l.strip_prefix("content-length:")
                    .and_then(|v| v.trim().parse::<usize>().ok())
            });
            if let Some(length) = length {
                wanted = Some(split + 4 + length);
                continue;
            }
            wanted = Some(usize::MAX);
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return raw,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    }
}

fn parse_reply(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP answer: {}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
    out
}

/// A project directory with `project.yaml` written from `yaml` (`{COMMON}` replaced by the
/// language-common spec).
pub fn project(dir: &TempDir, yaml: &str) -> PathBuf {
    dir.write("project.yaml", &yaml.replace("{COMMON}", &common()))
}

/// A SQLite store in `dir`, as a store URL.
pub fn sqlite(dir: &TempDir) -> String {
    format!("sqlite://{}", dir.0.join("store.db").display())
}

/// A fresh schema in the test PostgreSQL (`FNHOST_TEST_PG`, started by `.ci/run` or
/// `tests/pg/start.sh`), as a store URL.
pub fn postgres(tag: &str) -> String {
    let base = std::env::var("FNHOST_TEST_PG")
        .expect("FNHOST_TEST_PG is not set: run `export FNHOST_TEST_PG=$(tests/pg/start.sh)`");
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let schema = format!(
        "serve_{tag}_{}_{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let pool = sqlx::postgres::PgPool::connect(&base).await.unwrap();
        sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&pool)
            .await
            .unwrap();
    });
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

/// The JSON content type header.
pub const JSON: (&str, &str) = ("content-type", "application/json");

const CONTRACT: &str = r#"
inboxes:
  - name: open
    key: open-inbox-0001
    max_body_bytes: 2000
    idempotency_path: body._uuid
  - name: off
    key: off-inbox-0001
    enabled: false
  - name: keyed
    key: keyed-inbox-0001
    auth: { api_key: { header: x-inbox-key, value: s3cret-value } }
  - name: basic
    key: basic-inbox-0001
    auth: { basic: { username: kobo, password: pa55 } }
jobs:
  - name: echo
    adaptor: "{COMMON}"
    expression: fn(state => state)
    trigger:
      webhook: { inbox: open }
"#;

#[test]
fn the_inbox_answers_every_status_of_its_contract() {
    let dir = TempDir::new("serve-contract");
    contract(&dir, &sqlite(&dir));
}

#[test]
fn the_inbox_contract_holds_on_postgresql() {
    let dir = TempDir::new("serve-contract-pg");
    contract(&dir, &postgres("contract"));
}

fn contract(dir: &TempDir, database: &str) {
    let server = Server::start(&project(dir, CONTRACT), database, &[]);

    // 200, body exactly {}, with the message id; stored with its body as posted
    let r = server.post(
        "/inbox/open-inbox-0001",
        &[JSON],
        br#"{"a": 1, "n": 1e400}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.body, b"{}");
    assert_eq!(r.header("content-type"), Some("application/json"));
    let id = r
        .header("x-fnhost-message-id")
        .expect("message id")
        .to_string();
    let shown = server.cli(&["messages", "show", &id]);
    assert_eq!(shown["inbox"], "open");
    // kept as posted (1e400 is not an f64: the text is what JSON.parse will read)
    assert_eq!(shown["body"], json!("{\"a\": 1, \"n\": 1e400}"));
    let stored = server.get(&format!("/api/v1/messages/{id}")).json();
    assert_eq!(stored["id"], id.as_str());

    // 404: unknown key, disabled inbox
    assert_eq!(
        server.post("/inbox/nope-nope-nope", &[JSON], b"{}").status,
        404
    );
    assert_eq!(
        server.post("/inbox/off-inbox-0001", &[JSON], b"{}").status,
        404
    );

    // 400 naming the position
    let r = server.post("/inbox/open-inbox-0001", &[JSON], b"{\n  \"a\": [1, 2,]\n}");
    assert_eq!(r.status, 400);
    let e = r.json();
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(2), Some(14)),
        "{e}"
    );
    assert!(e["error"].as_str().unwrap().contains("not JSON"));
    assert_eq!(
        server
            .post("/inbox/open-inbox-0001", &[JSON], b"\xff\xfe")
            .status,
        400
    );

    // 413 from Content-Length alone (the body is never sent) and from a chunked body
    let r = request(
        &server.addr,
        "POST",
        "/inbox/open-inbox-0001",
        &[JSON, ("content-length", "5000000")],
        b"",
    );
    assert_eq!(r.status, 413, "{}", r.text());
    let big = format!("{{\"pad\": \"{}\"}}", "x".repeat(3000));
    let chunked = format!("{:x}\r\n{big}\r\n0\r\n\r\n", big.len());
    let r = request(
        &server.addr,
        "POST",
        "/inbox/open-inbox-0001",
        &[JSON, ("transfer-encoding", "chunked")],
        chunked.as_bytes(),
    );
    assert_eq!(r.status, 413, "{}", r.text());

    // 415
    let r = server.post(
        "/inbox/open-inbox-0001",
        &[("content-type", "application/xml")],
        b"<a/>",
    );
    assert_eq!(r.status, 415);

    // form posts become a JSON object (repeated fields an array)
    let r = server.post(
        "/inbox/open-inbox-0001",
        &[("content-type", "application/x-www-form-urlencoded")],
        b"name=Amina&group1%2Fage=31&tag=a&tag=b",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let shown = server.cli(&["messages", "show", r.header("x-fnhost-message-id").unwrap()]);
    assert_eq!(
        shown["body"],
        json!({"name": "Amina", "group1/age": "31", "tag": ["a", "b"]})
    );

    // 401 without the key, 200 with it; Basic likewise
    assert_eq!(
        server
            .post("/inbox/keyed-inbox-0001", &[JSON], b"{}")
            .status,
        401
    );
    assert_eq!(
        server
            .post(
                "/inbox/keyed-inbox-0001",
                &[JSON, ("x-inbox-key", "wrong")],
                b"{}"
            )
            .status,
        401
    );
    let r = server.post(
        "/inbox/keyed-inbox-0001",
        &[JSON, ("x-inbox-key", "s3cret-value")],
        b"{}",
    );
    assert_eq!(r.status, 200);
    let shown = server.cli(&["messages", "show", r.header("x-fnhost-message-id").unwrap()]);
    assert!(
        shown["headers"].get("x-inbox-key").is_none(),
        "the inbox key is not stored: {shown}"
    );
    let r = server.post("/inbox/basic-inbox-0001", &[JSON], b"{}");
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").is_some());
    // kobo:pa55
    let r = server.post(
        "/inbox/basic-inbox-0001",
        &[JSON, ("authorization", "Basic a29ibzpwYTU1")],
        b"{}",
    );
    assert_eq!(r.status, 200);

    // idempotency: by header, and by the inbox's JSON path
    let first = server.post(
        "/inbox/open-inbox-0001",
        &[JSON, ("idempotency-key", "k-1")],
        b"{\"v\":1}",
    );
    let again = server.post(
        "/inbox/open-inbox-0001",
        &[JSON, ("idempotency-key", "k-1")],
        b"{\"v\":2}",
    );
    assert_eq!((first.status, again.status), (200, 200));
    assert_eq!(
        first.header("x-fnhost-message-id"),
        again.header("x-fnhost-message-id")
    );
    let kobo = br#"{"form": "f", "body": {"_uuid": "u-77", "x": 1}}"#;
    let first = server.post("/inbox/open-inbox-0001", &[JSON], kobo);
    let again = server.post("/inbox/open-inbox-0001", &[JSON], kobo);
    assert_eq!(
        first.header("x-fnhost-message-id"),
        again.header("x-fnhost-message-id")
    );
    assert_eq!(again.header("x-fnhost-duplicate"), Some("true"));
    let runs = server.runs_of(first.header("x-fnhost-message-id").unwrap(), 1);
    assert_eq!(runs.len(), 1, "a repeated post starts no second run");

    // secrets never stored; other headers are
    let r = server.post(
        "/inbox/open-inbox-0001?source=kobo",
        &[
            JSON,
            ("authorization", "Bearer abc"),
            ("cookie", "session=1"),
            ("x-hub-signature", "sha1=zz"),
            ("x-request-source", "kobo"),
        ],
        b"{\"k\": true}",
    );
    let id = r.header("x-fnhost-message-id").unwrap().to_string();
    let shown = server.cli(&["messages", "show", &id]);
    let headers = shown["headers"].as_object().unwrap();
    for secret in ["authorization", "cookie", "x-hub-signature"] {
        assert!(!headers.contains_key(secret), "{secret} stored: {shown}");
    }
    assert_eq!(headers["x-request-source"], "kobo");
    // the webhook job's state carries the request, without the secrets
    let run = server.finished_run(server.runs_of(&id, 1)[0]["id"].as_str().unwrap());
    assert_eq!(run["status"], "success", "{run}");
    let state = &run["final_state"];
    assert_eq!(state["data"], json!({"k": true}));
    assert_eq!(state["request"]["method"], "POST");
    assert_eq!(state["request"]["path"], "/inbox/open-inbox-0001");
    assert_eq!(state["request"]["query_params"], json!({"source": "kobo"}));
    assert!(state["request"]["headers"].get("authorization").is_none());
    assert_eq!(state["request"]["headers"]["x-request-source"], "kobo");

    // health and metrics
    assert_eq!(server.get("/healthz").status, 200);
    let metrics = server.get("/metrics").text();
    assert!(
        metrics.contains("fnhost_inbox_posts_total{code=\"413\"} 2"),
        "{metrics}"
    );
    assert!(metrics.contains("fnhost_queue_depth"), "{metrics}");
}

#[test]
fn a_busy_store_answers_503_with_retry_after_and_stores_nothing() {
    let dir = TempDir::new("serve-503");
    let server = Server::start(&project(&dir, CONTRACT), &sqlite(&dir), &[]);
    assert_eq!(
        server.post("/inbox/open-inbox-0001", &[JSON], b"{}").status,
        200
    );
    // another process holds the database's write lock for longer than the store waits
    let db = dir.0.join("store.db");
    let mut locker = std::process::Command::new("python3")
        .arg("-c")
        .arg(format!(
            "import sqlite3,time,sys\nc=sqlite3.connect('{}',isolation_level=None)\nc.execute('BEGIN EXCLUSIVE')\nprint('locked',flush=True)\ntime.sleep(9)\n",
            db.display()
        ))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = [0u8; 6];
    locker
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut line)
        .unwrap();
    let r = server.post("/inbox/open-inbox-0001", &[JSON], b"{\"during\": \"lock\"}");
    let _ = locker.kill();
    let _ = locker.wait();
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(r.header("retry-after"), Some("5"));
    let messages = server.get("/api/v1/messages?limit=100").json();
    assert_eq!(messages.as_array().unwrap().len(), 1, "{messages}");
    // and the store works again
    assert_eq!(
        server.post("/inbox/open-inbox-0001", &[JSON], b"{}").status,
        200
    );
}

/// The founding documents' KoboToolbox post: flat `group/field` keys, wrapped by the REST
/// service as `{"form": ..., "body": %SUBMISSION%}`.
const KOBO_POST: &str = r#"{"form": "household_survey", "body": {"_id": 1183920, "_uuid": "5c1d2b3e-8f7a-4c2d-9e1f-0a2b3c4d5e6f", "formhub/uuid": "a1b2c3d4e5f6", "group1/consent": "yes", "group1/name": "Amina", "group1/household_size": "5", "meta/instanceID": "uuid:5c1d2b3e-8f7a-4c2d-9e1f-0a2b3c4d5e6f"}}"#;

/// A CommCare form forward (JSON): the form's `@name`, its case block, the form id.
const COMMCARE_POST: &str = r##"{"app_id": "8f0c1a", "archived": false, "build_id": "b7", "domain": "demo-project", "form": {"#type": "data", "@name": "Registration", "@xmlns": "http://openrosa.org/formdesigner/5A1B", "case": {"@case_id": "c-42", "create": {"case_name": "Baraka", "case_type": "patient"}, "update": {"age": "31"}}, "meta": {"instanceID": "d1e2f3", "timeEnd": "2026-11-30T09:41:12.000Z"}, "patient_name": "Baraka"}, "id": "d1e2f3", "received_on": "2026-11-30T09:41:15.000Z", "type": "data"}"##;

#[test]
fn kobo_and_commcare_posts_run_their_jobs_through_message_filters() {
    let dir = TempDir::new("serve-e2e");
    kobo_and_commcare(&dir, &sqlite(&dir));
}

#[test]
fn kobo_and_commcare_end_to_end_on_postgresql() {
    let dir = TempDir::new("serve-e2e-pg");
    kobo_and_commcare(&dir, &postgres("e2e"));
}

fn kobo_and_commcare(dir: &TempDir, database: &str) {
    dir.write(
        "jobs/kobo.js",
        "fn(state => {\n  const s = state.data.body;\n  console.log('household of', s['group1/name']);\n  return { ...state, data: { uuid: s._uuid, members: Number(s['group1/household_size']) } };\n});\n",
    );
    let yaml = r#"
inboxes:
  - name: kobo
    key: kobo-key-0001
    idempotency_path: body._uuid
  - name: commcare
    key: commcare-key-0001
    idempotency_path: id
credentials:
  dhis2: { username: admin, password: district-secret }
jobs:
  - name: kobo-household
    adaptor: "{COMMON}"
    path: jobs/kobo.js
    credential: dhis2
    trigger:
      message:
        inbox: kobo
        inclusion: { form: household_survey }
        exclusion: { body: { "group1/consent": "no" } }
  - name: commcare-registration
    adaptor: "{COMMON}"
    expression: |
      fn(state => ({ data: { case: state.data.form.case['@case_id'], name: state.data.form.patient_name, user: state.configuration.username } }));
    credential: dhis2
    trigger:
      message:
        inclusion: { form: { "@name": Registration } }
"#;
    let server = Server::start(&project(dir, yaml), database, &[]);

    let r = server.post("/inbox/kobo-key-0001", &[JSON], KOBO_POST.as_bytes());
    assert_eq!(r.status, 200);
    let id = r.header("x-fnhost-message-id").unwrap().to_string();
    let runs = server.runs_of(&id, 1);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["job"], "kobo-household");
    let run = server.finished_run(runs[0]["id"].as_str().unwrap());
    assert_eq!(run["status"], "success", "{run}");
    assert_eq!(
        run["final_state"],
        json!({"data": {"uuid": "5c1d2b3e-8f7a-4c2d-9e1f-0a2b3c4d5e6f", "members": 5}})
    );
    let logs: Vec<&str> = run["logs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["message"].as_str())
        .collect();
    assert!(logs.contains(&"household of Amina"), "{logs:?}");
    // the credential reached the job but is not in anything stored
    let everything = run.to_string();
    assert!(!everything.contains("district-secret"), "{everything}");

    // the exclusion fragment and another form start nothing
    let declined = KOBO_POST
        .replace("\"group1/consent\": \"yes\"", "\"group1/consent\": \"no\"")
        .replace("5c1d2b3e-8f7a", "00000000-8f7a");
    let other_form = KOBO_POST
        .replace("household_survey", "water_point")
        .replace("5c1d2b3e-8f7a", "11111111-8f7a");
    for body in [declined, other_form] {
        let r = server.post("/inbox/kobo-key-0001", &[JSON], body.as_bytes());
        assert_eq!(r.status, 200);
        std::thread::sleep(Duration::from_millis(300));
        let runs = server
            .get(&format!(
                "/api/v1/runs?message={}",
                r.header("x-fnhost-message-id").unwrap()
            ))
            .json();
        assert_eq!(runs, json!([]), "no job matches");
    }

    // CommCare: matched by a nested fragment, on any inbox; the credential is configuration
    let r = server.post(
        "/inbox/commcare-key-0001",
        &[JSON],
        COMMCARE_POST.as_bytes(),
    );
    assert_eq!(r.status, 200);
    let id = r.header("x-fnhost-message-id").unwrap().to_string();
    let run = server.finished_run(server.runs_of(&id, 1)[0]["id"].as_str().unwrap());
    assert_eq!(run["job"], "commcare-registration");
    assert_eq!(
        run["final_state"],
        json!({"data": {"case": "c-42", "name": "Baraka", "user": "admin"}}),
        "{run}"
    );
    // queryable through the CLI against the store
    let shown = server.cli(&["runs", "show", run["id"].as_str().unwrap()]);
    assert_eq!(shown["status"], "success");
    let message = server.cli(&["messages", "show", &id]);
    assert_eq!(message["runs"][0]["id"], run["id"]);
}

#[test]
fn sync_inboxes_answer_with_the_webhook_response_or_202_on_timeout() {
    let dir = TempDir::new("serve-sync");
    let yaml = r#"
inboxes:
  - name: quick
    key: quick-key-0001
    sync: true
  - name: slow
    key: slow-key-0001
    sync: true
    sync_timeout_seconds: 1
jobs:
  - name: reply
    adaptor: "{COMMON}"
    expression: |
      fn(state => ({ ...state, webhookResponse: { status: 201, headers: { 'x-job': 'reply' }, body: { got: state.data.n } } }));
    trigger: { webhook: { inbox: quick } }
  - name: slow
    adaptor: "{COMMON}"
    expression: |
      fn(state => new Promise(resolve => setTimeout(() => resolve(state), 3000)));
    trigger: { webhook: { inbox: slow } }
"#;
    let server = Server::start(&project(&dir, yaml), &sqlite(&dir), &[]);
    let r = server.post("/inbox/quick-key-0001", &[JSON], b"{\"n\": 7}");
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.header("x-job"), Some("reply"));
    assert_eq!(r.json(), json!({"got": 7}));
    let r = server.post("/inbox/slow-key-0001", &[JSON], b"{}");
    assert_eq!(r.status, 202, "{}", r.text());
    let id = r.json()["message_id"].as_str().unwrap().to_string();
    let run = server.finished_run(server.runs_of(&id, 1)[0]["id"].as_str().unwrap());
    assert_eq!(run["status"], "success");
}

#[test]
fn cancel_stops_a_running_run_and_keeps_its_logs() {
    let dir = TempDir::new("serve-cancel");
    let yaml = r#"
inboxes:
  - name: in
    key: cancel-key-0001
jobs:
  - name: spin
    adaptor: "{COMMON}"
    expression: |
      fn(state => { console.log('spinning'); while (true) {} });
    trigger: { webhook: { inbox: in } }
"#;
    let server = Server::start(&project(&dir, yaml), &sqlite(&dir), &[]);
    let r = server.post("/inbox/cancel-key-0001", &[JSON], b"{}");
    let runs = server.runs_of(r.header("x-fnhost-message-id").unwrap(), 1);
    let run_id = runs[0]["id"].as_str().unwrap().to_string();
    // wait until it runs and has logged
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let run = server.get(&format!("/api/v1/runs/{run_id}")).json();
        if run["status"] == "started" && run["logs"].to_string().contains("spinning") {
            break;
        }
        assert!(Instant::now() < deadline, "never started: {run}");
        std::thread::sleep(Duration::from_millis(50));
    }
    // through the store, as `fnhost runs cancel` without --server does
    let asked = Instant::now();
    let out = server.cli(&["runs", "cancel", &run_id]);
    assert_eq!(out["cancel"], "requested");
    let run = server.finished_run(&run_id);
    let took = asked.elapsed();
    eprintln!("cancel through the store: run ended {took:?} after the request");
    assert_eq!(run["status"], "cancelled", "{run}");
    assert!(run["logs"].to_string().contains("spinning"), "{run}");
    // the server is still serving
    assert_eq!(server.get("/healthz").status, 200);
    // cancelling a finished run is refused
    let r = server.post(&format!("/api/v1/runs/{run_id}/cancel"), &[], b"");
    assert_eq!(r.status, 409);
}

#[test]
fn limits_end_the_run_with_a_named_status_not_the_server() {
    let dir = TempDir::new("serve-limits");
    let yaml = r#"
inboxes:
  - name: in
    key: limits-key-0001
jobs:
  - name: hog
    adaptor: "{COMMON}"
    expression: |
      fn(state => { const a = []; while (true) a.push(new Array(100000).fill(a.length)); });
    limits: { memory_mb: 64 }
    trigger: { message: { inclusion: { kind: hog } } }
  - name: sleepy
    adaptor: "{COMMON}"
    expression: |
      fn(state => new Promise(() => {}));
    limits: { timeout_seconds: 1 }
    trigger: { message: { inclusion: { kind: sleepy } } }
"#;
    let server = Server::start(&project(&dir, yaml), &sqlite(&dir), &[]);
    for (kind, status) in [("hog", "oom"), ("sleepy", "timeout")] {
        let r = server.post(
            "/inbox/limits-key-0001",
            &[JSON],
            format!("{{\"kind\":\"{kind}\"}}").as_bytes(),
        );
        let runs = server.runs_of(r.header("x-fnhost-message-id").unwrap(), 1);
        let run = server.finished_run(runs[0]["id"].as_str().unwrap());
        assert_eq!(run["status"], status, "{run}");
        assert!(run["reason"].is_string(), "{run}");
    }
    assert_eq!(server.get("/healthz").status, 200);
}

#[test]
fn flow_triggers_and_retries_follow_a_run() {
    let dir = TempDir::new("serve-flow");
    let yaml = r#"
inboxes:
  - name: in
    key: flow-key-0001
jobs:
  - name: first
    adaptor: "{COMMON}"
    expression: |
      fn(state => ({ data: { n: state.data.n + 1 } }));
    trigger: { webhook: { inbox: in } }
  - name: after-success
    adaptor: "{COMMON}"
    expression: |
      fn(state => ({ data: { n: state.data.n * 10 } }));
    trigger: { flow: { job: first, on: success } }
  - name: flaky
    adaptor: "{COMMON}"
    expression: |
      fn(state => { throw new Error('upstream said no'); });
    retries: { max: 2, backoff_seconds: 0 }
    trigger: { flow: { job: first, on: success } }
  - name: on-failure
    adaptor: "{COMMON}"
    expression: |
      fn(state => ({ data: { handled: true } }));
    trigger: { flow: { job: flaky, on: failure } }
"#;
    let server = Server::start(&project(&dir, yaml), &sqlite(&dir), &[]);
    let r = server.post("/inbox/flow-key-0001", &[JSON], b"{\"n\": 1}");
    let message = r.header("x-fnhost-message-id").unwrap().to_string();
    // first, after-success, flaky x3 (two retries), on-failure x3 (each failed attempt)
    let runs = server.runs_of(&message, 8);
    for run in &runs {
        server.finished_run(run["id"].as_str().unwrap());
    }
    let runs = server
        .get(&format!("/api/v1/runs?message={message}&limit=100"))
        .json();
    let by_job = |job: &str| -> Vec<Value> {
        runs.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["job"] == job)
            .map(|r| server.finished_run(r["id"].as_str().unwrap()))
            .collect()
    };
    let after = by_job("after-success");
    assert_eq!(after.len(), 1);
    assert_eq!(after[0]["final_state"], json!({"data": {"n": 20}}));
    let flaky = by_job("flaky");
    let mut attempts: Vec<i64> = flaky
        .iter()
        .map(|r| r["attempt"].as_i64().unwrap())
        .collect();
    attempts.sort();
    assert_eq!(attempts, vec![1, 2, 3], "{flaky:?}");
    assert!(flaky.iter().all(|r| r["status"] == "failed"));
    assert!(flaky[0]["reason"]
        .as_str()
        .unwrap()
        .contains("upstream said no"));
    assert_eq!(by_job("on-failure").len(), 3);
}

#[test]
fn a_killed_server_resumes_a_workflow_after_its_last_completed_step() {
    let dir = TempDir::new("serve-resume");
    resume(&dir, &sqlite(&dir));
}

#[test]
fn a_killed_server_resumes_on_postgresql() {
    let dir = TempDir::new("serve-resume-pg");
    resume(&dir, &postgres("resume"));
}

fn resume(dir: &TempDir, database: &str) {
    dir.write(
        "wf/workflow.json",
        r#"{"workflow": {"steps": [
          {"id": "stamp", "expression": "fn(state => { console.log('stamp ran'); return { data: { until: Date.now() + 4000, stamps: (state.data.stamps || 0) + 1 } }; })", "next": {"wait": true}},
          {"id": "wait", "expression": "fn(state => new Promise(r => setTimeout(() => r({ data: { ...state.data, waited: true } }), Math.max(0, state.data.until - Date.now()))))"}
        ]}}"#,
    );
    let yaml = r#"
inboxes:
  - name: in
    key: resume-key-0001
jobs:
  - name: two-steps
    adaptor: "{COMMON}"
    workflow: wf/workflow.json
    trigger: { webhook: { inbox: in } }
"#;
    let project = project(dir, yaml);
    let server = Server::start(&project, database, &[]);
    let r = server.post("/inbox/resume-key-0001", &[JSON], b"{}");
    let message = r.header("x-fnhost-message-id").unwrap().to_string();
    let run_id = server.runs_of(&message, 1)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // wait for the first step's result in the store, then kill the server mid-second-step
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let run = server.get(&format!("/api/v1/runs/{run_id}")).json();
        if run["steps"].as_array().is_some_and(|s| !s.is_empty()) {
            assert_eq!(run["status"], "started");
            break;
        }
        assert!(Instant::now() < deadline, "step 1 never recorded: {run}");
        std::thread::sleep(Duration::from_millis(50));
    }
    server.kill();
    let server = Server::start(&project, database, &[]);
    let run = server.finished_run(&run_id);
    assert_eq!(run["status"], "success", "{run}");
    assert_eq!(run["recoveries"], 1);
    assert_eq!(run["start_step"], "wait");
    // the first step did not run again: one stamp
    assert_eq!(run["final_state"]["data"]["stamps"], 1, "{run}");
    assert_eq!(run["final_state"]["data"]["waited"], true);
    let stamp_logs = run["logs"].to_string().matches("stamp ran").count();
    assert_eq!(stamp_logs, 1, "{run}");
}

#[test]
fn a_project_file_is_reloaded_and_a_broken_one_is_refused() {
    let dir = TempDir::new("serve-reload");
    let yaml = r#"
inboxes:
  - name: in
    key: reload-key-0001
jobs: []
"#;
    let path = project(&dir, yaml);
    let server = Server::start(&path, &sqlite(&dir), &[]);
    let r = server.post("/inbox/reload-key-0001", &[JSON], b"{}");
    assert_eq!(r.status, 200);
    // a broken file: the running project stays
    std::fs::write(
        &path,
        "inboxes: [ {name: in, key: reload-key-0001, what: 1} ]\n",
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(
        server.post("/inbox/reload-key-0001", &[JSON], b"{}").status,
        200
    );
    // a new inbox and job
    std::fs::write(
        &path,
        yaml.replace("jobs: []", "  - name: second\n    key: second-key-0001\njobs:\n  - name: j\n    adaptor: \"{COMMON}\"\n    expression: fn(s => s)\n    trigger: { webhook: { inbox: second } }\n").replace("{COMMON}", &common()),
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = server.post("/inbox/second-key-0001", &[JSON], b"{\"x\":1}");
        if r.status == 200 {
            let runs = server.runs_of(r.header("x-fnhost-message-id").unwrap(), 1);
            assert_eq!(
                server.finished_run(runs[0]["id"].as_str().unwrap())["status"],
                "success"
            );
            break;
        }
        assert!(Instant::now() < deadline, "the new inbox never appeared");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_bad_project_file_names_its_line_and_field() {
    let dir = TempDir::new("serve-bad-project");
    let path = dir.write(
        "project.yaml",
        "inboxes:\n  - name: in\n    key: bad-key-0001\njobs:\n  - name: j\n    expression: fn(s => s)\n    trigger:\n      cron: 'every day'\n",
    );
    let out = fnhost()
        .args(["serve", "--project"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("project.yaml:8: jobs[0].trigger.cron"),
        "{err}"
    );
}

#[test]
fn the_example_project_runs_end_to_end() {
    let dir = TempDir::new("serve-example");
    let out = fnhost()
        .args(["serve", "--example"])
        .arg(&dir.0)
        .output()
        .unwrap();
    assert!(out.status.success());
    let path = dir.0.join("project.yaml");
    let yaml = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        yaml.replace("adaptor: common", &format!("adaptor: \"{}\"", common())),
    )
    .unwrap();
    let server = Server::start(&path, &sqlite(&dir), &[]);
    let post = fnhost()
        .args([
            "inbox",
            "post",
            &format!("http://{}/inbox/kobo-3f9c2e7a1b", server.addr),
        ])
        .arg(dir.0.join("kobo-submission.json"))
        .output()
        .unwrap();
    assert!(
        post.status.success(),
        "{}",
        String::from_utf8_lossy(&post.stderr)
    );
    let text = String::from_utf8_lossy(&post.stdout);
    assert!(text.starts_with("200 {}"), "{text}");
    let id = text
        .lines()
        .nth(1)
        .unwrap()
        .trim_start_matches("message ")
        .to_string();
    let run = server.finished_run(server.runs_of(&id, 1)[0]["id"].as_str().unwrap());
    assert_eq!(run["final_state"]["data"]["members"], 5, "{run}");
}

#[test]
fn a_cron_job_starts_from_its_last_successful_state() {
    // `* * * * *` fires on every minute boundary: this test waits for two (up to ~2 minutes)
    let dir = TempDir::new("serve-cron");
    let yaml = r#"
jobs:
  - name: tick
    adaptor: "{COMMON}"
    expression: |
      fn(state => ({ data: { count: (state.data.count || 0) + 1 } }));
    trigger: { cron: "* * * * *" }
"#;
    let server = Server::start(&project(&dir, yaml), &sqlite(&dir), &[]);
    let deadline = Instant::now() + Duration::from_secs(150);
    let runs = loop {
        let runs = server.get("/api/v1/runs?status=success").json();
        let runs = runs.as_array().cloned().unwrap_or_default();
        if runs.len() >= 2 {
            break runs;
        }
        assert!(
            Instant::now() < deadline,
            "two cron runs did not happen: {runs:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    // newest first
    let second = server.finished_run(runs[0]["id"].as_str().unwrap());
    let first = server.finished_run(runs[1]["id"].as_str().unwrap());
    assert_eq!(first["trigger"], "cron");
    assert_eq!(first["final_state"], json!({"data": {"count": 1}}));
    assert_eq!(
        second["final_state"],
        json!({"data": {"count": 2}}),
        "the cursor: {second}"
    );
    let gap = second["created_at"].as_i64().unwrap() - first["created_at"].as_i64().unwrap();
    assert!((55_000..=65_000).contains(&gap), "a minute apart: {gap} ms");
}

/// Connects and sends `bytes`, then nothing: how long until the server answers and closes,
/// and what it answered ("" when it closed without a word).
fn stall(addr: &str, bytes: &[u8]) -> (Duration, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(bytes).unwrap();
    let began = Instant::now();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    (began.elapsed(), String::from_utf8_lossy(&raw).into_owned())
}

#[test]
fn stalled_clients_are_cut_off_and_open_streams_do_not_hold_up_a_stop() {
    let dir = TempDir::new("serve-stall");
    let yaml = r#"
inboxes:
  - name: in
    key: stall-in-0001
jobs:
  - name: long
    adaptor: "{COMMON}"
    expression: |
      fn(state => new Promise(resolve => { let n = 0; const t = setInterval(() => { console.log('tick', n); n += 1; if (n === 120) { clearInterval(t); resolve(state); } }, 250); }));
    trigger: { webhook: { inbox: in } }
"#;
    let server = Server::start(
        &project(&dir, yaml),
        &sqlite(&dir),
        &["--read-timeout", "1", "--drain-seconds", "1"],
    );
    // a request head that never ends: the connection is closed after the read timeout
    let (took, said) = stall(
        &server.addr,
        b"POST /inbox/stall-in-0001 HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n",
    );
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(10),
        "{took:?}"
    );
    assert!(!said.contains(" 200 "), "{said}");
    // a connection that sends nothing at all, and one kept alive after its request
    let (took, _) = stall(&server.addr, b"");
    assert!(took < Duration::from_secs(10), "{took:?}");
    let (took, said) = stall(&server.addr, b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n");
    assert!(said.starts_with("HTTP/1.1 200"), "{said}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    // a body that stops half way: 408, nothing stored
    let (took, said) = stall(
        &server.addr,
        b"POST /inbox/stall-in-0001 HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"half\": ",
    );
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert!(said.starts_with("HTTP/1.1 408"), "{said}");
    assert!(said.contains("nothing was stored"), "{said}");
    let messages = server.get("/api/v1/messages").json();
    assert_eq!(messages.as_array().map(Vec::len), Some(0), "{messages}");

    // a normal post still works; its run's live log is open in a stream when the server is
    // told to stop: the stop does not wait for the 30 s run to end the stream
    let r = server.post("/inbox/stall-in-0001", &[JSON], b"{}");
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.header("x-fnhost-message-id").unwrap().to_string();
    let run = server.runs_of(&id, 1)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut events = TcpStream::connect(&server.addr).unwrap();
    write!(events, "GET /runs/{run}/events HTTP/1.1\r\nhost: x\r\n\r\n").unwrap();
    events
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut first = [0u8; 256];
    let n = events.read(&mut first).unwrap();
    assert!(
        String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&first[..n])
    );
    let began = Instant::now();
    let code = server.terminate();
    let took = began.elapsed();
    assert_eq!(code, Some(0));
    assert!(took < Duration::from_secs(15), "the stop took {took:?}");
}
