//! Fuzz of `fnhost serve`'s inbox (issue 13) through raw sockets: malformed JSON from a seeded
//! generator (truncations, bad escapes, stray and missing tokens, 100,000 levels of nesting,
//! huge numbers), bodies over the limit (declared with `content-length` and not sent, sent
//! whole, and chunked without a length), slow bodies (clients sending a byte at a time, then
//! nothing, while other clients post), and bad headers (content types, a giant header, many
//! headers, non-UTF-8 bytes, broken framing).
//!
//! Checked: every answer is one of the inbox's documented codes (200, 400, 404, 413, 415 here)
//! or, for requests HTTP itself refuses before the inbox sees them, hyper's 400/431; a post
//! over the limit gets its 413 without the body being sent; the slow clients do not delay a
//! normal post; the process never panics and still answers `/healthz`; the store holds
//! exactly the messages answered 200 (nothing of a refused post) and their runs all end.
//! `FNHOST_FUZZ_CASES` sets the number of generated JSON cases (default 300).

use std::collections::{BTreeMap, HashSet};
use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::serve_harness::{
    exchange, get, metric, post_bytes, read_answer, Answer, Conn, Rng, Server,
};
use super::support::TempDir;

const SMALL: &str = "fuzz-small-0001";
const BIG: &str = "fuzz-big-00001";
/// The small inbox's `max_body_bytes`.
const SMALL_LIMIT: usize = 1024 * 1024;
/// fnhost's default limit.
const DEFAULT_LIMIT: usize = 10 * 1024 * 1024;
/// What the inbox answers, as documented in src/server/inbox.rs (401 and 503 cannot happen
/// here: no auth, a healthy store).
const INBOX_CODES: [u16; 5] = [200, 400, 404, 413, 415];
/// What HTTP itself answers to a request it cannot read (before the inbox sees it).
const HTTP_CODES: [u16; 2] = [400, 431];
const WAIT: Duration = Duration::from_secs(20);

/// What the run of the cases found.
#[derive(Default)]
struct Outcomes {
    /// Ids answered with 200.
    stored: Vec<String>,
    /// Answers by case kind and status (0: the connection closed without an answer).
    by_kind: BTreeMap<String, BTreeMap<u16, usize>>,
    problems: Vec<String>,
}

impl Outcomes {
    /// Records an answer to a post that reached the inbox: `allowed` codes only; a 200
    /// must carry its message id, a 400 an error.
    fn inbox(&mut self, kind: &str, answer: std::io::Result<Answer>, allowed: &[u16]) {
        match answer {
            Err(e) => {
                self.count(kind, 0);
                self.problems.push(format!("{kind}: no answer ({e})"));
            }
            Ok(a) => {
                self.count(kind, a.status);
                if !allowed.contains(&a.status) || !INBOX_CODES.contains(&a.status) {
                    self.problems.push(format!(
                        "{kind}: answer {} (allowed {allowed:?}): {}",
                        a.status,
                        String::from_utf8_lossy(&a.body)
                    ));
                }
                self.check_body(kind, &a);
            }
        }
    }

    /// Records an answer to a request HTTP may refuse before the inbox: the inbox's codes,
    /// hyper's 400/431, or a closed connection.
    fn http(&mut self, kind: &str, answer: std::io::Result<Answer>) {
        match answer {
            Err(_) => self.count(kind, 0),
            Ok(a) => {
                self.count(kind, a.status);
                if !INBOX_CODES.contains(&a.status) && !HTTP_CODES.contains(&a.status) {
                    self.problems.push(format!(
                        "{kind}: answer {}: {}",
                        a.status,
                        String::from_utf8_lossy(&a.body)
                    ));
                }
                self.check_body(kind, &a);
            }
        }
    }

    fn check_body(&mut self, kind: &str, a: &Answer) {
        match a.status {
            200 => match a.header("x-fnhost-message-id") {
                Some(id) if a.body == b"{}" => self.stored.push(id.to_string()),
                _ => self.problems.push(format!(
                    "{kind}: 200 without a message id or with body {:?}",
                    String::from_utf8_lossy(&a.body)
                )),
            },
            400 | 404 | 413 | 415
                if a.header("content-type") == Some("application/json")
                    && !a.json()["error"].is_string() =>
            {
                self.problems
                    .push(format!("{kind}: {} without a JSON error", a.status));
            }
            _ => {}
        }
    }

    fn count(&mut self, kind: &str, status: u16) {
        *self
            .by_kind
            .entry(kind.to_string())
            .or_default()
            .entry(status)
            .or_default() += 1;
    }
}

/// A random JSON document (depth at most `depth`).
fn json_doc(rng: &mut Rng, depth: u32) -> String {
    let pick = if depth == 0 {
        rng.below(4)
    } else {
        rng.below(6)
    };
    match pick {
        0 => ["null", "true", "false"][rng.below(3) as usize].to_string(),
        1 => match rng.below(4) {
            0 => rng.below(1000).to_string(),
            1 => format!("-{}.{}e{}", rng.below(99), rng.below(999), rng.below(40)),
            2 => "1".repeat(rng.between(20, 400) as usize),
            _ => format!("1e{}", rng.between(300, 99_999)),
        },
        2 | 3 => {
            let parts = [
                "plain",
                "é",
                "\\n",
                "\\\"",
                "\\u00e9",
                "\\ud83d\\ude00",
                "😀",
                "\\/",
                " ",
                "group1/name",
            ];
            let s: String = (0..rng.below(6))
                .map(|_| parts[rng.below(parts.len() as u64) as usize])
                .collect();
            format!("\"{s}\"")
        }
        4 => {
            let items: Vec<String> = (0..rng.below(4))
                .map(|_| json_doc(rng, depth - 1))
                .collect();
            format!("[{}]", items.join(","))
        }
        _ => {
            let items: Vec<String> = (0..rng.below(4))
                .map(|i| format!("\"k{i}\":{}", json_doc(rng, depth - 1)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
    }
}

/// A JSON document broken (usually) by one edit.
fn malformed(rng: &mut Rng) -> Vec<u8> {
    let doc = format!("{{\"fuzz\":{}}}", json_doc(rng, 5));
    let mut bytes = doc.into_bytes();
    let at = rng.below(bytes.len() as u64 + 1) as usize;
    match rng.below(8) {
        0 => bytes.truncate(at),
        1 => {
            let bad = [
                "\"\\x\"",
                "\"\\u12\"",
                "\"\\ud800\"",
                "\"\\",
                "\"\t\"",
                "\"\\U0041\"",
            ];
            let b = bad[rng.below(bad.len() as u64) as usize];
            bytes.splice(at..at, b.bytes());
        }
        2 => {
            let tokens = [
                "{",
                "}",
                "[",
                "]",
                ",",
                ":",
                "\"",
                "\\",
                "'",
                "NaN",
                "undefined",
                "-",
                ".",
                "01",
                "+1",
            ];
            let t = tokens[rng.below(tokens.len() as u64) as usize];
            bytes.splice(at..at, t.bytes());
        }
        3 if at < bytes.len() => {
            bytes.remove(at);
        }
        4 => bytes.extend_from_slice(b" trailing"),
        5 => {
            bytes.splice(0..0, "\u{feff}".bytes());
        }
        6 => bytes.insert(at.min(bytes.len()), 0),
        _ => {
            let cut = rng.below(bytes.len() as u64) as usize;
            bytes.truncate(cut);
            bytes.extend_from_slice(b"}}]]");
        }
    }
    bytes
}

fn json_post(key: &str, body: &[u8]) -> Vec<u8> {
    post_bytes(
        &format!("/inbox/{key}"),
        &[("content-type", "application/json")],
        body,
    )
}

/// Sends only the head of a post declaring `length` bytes, and reads the answer.
fn declared_only(port: u16, key: &str, length: usize) -> (std::io::Result<Answer>, Duration) {
    let started = Instant::now();
    let raw = format!(
        "POST /inbox/{key} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n\r\n"
    );
    let answer = (|| {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(WAIT))?;
        let mut reader = BufReader::new(stream);
        reader.get_mut().write_all(raw.as_bytes())?;
        read_answer(&mut reader)
    })();
    (answer, started.elapsed())
}

/// A chunked post of `total` bytes (a JSON string), written on its own thread; the answer is
/// read while it writes (a server that stops reading makes the writer fail, which is fine).
fn chunked(port: u16, key: &str, total: usize) -> std::io::Result<Answer> {
    let stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(WAIT))?;
    stream.set_write_timeout(Some(WAIT))?;
    let mut writer = stream.try_clone()?;
    let head = format!(
        "POST /inbox/{key} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
    );
    let sender = std::thread::spawn(move || -> std::io::Result<()> {
        writer.write_all(head.as_bytes())?;
        let mut sent = 0;
        let piece = 64 * 1024;
        while sent < total {
            let n = piece.min(total - sent);
            let mut chunk = vec![b'a'; n];
            if sent == 0 {
                chunk[0] = b'"';
            }
            if sent + n == total {
                chunk[n - 1] = b'"';
            }
            writer.write_all(format!("{n:x}\r\n").as_bytes())?;
            writer.write_all(&chunk)?;
            writer.write_all(b"\r\n")?;
            sent += n;
        }
        writer.write_all(b"0\r\n\r\n")
    });
    let mut reader = BufReader::new(stream);
    let answer = read_answer(&mut reader);
    let _ = reader.get_ref().shutdown(std::net::Shutdown::Both);
    let _ = sender.join();
    answer
}

/// A JSON string of exactly `n` bytes.
fn json_string(n: usize) -> Vec<u8> {
    let mut body = vec![b'a'; n];
    body[0] = b'"';
    body[n - 1] = b'"';
    body
}

#[test]
fn the_inbox_survives_malformed_huge_slow_and_badly_headed_posts() {
    let began = Instant::now();
    let dir = TempDir::new("serve-fuzz");
    let project = dir.write(
        "project.yaml",
        &format!(
            r#"name: fuzz
inboxes:
  - name: small
    key: {SMALL}
    max_body_bytes: {SMALL_LIMIT}
  - name: big
    key: {BIG}
jobs:
  - name: take
    expression: "export default [s => ({{ data: {{ kind: typeof s.data }} }})]"
    trigger:
      webhook: {{ inbox: small }}
"#
        ),
    );
    let database = format!("sqlite://{}", dir.0.join("store.db").display());
    let mut server = Server::start(&project, &database, 2, &dir.0);
    let port = server.port;
    let mut out = Outcomes::default();
    let mut rng = Rng(0xf0221e);
    let cases: u64 = std::env::var("FNHOST_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);

    // malformed JSON: generated edits of random documents
    let mut conn = Conn::new(port, WAIT);
    for _ in 0..cases {
        let body = malformed(&mut rng);
        let answer = conn.send(&json_post(SMALL, &body));
        if let Ok(a) = &answer {
            let utf8 = std::str::from_utf8(&body).is_ok();
            if a.status == 400
                && utf8
                && !(a.json()["line"].is_u64() && a.json()["column"].is_u64())
            {
                out.problems.push(format!(
                    "a 400 for JSON without its line and column: {}",
                    String::from_utf8_lossy(&a.body)
                ));
            }
        }
        out.inbox("json: generated", answer, &[200, 400]);
    }
    // named cases with a known answer
    let deep_valid = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_objects = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    let deep_open = "[".repeat(100_000);
    let named: Vec<(&str, Vec<u8>, u16)> = vec![
        ("json: 100,000 nested arrays", deep_valid.into_bytes(), 200),
        (
            "json: 100,000 nested objects",
            deep_objects.into_bytes(),
            200,
        ),
        ("json: 100,000 unclosed arrays", deep_open.into_bytes(), 400),
        ("json: 1e999999", b"{\"n\":1e999999}".to_vec(), 200),
        ("json: -1e-999999", b"{\"n\":-1e-999999}".to_vec(), 200),
        (
            "json: 100,000 digits",
            format!("{{\"n\":{}}}", "9".repeat(100_000)).into_bytes(),
            200,
        ),
        ("json: bad escape", b"{\"a\":\"\\x\"}".to_vec(), 400),
        (
            "json: short unicode escape",
            b"{\"a\":\"\\u12\"}".to_vec(),
            400,
        ),
        ("json: truncated", b"{\"a\":[1,2".to_vec(), 400),
        ("json: empty body", Vec::new(), 400),
        ("json: NaN", b"{\"a\":NaN}".to_vec(), 400),
        ("json: single quotes", b"{'a':1}".to_vec(), 400),
        ("json: two documents", b"{} {}".to_vec(), 400),
        ("json: a scalar", b"42".to_vec(), 200),
        ("json: not UTF-8", b"{\"a\":\"\xff\xfe\"}".to_vec(), 400),
        ("json: NUL in a string", b"{\"a\":\"\x00\"}".to_vec(), 400),
    ];
    for (kind, body, expected) in named {
        let answer = exchange(port, &json_post(SMALL, &body), WAIT);
        out.inbox(kind, answer, &[expected]);
    }

    // huge bodies
    let (answer, took) = declared_only(port, SMALL, SMALL_LIMIT + 1);
    out.inbox(
        "huge: declared over the inbox limit, not sent",
        answer,
        &[413],
    );
    assert!(took < Duration::from_secs(5), "413 took {took:?}");
    let (answer, took) = declared_only(port, BIG, DEFAULT_LIMIT + 1);
    out.inbox("huge: declared over 10 MB, not sent", answer, &[413]);
    assert!(took < Duration::from_secs(5), "413 took {took:?}");
    let (answer, _) = declared_only(port, BIG, usize::MAX);
    out.http("huge: declared 2^64-1 bytes", answer);
    let answer = exchange(port, &json_post(SMALL, &json_string(SMALL_LIMIT + 1)), WAIT);
    out.inbox("huge: one byte over the limit, sent", answer, &[413]);
    let answer = exchange(port, &json_post(SMALL, &json_string(SMALL_LIMIT)), WAIT);
    out.inbox("huge: exactly the limit", answer, &[200]);
    out.inbox(
        "huge: chunked over the limit",
        chunked(port, SMALL, SMALL_LIMIT + 1),
        &[413],
    );
    out.inbox(
        "huge: chunked 12 MB, default limit",
        chunked(port, BIG, 12 * 1024 * 1024),
        &[413],
    );
    out.inbox(
        "huge: chunked under the limit",
        chunked(port, SMALL, SMALL_LIMIT - 10),
        &[200],
    );

    // slow bodies: 30 clients send a byte now and then and stop; others still post
    let mut slow = Vec::new();
    for n in 0..30 {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let head = match n % 3 {
            0 => format!("POST /inbox/{SMALL} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n["),
            1 => format!("POST /inbox/{SMALL} HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n5\r\n[1,"),
            _ => format!("POST /inbox/{SMALL} HTTP/1.1\r\nhost: x\r\ncontent-le"),
        };
        stream.write_all(head.as_bytes()).unwrap();
        slow.push(stream);
    }
    for _ in 0..5 {
        for s in &mut slow {
            let _ = s.write_all(b"1");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut worst = Duration::ZERO;
    let mut conn = Conn::new(port, WAIT);
    for i in 0..20 {
        let t = Instant::now();
        let answer = conn.send(&json_post(SMALL, format!("{{\"normal\":{i}}}").as_bytes()));
        worst = worst.max(t.elapsed());
        out.inbox("slow: a normal post meanwhile", answer, &[200]);
    }
    assert!(
        worst < Duration::from_secs(2),
        "a normal post took {worst:?} beside 30 slow clients"
    );
    // a slow body that does finish is taken
    let answer = (|| {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(WAIT))?;
        let mut reader = BufReader::new(stream);
        let body = b"{\"slow\":true}";
        let head = format!(
            "POST /inbox/{SMALL} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        reader.get_mut().write_all(head.as_bytes())?;
        for b in body {
            reader.get_mut().write_all(&[*b])?;
            std::thread::sleep(Duration::from_millis(20));
        }
        read_answer(&mut reader)
    })();
    out.inbox("slow: a byte at a time, finished", answer, &[200]);
    drop(slow);

    // bad headers
    let small = format!("/inbox/{SMALL}");
    let body = b"{\"h\":1}";
    let header_cases: Vec<(&str, Vec<u8>, &[u16])> = vec![
        (
            "headers: application/xml",
            post_bytes(&small, &[("content-type", "application/xml")], body),
            &[415],
        ),
        (
            "headers: multipart/form-data",
            post_bytes(
                &small,
                &[("content-type", "multipart/form-data; boundary=x")],
                body,
            ),
            &[415],
        ),
        (
            "headers: json with charset",
            post_bytes(
                &small,
                &[("content-type", "Application/JSON; charset=utf-8")],
                body,
            ),
            &[200],
        ),
        (
            "headers: empty content type",
            post_bytes(&small, &[("content-type", "")], body),
            &[200, 415],
        ),
        (
            "headers: form, bad percent escapes",
            post_bytes(
                &small,
                &[("content-type", "application/x-www-form-urlencoded")],
                b"a=%zz&b=%&c",
            ),
            &[200],
        ),
        (
            "headers: form, not UTF-8",
            post_bytes(
                &small,
                &[("content-type", "application/x-www-form-urlencoded")],
                b"a=\xff",
            ),
            &[400],
        ),
        (
            "headers: 100 KB header",
            post_bytes(
                &small,
                &[
                    ("content-type", "application/json"),
                    ("x-big", &"a".repeat(100_000)),
                ],
                body,
            ),
            &[200],
        ),
        (
            "headers: unknown key",
            post_bytes(
                "/inbox/no-such-inbox",
                &[("content-type", "application/json")],
                body,
            ),
            &[404],
        ),
        (
            "headers: key with odd bytes",
            post_bytes(
                "/inbox/%ff%00..%2f",
                &[("content-type", "application/json")],
                body,
            ),
            &[404],
        ),
    ];
    for (kind, raw, allowed) in header_cases {
        out.inbox(kind, exchange(port, &raw, WAIT), allowed);
    }
    let mut head =
        format!("POST {small} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json").into_bytes();
    head.extend_from_slice(b"\xff\xfe\r\ncontent-length: 7\r\n\r\n");
    // not "no content type" (which means JSON): a media type nobody can read is refused
    head.extend_from_slice(body);
    let answer = exchange(port, &head, WAIT);
    out.inbox("headers: content type not UTF-8", answer, &[415]);
    let mut with_bytes = |kind: &str, head: &[u8]| {
        let mut raw = head.to_vec();
        raw.extend_from_slice(body);
        out.http(kind, exchange(port, &raw, WAIT));
    };
    with_bytes(
        "headers: NUL in a value",
        format!("POST {small} HTTP/1.1\r\nhost: x\r\nx-a: a\0b\r\ncontent-length: 7\r\n\r\n")
            .as_bytes(),
    );
    with_bytes(
        "headers: content-length abc",
        format!("POST {small} HTTP/1.1\r\nhost: x\r\ncontent-length: abc\r\n\r\n").as_bytes(),
    );
    with_bytes(
        "headers: two content-lengths",
        format!(
            "POST {small} HTTP/1.1\r\nhost: x\r\ncontent-length: 7\r\ncontent-length: 9\r\n\r\n"
        )
        .as_bytes(),
    );
    with_bytes(
        "headers: 1 MB header",
        format!(
            "POST {small} HTTP/1.1\r\nhost: x\r\nx-big: {}\r\ncontent-length: 7\r\n\r\n",
            "a".repeat(1_000_000)
        )
        .as_bytes(),
    );
    let many: String = (0..300).map(|i| format!("x-h{i}: {i}\r\n")).collect();
    with_bytes(
        "headers: 300 headers",
        format!("POST {small} HTTP/1.1\r\nhost: x\r\n{many}content-length: 7\r\n\r\n").as_bytes(),
    );
    with_bytes("headers: garbage request line", b"\xff\xfe GARBAGE\r\n\r\n");
    // a head that never ends, then the client closes its side
    let answer = (|| {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(WAIT))?;
        let mut reader = BufReader::new(stream);
        reader.get_mut().write_all(
            format!("POST {small} HTTP/1.1\r\nhost: x\r\ncontent-length: 7").as_bytes(),
        )?;
        reader.get_ref().shutdown(std::net::Shutdown::Write)?;
        read_answer(&mut reader)
    })();
    out.http("headers: no header end", answer);

    // still alive, still answering, never panicked
    assert!(server.alive(), "fnhost serve died:\n{}", server.logs());
    let health = get(port, "/healthz", WAIT).expect("/healthz answers");
    assert_eq!(health.status, 200);
    // the runs of the accepted posts all end
    let deadline = Instant::now() + Duration::from_secs(300);
    while metric(port, "fnhost_queue_depth") != Some(0.0)
        || metric(port, "fnhost_runs{status=\"started\"}").is_some_and(|n| n > 0.0)
    {
        assert!(Instant::now() < deadline, "the runs did not end");
        assert!(server.alive(), "fnhost serve died:\n{}", server.logs());
        std::thread::sleep(Duration::from_millis(200));
    }
    server.terminate();
    let logs = server.logs();
    assert!(!logs.contains("panicked"), "a panic:\n{logs}");

    // the store holds exactly the messages answered 200
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (ids, runs) = rt.block_on(async {
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect(&database)
            .await
            .unwrap();
        let ids = sqlx::query_as::<_, (String,)>("SELECT id FROM messages")
            .fetch_all(&pool)
            .await
            .unwrap();
        let runs =
            sqlx::query_as::<_, (String, i64)>("SELECT status, COUNT(*) FROM runs GROUP BY status")
                .fetch_all(&pool)
                .await
                .unwrap();
        pool.close().await;
        (ids, runs)
    });
    let stored: HashSet<String> = ids.into_iter().map(|(id,)| id).collect();
    let answered: HashSet<String> = out.stored.iter().cloned().collect();
    if stored != answered {
        out.problems.push(format!(
            "the store holds {} messages, {} posts were answered 200; stored but not answered: {:?}",
            stored.len(),
            answered.len(),
            stored.difference(&answered).take(5).collect::<Vec<_>>()
        ));
    }
    let runs: BTreeMap<String, i64> = runs.into_iter().collect();
    let report = format!(
        "serve fuzz: {} kinds of case, {} answered 200 and stored, runs {runs:?}, {:.1}s; a normal post beside 30 slow clients took at most {worst:?}\n{}",
        out.by_kind.len(),
        answered.len(),
        began.elapsed().as_secs_f64(),
        out.by_kind
            .iter()
            .map(|(k, v)| format!("  {k}: {v:?}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    println!("{report}");
    assert!(
        out.problems.is_empty(),
        "{report}\nproblems:\n{}",
        out.problems.join("\n")
    );
    assert_eq!(
        runs.keys().filter(|s| *s != "success").count(),
        0,
        "runs that did not succeed: {report}"
    );
    assert_eq!(
        runs.get("success").copied().unwrap_or(0) as usize,
        answered.len(),
        "one run per stored message: {report}"
    );
}
