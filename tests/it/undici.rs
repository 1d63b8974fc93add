//! The `undici` bridge (`adaptors/undici`), which the loader serves for every `import` and
//! `require` of `undici`. `tests/undici/adaptor` is an adaptor whose `probe` operation runs
//! unchanged under Node with the real undici 7; `tests/undici/expected.json` is what Node
//! produces (`node tests/undici/make-expected.mjs`) plus the bridge's listed, intended
//! differences. `probe5` does the same for undici 5's API shapes (`expected-5.json`).
//! `serverProbe` runs the bridge over the engine's HTTP ops against the local test server.
//! The probes that use MockAgents (06, 09, 11, 12) run in tests/it/probes.rs.

use std::path::PathBuf;
use std::process::Command;

use super::support::{section_diff, HttpFixture};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/undici")
}

/// Runs `job` with the test adaptor and returns the final `state.data`.
fn run_job(job: &str) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_fnhost"))
        .env_remove("FNHOST_REPO_DIR")
        .env("TZ", "UTC")
        .arg(dir().join(job)) // `dir().join` keeps an absolute `job` as it is
        .arg("-a")
        .arg(format!("undicitest={}", dir().join("adaptor").display()))
        .args(["-O", "--log", "none"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{job}: {stderr}");
    let state: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{job}: output is not JSON ({e}): {}\n{stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    assert!(
        state.get("errors").is_none(),
        "{job}: the job failed: {}",
        state["errors"]
    );
    state["data"].clone()
}

fn assert_sections(name: &str, actual: &serde_json::Value, expected_file: &str) {
    let text = std::fs::read_to_string(dir().join(expected_file)).unwrap();
    let expected: serde_json::Value = serde_json::from_str(&text).unwrap();
    if actual == &expected {
        return;
    }
    let report = section_diff(actual, &expected);
    panic!("{name} differs from {expected_file}\n{report}");
}

#[test]
fn bridge_behaves_like_undici_7_for_adaptors() {
    let data = run_job("job.js");
    assert_sections("probe", &data, "expected.json");
}

#[test]
fn bridge_behaves_like_undici_5_for_adaptors() {
    let data = run_job("job5.js");
    assert_sections("probe5", &data, "expected-5.json");
}

/// The local test server of tests/it/http.rs (tests/servers/http_fixture.py).
#[test]
fn bridge_over_the_engine_http_ops_against_a_local_server() {
    let server = HttpFixture::start(None);
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("fnhost-undici-server-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let job = dir.join("job.js");
    std::fs::write(
        &job,
        format!("serverProbe('http://127.0.0.1:{}', {free});\n", server.port),
    )
    .unwrap();
    let data = run_job(job.to_str().unwrap());
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        data,
        serde_json::json!({
            "json": [200, "application/json", { "ok": true }],
            "redirectRaw": [302, "/json", ""],
            "redirectFollowed": [200, { "ok": true }],
            "gzip": [null, { "zipped": true }],
            "gzipRaw": ["gzip", 31, 139],
            "echo": ["POST", "{\"a\":1}", "Basic dXNlcjpwYXNz", "application/json"],
            "put": ["PUT", "bytes", "Bearer tok"],
            "chunks": "part0;part1;part2;part3;part4;",
            "fetchRedirect": [200, true, true, { "ok": true }],
            "fetchGzip": { "zipped": true },
            // undici's own fetch says `user-agent: undici` (Node's global fetch says `node`)
            "fetchForm": ["multipart/form-data", true, "undici"],
            "timeout": ["HeadersTimeoutError", "UND_ERR_HEADERS_TIMEOUT", true],
            "fetchTimeout": ["TypeError", "fetch failed", "UND_ERR_HEADERS_TIMEOUT"],
            "refused": ["ECONNREFUSED", "connect"],
            "fetchRefused": ["TypeError", "fetch failed", "ECONNREFUSED"],
            "aborted": "AbortError",
            // as undici 7.30.3 on Node 20 against the same server (tests/servers/http_fixture.py)
            "fetchShort": [200, "TypeError", "terminated", "SocketError", "UND_ERR_SOCKET", "other side closed"],
            "requestShort": [200, "SocketError", "UND_ERR_SOCKET", "other side closed"],
            "fetchHangup": ["TypeError", "fetch failed", "SocketError", "UND_ERR_SOCKET", "other side closed"],
            "requestHangup": ["SocketError", "UND_ERR_SOCKET", "other side closed"],
        })
    );
}

/// language-http 7.2.10 (from the probes' packages) through language-common's undici Agent with
/// redirect and decompress interceptors, over the engine's HTTP ops: basic and bearer auth,
/// a followed redirect and a gzip body. The same job under Node gives the same final state.
#[test]
fn language_http_auth_redirect_and_gzip_end_to_end() {
    let probes = super::probes::prepared_probes();
    let server = HttpFixture::start(None);
    let dir = std::env::temp_dir().join(format!("fnhost-undici-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let job = dir.join("job.js");
    std::fs::write(
        &job,
        r#"import { get, post } from '@openfn/language-http';
export * from '@openfn/language-http';
export default [
  get('/auth'),
  state => ({ ...state, auth: state.data }),
  get('/redirect'),
  state => ({ ...state, redirected: state.data }),
  get('/gzip'),
  state => ({ ...state, gz: state.data }),
  post('/echo', { body: { a: 1 } }),
  state => ({ ...state, echo: [state.data.method, state.data.body, state.data.headers['content-type']], data: null, references: [], response: undefined }),
];
"#,
    )
    .unwrap();
    let run = |configuration: serde_json::Value| {
        let state = serde_json::json!({ "configuration": configuration }).to_string();
        let out = Command::new(env!("CARGO_BIN_EXE_fnhost"))
            .env_remove("FNHOST_REPO_DIR")
            .env("TZ", "UTC")
            .arg(&job)
            .arg("--repo-dir")
            .arg(&probes)
            .args(["-S", &state, "-O", "--log", "none"])
            .args(["--no-compile", "--no-sandbox", "--raw-state"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        let mut state: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("output is not JSON ({e})\n{stderr}"));
        state.as_object_mut().unwrap().remove("configuration");
        state
    };
    let base = format!("http://127.0.0.1:{}", server.port);
    let common = |authorization: &str| {
        serde_json::json!({
            "auth": { "authorization": authorization },
            "redirected": { "ok": true },
            "gz": { "zipped": true },
            "echo": ["POST", "{\"body\":{\"a\":1}}", "application/json"],
            "data": null,
            "references": [],
        })
    };
    let basic = run(serde_json::json!({ "baseUrl": base, "username": "user", "password": "pass" }));
    let bearer = run(serde_json::json!({ "baseUrl": base, "access_token": "tok" }));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(basic, common("Basic dXNlcjpwYXNz"));
    assert_eq!(bearer, common("Bearer tok"));
}

/// Every export of undici 7.x and 5.x (`Object.keys(require('undici'))`) exists in the bridge:
/// a missing named export would fail an adaptor's `import { X } from 'undici'` at link time.
#[test]
fn bridge_has_every_undici_5_and_7_export() {
    const NAMES: &str = "Agent BalancedPool Client CloseEvent DecoratorHandler Dispatcher \
        EnvHttpProxyAgent ErrorEvent EventSource FormData H2CClient Headers MessageEvent MockAgent \
        MockCallHistory MockCallHistoryLog MockClient MockPool Pool ProxyAgent RedirectHandler \
        Request Response RetryAgent RetryHandler RoundRobinPool SnapshotAgent Socks5ProxyAgent \
        WebSocket WebSocketError WebSocketStream buildConnector cacheStores caches connect \
        deleteCookie errors fetch getCookies getGlobalDispatcher getGlobalOrigin getSetCookies \
        install interceptors mockErrors parseCookie parseMIMEType ping pipeline request \
        serializeAMimeType setCookie setGlobalDispatcher setGlobalOrigin stream upgrade util \
        File FileReader createRedirectInterceptor";
    let names: Vec<&str> = NAMES.split_whitespace().collect();
    let dir = std::env::temp_dir().join(format!("fnhost-undici-names-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let job = dir.join("job.js");
    std::fs::write(
        &job,
        format!("namesProbe({});\n", serde_json::to_string(&names).unwrap()),
    )
    .unwrap();
    let data = run_job(job.to_str().unwrap());
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        data,
        serde_json::json!({ "named": [], "default": [], "required": [] })
    );
}

/// `--no-bridge undici`: the real npm undici (the version tests/undici/real pins), over Deno's
/// `net`/`tls` and fnhost's web platform, runs the same probe and gives what it gives under Node
/// (`expected-real.json`), but for the one difference listed here with its exact value.
#[test]
fn the_real_undici_runs_with_no_bridge_and_matches_node() {
    let packages = super::support::npm_prepared(
        &dir().join("real"),
        "fnhost-undici-real",
        "node_modules/undici/package.json",
    );
    let adaptor = packages.join("adaptor");
    let _ = std::fs::remove_dir_all(&adaptor);
    super::support::copy_dir(&dir().join("adaptor"), &adaptor);
    let out = Command::new(env!("CARGO_BIN_EXE_fnhost"))
        .env_remove("FNHOST_REPO_DIR")
        .env("TZ", "UTC")
        .arg(dir().join("job.js"))
        .arg("-a")
        .arg(format!("undicitest={}", adaptor.display()))
        .args(["-O", "--log", "none", "--no-bridge", "undici"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let state: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = std::fs::read_to_string(dir().join("expected-real.json")).unwrap();
    let mut expected: serde_json::Value = serde_json::from_str(&text).unwrap();
    // `Response.bodyUsed` after `text()`: undici asks node:stream's `isDisturbed`, which in
    // Deno's node extension does not see a deno_web ReadableStream as read.
    let slot = expected.pointer_mut("/streams/clone/2").unwrap();
    assert_eq!(*slot, true, "Node's answer changed");
    *slot = false.into();
    let report = section_diff(&state["data"], &expected);
    assert!(
        report.is_empty(),
        "the real undici on fnhost differs from Node:\n{report}"
    );

    // the bridge is what it replaces by default: an unknown bridge name is a usage error
    let out = Command::new(env!("CARGO_BIN_EXE_fnhost"))
        .arg(dir().join("job.js"))
        .args(["--no-bridge", "axios"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("--no-bridge axios: fnhost has no bridge for axios (bridges: undici, pg, xml2js, fast-xml-parser, js2xmlparser)"));
}

/// A keep-alive HTTP/1.1 server on 127.0.0.1 that answers every request `ok` and counts the
/// connections it accepted.
fn counting_server() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = count.clone();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            counted.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        match conn.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                    let length: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    while buf.len() < end + 4 + length {
                        match conn.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    buf.drain(..end + 4 + length);
                    let answer =
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok";
                    if conn.write_all(answer).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, count)
}

/// undici says `connection: keep-alive` but closes the socket after a body sent with a method
/// that expects none (a GET with a body: language-common's `request` sends `{}`), and reuses it
/// otherwise. Three GETs, one after the other: real undici 7.30.3 on Node opens 3 connections
/// with bodies and 1 without (measured against the same kind of server); so must the bridge.
#[test]
fn the_bridge_closes_the_connection_after_a_get_with_a_body_as_undici_does() {
    let work = super::support::TempDir::new("undici-conn-reuse");
    let adaptor = work.adaptor(
        "conns",
        r#"import { request } from "undici";
export const gets = (url, bodies) => async (state) => {
  for (const body of bodies) {
    const res = await request(url, { method: "GET", body: body ?? undefined });
    await res.body.text();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { ...state, data: "done" };
};
"#,
    );
    let connections = |bodies: &str| {
        let (port, count) = counting_server();
        let job = work.write(
            "job.js",
            &format!("gets(\"http://127.0.0.1:{port}/x\", {bodies});\n"),
        );
        let out = Command::new(env!("CARGO_BIN_EXE_fnhost"))
            .arg(&job)
            .args(["-a", &adaptor, "-O", "--log", "none"])
            .output()
            .unwrap();
        assert_eq!(
            super::support::final_state(&out)["data"],
            "done",
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        count.load(std::sync::atomic::Ordering::SeqCst)
    };
    assert_eq!(connections("[null, null, null]"), 1);
    assert_eq!(connections(r#"["{}", "{}", "{}"]"#), 3);
}
