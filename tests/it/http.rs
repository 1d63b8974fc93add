//! The engine's HTTP ops (reqwest) against real local servers on 127.0.0.1: plain, gzip,
//! redirects, timeouts, auth headers, request bodies, streamed bodies, TLS with a self-signed CA.
//! Requests are made from adaptor code through `__fnhostHttp`, the API the undici bridge uses.

use super::support::{run_with_adaptor_env, self_signed_ca, HttpFixture, TempDir, TestCerts};

/// Runs `call(request, body?)` from an adaptor and returns what it saw (or the error code).
fn request(dir: &TempDir, request: serde_json::Value, body: Option<&str>) -> serde_json::Value {
    request_env(dir, request, body, &[])
}

/// [`request`] with extra environment variables for the fnhost process.
fn request_env(
    dir: &TempDir,
    request: serde_json::Value,
    body: Option<&str>,
    env: &[(&str, &std::path::Path)],
) -> serde_json::Value {
    let adaptor = dir.adaptor(
        "httpprobe",
        r#"export const call = (request, body) => async (state) => {
  const http = globalThis.__fnhostHttp;
  try {
    const head = await http.fetch(request, body === undefined ? null : new TextEncoder().encode(body));
    const chunks = [];
    for (let c = await http.read(head.rid); c !== null; c = await http.read(head.rid)) chunks.push(new TextDecoder().decode(c));
    return { data: { status: head.status, url: head.url, headers: Object.fromEntries(head.headers), text: chunks.join(''), chunks: chunks.length } };
  } catch (e) {
    return { data: { code: e.code, message: e.message } };
  }
};
"#,
    );
    let args = match body {
        Some(b) => format!("{request}, {}", serde_json::json!(b)),
        None => request.to_string(),
    };
    let job = dir.write("job.js", &format!("call({args});\n"));
    let state = run_with_adaptor_env(&job, &adaptor, env);
    state["data"].clone()
}

fn get(port: u16, path: &str, extra: serde_json::Value) -> serde_json::Value {
    let mut req = serde_json::json!({ "method": "GET", "url": format!("http://127.0.0.1:{port}{path}"), "headers": [], "decompress": true });
    for (k, v) in extra.as_object().unwrap() {
        req[k] = v.clone();
    }
    req
}

#[test]
fn plain_gzip_redirect_auth_body_and_streaming() {
    let server = HttpFixture::start(None);
    let dir = TempDir::new("http-plain");
    let port = server.port;

    let r = request(&dir, get(port, "/json", serde_json::json!({})), None);
    assert_eq!(
        (r["status"].as_u64(), r["text"].as_str()),
        (Some(200), Some(r#"{"ok": true}"#))
    );
    assert_eq!(r["headers"]["content-type"], "application/json");

    let r = request(&dir, get(port, "/gzip", serde_json::json!({})), None);
    assert_eq!(r["text"], r#"{"zipped": true}"#);
    assert!(
        r["headers"].get("content-encoding").is_none(),
        "decoded bodies lose content-encoding: {r}"
    );
    let raw = request(
        &dir,
        get(port, "/gzip", serde_json::json!({ "decompress": false })),
        None,
    );
    assert_eq!(raw["headers"]["content-encoding"], "gzip");

    let r = request(
        &dir,
        get(
            port,
            "/redirect",
            serde_json::json!({ "redirect": "manual" }),
        ),
        None,
    );
    assert_eq!(
        (r["status"].as_u64(), r["headers"]["location"].as_str()),
        (Some(302), Some("/json"))
    );
    let r = request(
        &dir,
        get(
            port,
            "/redirect",
            serde_json::json!({ "redirect": "follow", "maxRedirections": 5 }),
        ),
        None,
    );
    assert_eq!(r["status"], 200);
    assert_eq!(r["url"], format!("http://127.0.0.1:{port}/json"));

    let r = request(
        &dir,
        get(
            port,
            "/auth",
            serde_json::json!({ "headers": [["authorization", "Basic dXNlcjpwYXNz"]] }),
        ),
        None,
    );
    assert_eq!(r["text"], r#"{"authorization": "Basic dXNlcjpwYXNz"}"#);
    let r = request(
        &dir,
        get(
            port,
            "/auth",
            serde_json::json!({ "headers": [["Authorization", "Bearer t0k3n"]] }),
        ),
        None,
    );
    assert_eq!(r["text"], r#"{"authorization": "Bearer t0k3n"}"#);

    let post = serde_json::json!({ "method": "POST", "url": format!("http://127.0.0.1:{port}/echo"),
        "headers": [["content-type", "application/json"], ["x-multi", "a"], ["x-multi", "b"]], "decompress": true });
    let r = request(&dir, post, Some(r#"{"name":"fnhost"}"#));
    let echoed: serde_json::Value = serde_json::from_str(r["text"].as_str().unwrap()).unwrap();
    assert_eq!(echoed["method"], "POST");
    assert_eq!(echoed["body"], r#"{"name":"fnhost"}"#);
    assert_eq!(echoed["headers"]["content-type"], "application/json");

    let r = request(&dir, get(port, "/chunks", serde_json::json!({})), None);
    assert_eq!(r["text"], "part0;part1;part2;part3;part4;");
    assert!(
        r["chunks"].as_u64().unwrap() > 1,
        "the body arrives in several chunks: {r}"
    );
}

#[test]
fn timeouts_and_connection_errors_have_undici_codes() {
    let server = HttpFixture::start(None);
    let dir = TempDir::new("http-timeouts");
    let r = request(
        &dir,
        get(
            server.port,
            "/slow-headers",
            serde_json::json!({ "headersTimeoutMs": 300 }),
        ),
        None,
    );
    assert_eq!(r["code"], "UND_ERR_HEADERS_TIMEOUT", "{r}");
    // a port nothing listens on
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = request(&dir, get(free, "/", serde_json::json!({})), None);
    assert_eq!(r["code"], "ECONNREFUSED", "{r}");
}

#[test]
fn tls_with_a_self_signed_ca() {
    let dir = TempDir::new("http-tls");
    // a CA and a server certificate it signed, as a private PKI would issue them
    let TestCerts { ca, cert, key } = TestCerts::make(&dir.0);
    let server = HttpFixture::start(Some((&cert, &key)));
    let url = format!("https://127.0.0.1:{}/json", server.port);
    let base =
        serde_json::json!({ "method": "GET", "url": url, "headers": [], "decompress": true });

    let r = request(&dir, base.clone(), None);
    // Node 20 + undici 7 refuse this server (leaf only, unknown CA) with the same code and text
    assert_eq!(
        r["code"], "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
        "an unknown CA is refused: {r}"
    );
    assert_eq!(r["message"], "unable to verify the first certificate");

    let mut with_ca = base.clone();
    with_ca["tls"] = serde_json::json!({ "ca": std::fs::read_to_string(&ca).unwrap() });
    let r = request(&dir, with_ca, None);
    assert_eq!(r["status"], 200, "{r}");

    let mut insecure = base.clone();
    insecure["tls"] = serde_json::json!({ "rejectUnauthorized": false });
    let r = request(&dir, insecure, None);
    assert_eq!(r["status"], 200, "{r}");

    // `ca` replaces the system's roots, as in Node: with the server's CA among the system's
    // roots (SSL_CERT_FILE), a request trusts it — until its `ca` names another CA only
    self_signed_ca(&dir.0, "/CN=another CA", "other.key", "other.pem");
    let system = [("SSL_CERT_FILE", ca.as_path())];
    let r = request_env(&dir, base.clone(), None, &system);
    assert_eq!(r["status"], 200, "the system's roots are used: {r}");
    let mut other_ca = base;
    other_ca["tls"] =
        serde_json::json!({ "ca": std::fs::read_to_string(dir.0.join("other.pem")).unwrap() });
    let r = request_env(&dir, other_ca, None, &system);
    assert_eq!(
        r["code"], "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
        "`ca` alone is trusted: {r}"
    );
}
