//! Who may read and steer the history: every page and API route refuses a request without a
//! session or token (pages redirect to sign-in, the API answers 401), a viewer's session is
//! refused editor actions (403), a form without its CSRF token is refused (403), `--no-auth`
//! is refused off loopback, and a credential's value — kept in the encrypted store, printed
//! by a job, posted in secret headers — is found in no page, API answer, log or store row.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::serve::{project, request, sqlite, Reply, Server, JSON};
use super::support::{fnhost, succeed, succeed_with_input, TempDir};
use super::ui::csrf_of;

const SECRET: &str = "Zq9-very-secret-district-pass";
const KEY: &str = "7f3c1a9e5b2d4c6e8f0a1b3c5d7e9f11223344556677889900aabbccddeeff00";

const YAML: &str = r#"
inboxes:
  - name: kobo
    key: sec-kobo-0001
jobs:
  - name: leaky
    adaptor: "{COMMON}"
    credential: dhis2
    expression: |
      fn(state => { console.log('the password is', state.configuration.password); return { ...state, data: { ...state.data, copied: state.configuration.password } }; });
    trigger:
      webhook: { inbox: kobo }
"#;

/// Adds a local user with `fnhost users add` (the password from `FNHOST_PASSWORD`).
pub(crate) fn users_add(database: &str, name: &str, role: &str, password: &str) {
    succeed(
        fnhost()
            .args(["users", "add", name, "--role", role, "--database", database])
            .env("FNHOST_PASSWORD", password),
    );
}

fn sign_in(server: &Server, name: &str, password: &str) -> String {
    let body = format!("username={name}&password={password}&next=/runs");
    let r = request(
        &server.addr,
        "POST",
        "/login",
        &[("content-type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(r.header("location"), Some("/runs"));
    let cookie = r.header("set-cookie").unwrap().to_string();
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    cookie.split(';').next().unwrap().to_string()
}

fn with_cookie(server: &Server, method: &str, path: &str, cookie: &str, body: &str) -> Reply {
    request(
        &server.addr,
        method,
        path,
        &[
            ("cookie", cookie),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        body.as_bytes(),
    )
}

fn finished(server: &Server, cookie: &str, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = with_cookie(server, "GET", &format!("/api/v1/runs/{id}"), cookie, "");
        if r.status == 200 && r.json()["finished_at"].is_i64() {
            return r.json();
        }
        assert!(Instant::now() < deadline, "run {id} did not finish");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn every_route_wants_a_session_roles_and_csrf_are_enforced_and_secrets_never_show() {
    let dir = TempDir::new("ui-security");
    let database = sqlite(&dir);
    let key_file = dir.write("credentials.key", KEY);
    // the credential lives only in the encrypted store (the project file has none inline)
    succeed_with_input(
        fnhost()
            .args([
                "credentials",
                "set",
                "dhis2",
                "--by",
                "ops",
                "--database",
                &database,
            ])
            .arg("--key-file")
            .arg(&key_file),
        &format!(r#"{{"username": "admin", "password": "{SECRET}"}}"#),
    );
    users_add(&database, "vera", "viewer", "viewer-password-1");
    users_add(&database, "eddie", "editor", "editor-password-1");
    let server = Server::launch(
        &project(&dir, YAML),
        &database,
        &["--credentials-key-file", key_file.to_str().unwrap()],
        &[],
    );
    let editor = sign_in(&server, "eddie", "editor-password-1");
    let viewer = sign_in(&server, "vera", "viewer-password-1");

    // a run that prints the credential and copies it into its state; the post carries secret
    // headers too
    let r = server.post(
        "/inbox/sec-kobo-0001",
        &[
            JSON,
            ("authorization", &format!("Bearer {SECRET}")),
            ("x-api-key", SECRET),
        ],
        br#"{"form": "f"}"#,
    );
    assert_eq!(r.status, 200);
    let message = r.header("x-fnhost-message-id").unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    let run = loop {
        let r = with_cookie(
            &server,
            "GET",
            &format!("/api/v1/runs?message={message}"),
            &viewer,
            "",
        );
        if let Some(id) = r.json()[0]["id"].as_str() {
            break id.to_string();
        }
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(50));
    };
    let done = finished(&server, &viewer, &run);
    assert_eq!(done["status"], "success", "{done}");
    // the job did get the credential (it logged something where the password was)
    assert!(
        done["logs"].to_string().contains("the password is"),
        "{done}"
    );

    // every page and API route without a session: pages redirect to sign-in, the API 401s
    let gets = [
        "/".to_string(),
        "/messages".into(),
        format!("/messages/{message}"),
        "/runs".into(),
        format!("/runs/{run}"),
        format!("/runs/{run}/events"),
        "/filters".into(),
        "/account".into(),
    ];
    let api_gets = [
        "/api/v1/messages".to_string(),
        format!("/api/v1/messages/{message}"),
        "/api/v1/runs".into(),
        format!("/api/v1/runs/{run}"),
    ];
    let posts = [
        format!("/runs/{run}/cancel"),
        format!("/runs/{run}/retry"),
        format!("/runs/{run}/rerun-from"),
        format!("/messages/{message}/rerun"),
        "/filters/save".into(),
        "/account/token".into(),
        "/logout".into(),
    ];
    let api_posts = [
        format!("/api/v1/runs/{run}/cancel"),
        format!("/api/v1/runs/{run}/retry"),
    ];
    for path in &gets {
        let r = request(&server.addr, "GET", path, &[], b"");
        assert_eq!(r.status, 303, "GET {path}");
        assert!(
            r.header("location").unwrap().starts_with("/login?next="),
            "{path}"
        );
    }
    for path in &posts {
        let r = request(&server.addr, "POST", path, &[], b"");
        assert_eq!(r.status, 303, "POST {path}");
    }
    for path in &api_gets {
        assert_eq!(
            request(&server.addr, "GET", path, &[], b"").status,
            401,
            "GET {path}"
        );
        let bogus = request(
            &server.addr,
            "GET",
            path,
            &[("authorization", "Bearer nope")],
            b"",
        );
        assert_eq!(bogus.status, 401, "GET {path} with a wrong token");
        let stale = request(
            &server.addr,
            "GET",
            path,
            &[("cookie", "fnhost_session=0123")],
            b"",
        );
        assert_eq!(stale.status, 401, "GET {path} with an unknown session");
    }
    for path in &api_posts {
        assert_eq!(
            request(&server.addr, "POST", path, &[], b"").status,
            401,
            "POST {path}"
        );
    }
    // the sign-in page, the inbox and health stay open
    assert_eq!(request(&server.addr, "GET", "/login", &[], b"").status, 200);
    assert_eq!(
        request(&server.addr, "GET", "/healthz", &[], b"").status,
        200
    );
    // a wrong password
    let r = request(
        &server.addr,
        "POST",
        "/login",
        &[("content-type", "application/x-www-form-urlencoded")],
        b"username=vera&password=wrong",
    );
    assert_eq!(r.status, 401);
    assert!(r.header("set-cookie").is_none());

    // a viewer reads every page, and is refused every editor action (403), token or not
    for path in gets.iter().chain(api_gets.iter()) {
        let r = with_cookie(&server, "GET", path, &viewer, "");
        assert_eq!(r.status, 200, "viewer GET {path}: {}", r.text());
    }
    let viewer_page = with_cookie(&server, "GET", &format!("/runs/{run}"), &viewer, "").text();
    assert!(
        !viewer_page.contains("id=\"retry\""),
        "a viewer sees no editor button"
    );
    let viewer_csrf = csrf_of(&with_cookie(&server, "GET", "/account", &viewer, "").text());
    for path in posts.iter().take(5) {
        let r = with_cookie(
            &server,
            "POST",
            path,
            &viewer,
            &format!("csrf={viewer_csrf}&step=x&job=leaky"),
        );
        assert_eq!(r.status, 403, "viewer POST {path}: {}", r.text());
    }
    let token = fnhost()
        .args(["users", "token", "vera", "--database", &database])
        .output()
        .unwrap();
    assert!(token.status.success());
    let token = String::from_utf8(token.stdout).unwrap().trim().to_string();
    let bearer = format!("Bearer {token}");
    for path in &api_posts {
        let r = request(
            &server.addr,
            "POST",
            path,
            &[("authorization", &bearer)],
            b"",
        );
        assert_eq!(r.status, 403, "viewer token POST {path}");
    }
    let r = request(
        &server.addr,
        "GET",
        "/api/v1/runs",
        &[("authorization", &bearer)],
        b"",
    );
    assert_eq!(r.status, 200);
    // the CLI with the user's token against the server
    let out = fnhost()
        .args([
            "runs",
            "show",
            &run,
            "--server",
            &format!("http://{}", server.addr),
            "--api-token",
            &token,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli_show = String::from_utf8_lossy(&out.stdout).into_owned();

    // an editor's form without (or with a wrong) CSRF token: 403; with it: done
    let path = format!("/runs/{run}/retry");
    assert_eq!(with_cookie(&server, "POST", &path, &editor, "").status, 403);
    assert_eq!(
        with_cookie(&server, "POST", &path, &editor, "csrf=0000").status,
        403
    );
    // another session's token is not this one's
    assert_eq!(
        with_cookie(
            &server,
            "POST",
            &path,
            &editor,
            &format!("csrf={viewer_csrf}")
        )
        .status,
        403
    );
    let editor_csrf =
        csrf_of(&with_cookie(&server, "GET", &format!("/runs/{run}"), &editor, "").text());
    // a browser's cross-site request is refused even with the token
    let r = request(
        &server.addr,
        "POST",
        &path,
        &[
            ("cookie", &editor),
            ("sec-fetch-site", "cross-site"),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        format!("csrf={editor_csrf}").as_bytes(),
    );
    assert_eq!(r.status, 403);
    let r = with_cookie(
        &server,
        "POST",
        &path,
        &editor,
        &format!("csrf={editor_csrf}"),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let retried = r
        .header("location")
        .unwrap()
        .trim_start_matches("/runs/")
        .to_string();
    finished(&server, &editor, &retried);
    // the API with a session cookie wants the token too (as a header)
    let api_retry = format!("/api/v1/runs/{run}/retry");
    assert_eq!(
        with_cookie(&server, "POST", &api_retry, &editor, "").status,
        403
    );
    let r = request(
        &server.addr,
        "POST",
        &api_retry,
        &[("cookie", &editor), ("x-csrf-token", &editor_csrf)],
        b"",
    );
    assert_eq!(r.status, 201, "{}", r.text());
    finished(&server, &editor, r.json()["id"].as_str().unwrap());

    // the account page lists the credential by name and who changed it, never its value
    let account = with_cookie(&server, "GET", "/account", &editor, "").text();
    assert!(
        account.contains("dhis2") && account.contains("ops"),
        "{account}"
    );

    // the credential's value: in no page, API answer, SSE stream or CLI output ...
    let mut seen = vec![cli_show];
    for path in gets.iter().chain(api_gets.iter()) {
        seen.push(with_cookie(&server, "GET", path, &editor, "").text());
    }
    for (i, text) in seen.iter().enumerate() {
        assert!(
            !text.contains(SECRET),
            "the secret shows in answer {i}: {text}"
        );
    }
    // ... and in no row of the store (logs, states, step outputs, the stored request)
    drop(server);
    assert_not_stored(&database, SECRET);
}

/// Fails if `secret` is anywhere in the bytes of a stopped server's SQLite store (`database`:
/// its `sqlite://` URL), write-ahead log included.
pub(crate) fn assert_not_stored(database: &str, secret: &str) {
    let db_path = database.trim_start_matches("sqlite://");
    let mut bytes = Vec::new();
    for suffix in ["", "-wal"] {
        if let Ok(b) = std::fs::read(format!("{db_path}{suffix}")) {
            bytes.extend(b);
        }
    }
    assert!(!bytes.is_empty(), "no store at {db_path}");
    let needle = secret.as_bytes();
    assert!(
        !bytes.windows(needle.len()).any(|w| w == needle),
        "the secret is stored in plain text"
    );
}

#[test]
fn no_auth_is_refused_off_loopback() {
    let dir = TempDir::new("ui-noauth");
    let path = project(&dir, YAML);
    let out = fnhost()
        .args(["serve", "--no-auth", "--listen", "0.0.0.0:0", "--project"])
        .arg(&path)
        .args(["--database", &sqlite(&dir)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only allowed on a loopback"));
}

#[test]
fn credential_keys_rotate_and_a_wrong_key_is_named() {
    let dir = TempDir::new("ui-rotate");
    let database = sqlite(&dir);
    let old = dir.write("old.key", KEY);
    let new_key = fnhost()
        .args(["credentials", "generate-key"])
        .output()
        .unwrap();
    let new = dir.write("new.key", String::from_utf8_lossy(&new_key.stdout).trim());
    let run = |args: &[&str], key: &std::path::Path, stdin: &str| {
        let mut child = fnhost()
            .args(["credentials"])
            .args(args)
            .args(["--database", &database])
            .arg("--key-file")
            .arg(key)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    assert!(run(&["set", "a"], &old, r#"{"password": "one-secret"}"#)
        .status
        .success());
    assert!(run(&["set", "b"], &old, r#"{"token": "two-secret"}"#)
        .status
        .success());
    let rotated = run(
        &["rotate-key", "--new-key-file", new.to_str().unwrap()],
        &old,
        "",
    );
    assert!(
        rotated.status.success(),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    assert!(String::from_utf8_lossy(&rotated.stdout).contains("2 credential(s) re-encrypted"));
    // the old key no longer opens them: rotating again with it is refused, naming the key
    let again = run(
        &["rotate-key", "--new-key-file", new.to_str().unwrap()],
        &old,
        "",
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("was encrypted with key"));
    let list = run(&["list"], &new, "");
    let list = String::from_utf8_lossy(&list.stdout).into_owned();
    assert!(list.contains("a ") && list.contains("b "), "{list}");
    assert!(!list.contains("one-secret"));
}

#[test]
fn the_sign_in_page_warns_when_its_secure_cookie_cannot_stick() {
    let dir = TempDir::new("ui-plain-http");
    let database = sqlite(&dir);
    users_add(&database, "vera", "viewer", "viewer-password-1");
    let yaml = "inboxes:\n  - name: kobo\n    key: plain-kobo-0001\njobs: []\n";
    let server = Server::launch(&project(&dir, yaml), &database, &[], &[]);
    // straight to the server on loopback: no warning
    let direct = request(&server.addr, "GET", "/login", &[], b"").text();
    assert!(
        direct.contains("id=\"username\"") && !direct.contains("needs-https"),
        "{direct}"
    );
    // a LAN address over plain HTTP: the Secure cookie will be dropped, the page says so
    let lan = raw_login(&server.addr, "10.1.2.3:4000", None);
    assert!(lan.contains("id=\"needs-https\""), "{lan}");
    assert!(!raw_login(&server.addr, "localhost:4000", None).contains("needs-https"));
    assert!(!raw_login(&server.addr, "[::1]:4000", None).contains("needs-https"));
    // behind an HTTPS proxy
    assert!(!raw_login(&server.addr, "fnhost.example.org", Some("https")).contains("needs-https"));
}

/// GET /login with this Host (and X-Forwarded-Proto), as a browser behind a proxy sends it.
fn raw_login(addr: &str, host: &str, proto: Option<&str>) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let proto = proto
        .map(|p| format!("x-forwarded-proto: {p}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET /login HTTP/1.1\r\nhost: {host}\r\n{proto}connection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}
