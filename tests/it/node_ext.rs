//! Node's network and crypto modules from Deno's node extension (src/runtime/node_host.rs):
//! each `tests/node_ext/<name>.js` is a job run against local servers (tests/servers/
//! http_fixture.py over HTTP and over HTTPS with a throw-away CA); `<name>.expected.json` is
//! what real Node produced from the same job and servers (`node tests/node_ext/make-expected.mjs`).
//! `pg.js` runs the npm `pg` driver against the real PostgreSQL at `FNHOST_TEST_PG`; `wire.js`
//! sends requests to a raw TCP listener, whose record must equal what Node sent.
//! Also: the network rules (`--allow-net` / `--deny-net`) and what adaptor code may not reach.

use std::path::{Path, PathBuf};

use super::support::{fnhost, npm_prepared, section_diff, HttpFixture, TempDir, TestCerts};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/node_ext")
}

/// Both servers and the configuration the jobs (and make-expected.mjs) get.
struct Servers {
    _http: HttpFixture,
    _https: HttpFixture,
    _certs: TempDir,
    configuration: serde_json::Value,
}

fn servers() -> Servers {
    let certs_dir = TempDir::new("node-ext-certs");
    let certs = TestCerts::make(&certs_dir.0);
    let http = HttpFixture::start(None);
    let https = HttpFixture::start(Some((&certs.cert, &certs.key)));
    let read = |p: &Path| std::fs::read_to_string(p).unwrap();
    let configuration = serde_json::json!({
        "http": format!("http://127.0.0.1:{}", http.port),
        "https": format!("https://127.0.0.1:{}", https.port),
        "ca": read(&certs.ca),
        "closed": "http://127.0.0.1:9",
        "rs256": read(&dir().join("rs256.pem")),
        "es256": read(&dir().join("es256.pem")),
        // the real PostgreSQL (.ci/run starts one; `export FNHOST_TEST_PG=$(tests/pg/start.sh)`)
        "pg": std::env::var("FNHOST_TEST_PG").ok(),
    });
    Servers {
        _http: http,
        _https: https,
        _certs: certs_dir,
        configuration,
    }
}

/// Runs `tests/node_ext/<name>.js` with `extra` CLI arguments, and with the adaptor `adaptor`
/// (`SPEC=path inside the npm fixture`) when given; returns (exit code, state, stderr).
fn run(
    name: &str,
    adaptor: Option<&str>,
    extra: &[&str],
) -> (Option<i32>, serde_json::Value, String) {
    let servers = servers();
    let work = TempDir::new(&format!("node-ext-{name}"));
    let state = work.write(
        "state.json",
        &serde_json::json!({ "configuration": servers.configuration, "data": {} }).to_string(),
    );
    let packages = npm_prepared(&dir(), "fnhost-node-ext", "node_modules/axios/package.json");
    let adaptor_args: Vec<String> = match adaptor.and_then(|a| a.split_once('=')) {
        Some((spec, path)) => vec![
            "-a".into(),
            format!("{spec}={}", packages.join(path).display()),
        ],
        None => Vec::new(),
    };
    let out = fnhost()
        .env("FNHOST_REPO_DIR", &packages)
        .env("TZ", "UTC")
        .arg(dir().join(format!("{name}.js")))
        .args(&adaptor_args)
        .arg("-s")
        .arg(&state)
        .args(["-O", "--log", "none"])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let state = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code(), state, stderr)
}

fn matches_node(name: &str) {
    matches_node_with(name, None);
}

fn matches_node_with(name: &str, adaptor: Option<&str>) {
    matches_node_args(name, adaptor, &[]);
}

fn matches_node_args(name: &str, adaptor: Option<&str>, extra: &[&str]) {
    let (code, state, stderr) = run(name, adaptor, extra);
    assert_eq!(code, Some(0), "{name}: {stderr}");
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir().join(format!("{name}.expected.json"))).unwrap(),
    )
    .unwrap();
    let report = section_diff(&state["data"], &expected);
    assert!(
        report.is_empty(),
        "{name}: differs from Node\n{report}\n{stderr}"
    );
}

#[test]
fn http_https_and_net_by_hand_match_node() {
    matches_node("http");
}

#[test]
fn crypto_signing_keys_and_ciphers_match_node() {
    matches_node("crypto");
}

#[test]
fn axios_with_its_node_adapter_matches_node() {
    matches_node("axios");
}

/// A job doing one `http.get` to `state.configuration.http`, returning the outcome.
const GET_JOB: &str = r#"import http from "node:http";
export default [(state) => new Promise((resolve) => {
  const done = (data) => resolve({ ...state, data });
  try {
    http.get(`${state.configuration.http}/json`, (res) => { res.resume(); res.on("end", () => done({ status: res.statusCode })); })
      .on("error", (e) => done({ error: [e.name, e.message] }));
  } catch (e) {
    done({ thrown: [e.name, e.message] });
  }
})];
"#;

fn run_get(extra: &[&str]) -> serde_json::Value {
    let server = HttpFixture::start(None);
    let work = TempDir::new("node-ext-net-rules");
    let job = work.write("job.js", GET_JOB);
    let state = work.write(
        "state.json",
        &serde_json::json!({ "configuration": { "http": format!("http://127.0.0.1:{}", server.port) } })
            .to_string(),
    );
    let out = fnhost()
        .arg(&job)
        .arg("-s")
        .arg(&state)
        .args(["-O", "--log", "none"])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let state: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    state["data"].clone()
}

#[test]
fn network_rules_allow_every_host_by_default_and_refuse_what_they_name() {
    assert_eq!(run_get(&[]), serde_json::json!({ "status": 200 }));
    assert_eq!(
        run_get(&["--allow-net", "127.0.0.1"]),
        serde_json::json!({ "status": 200 })
    );
    for rule in [
        vec!["--deny-net", "127.0.0.1"],
        vec!["--allow-net", "api.example.org,127.0.0.1:1"],
    ] {
        let data = run_get(&rule);
        let failure = data
            .get("error")
            .or_else(|| data.get("thrown"))
            .unwrap_or_else(|| panic!("{rule:?}: the request went through: {data}"));
        let message = failure[1].as_str().unwrap();
        assert!(
            message.contains("net access") && message.contains("127.0.0.1"),
            "{rule:?}: {failure}"
        );
    }
}

/// The bridges' own network (the pg driver's sockets, the undici bridge's HTTP client) obeys
/// the run's rules as Deno's `node:net` does: a refused host is a `NotCapable` error naming it.
#[test]
fn the_pg_and_undici_bridges_obey_the_network_rules() {
    let work = TempDir::new("node-ext-bridge-net");
    let job = work.write(
        "job.js",
        r#"import pg from "pg";
import { fetch, request } from "undici";
export default [async (state) => {
  const client = new pg.Client({ host: "127.0.0.1", port: 9, user: "x", password: "x" });
  const viaPg = await client.connect().then(() => "connected", (e) => [e.name, e.message]);
  const viaUndici = await request("http://127.0.0.1:9/").then(() => "connected", (e) => [e.name, e.message]);
  const viaFetch = await fetch("http://127.0.0.1:9/").then(() => "connected", (e) => [e.name, e.message, e.cause?.name]);
  return { ...state, data: { viaPg, viaUndici, viaFetch } };
}];
"#,
    );
    let out = fnhost()
        .arg(&job)
        .args(["-O", "--log", "none", "--deny-net", "127.0.0.1"])
        .output()
        .unwrap();
    let data = &super::support::final_state(&out)["data"];
    for via in ["viaPg", "viaUndici"] {
        assert_eq!(
            data[via],
            serde_json::json!([
                "NotCapable",
                "Requires net access to \"127.0.0.1:9\", run again with the --allow-net flag"
            ]),
            "{via}: {data}"
        );
    }
    assert_eq!(data["viaFetch"][0], "TypeError", "{data}");
    assert_eq!(data["viaFetch"][2], "NotCapable", "{data}");
}

#[test]
fn a_refused_raw_socket_is_an_error_event_not_a_crash() {
    let work = TempDir::new("node-ext-net-deny");
    let job = work.write(
        "job.js",
        r#"import net from "node:net";
export default [(state) => new Promise((resolve) => {
  const socket = net.connect(9, "127.0.0.1");
  socket.on("error", (e) => resolve({ ...state, data: { error: [e.name, e.message] } }));
  socket.on("connect", () => resolve({ ...state, data: { connected: true } }));
})];
"#,
    );
    let out = fnhost()
        .arg(&job)
        .args(["-O", "--log", "none", "--deny-net", "127.0.0.1"])
        .output()
        .unwrap();
    let state = super::support::final_state(&out);
    assert_eq!(
        state["data"]["error"],
        serde_json::json!([
            "NotCapable",
            "Requires net access to \"127.0.0.1:9\", run again with the --allow-net flag"
        ])
    );
}

#[test]
fn an_escaped_job_finds_no_deno_and_https_and_tls_obey_the_rules() {
    let work = TempDir::new("node-ext-escape");
    let job = work.write(
        "job.js",
        r#"import https from "node:https";
import tls from "node:tls";
export default [async (state) => {
  const g = https.Agent.constructor("return this")();
  const viaHttps = await new Promise((r) => https.get("https://127.0.0.1:9/", () => r("connected")).on("error", (e) => r([e.name, e.message])));
  const viaTls = await new Promise((r) => { const s = tls.connect(9, "127.0.0.1"); s.on("error", (e) => r([e.name, e.message])); s.on("secureConnect", () => r("connected")); });
  return { ...state, data: { deno: typeof g.Deno, bootstrap: typeof g.__bootstrap, viaHttps, viaTls } };
}];
"#,
    );
    let out = fnhost()
        .arg(&job)
        .args(["-O", "--log", "none", "--deny-net", "127.0.0.1"])
        .output()
        .unwrap();
    let refused = serde_json::json!([
        "NotCapable",
        "Requires net access to \"127.0.0.1:9\", run again with the --allow-net flag"
    ]);
    assert_eq!(
        super::support::final_state(&out)["data"],
        serde_json::json!({ "deno": "undefined", "bootstrap": "undefined", "viaHttps": refused, "viaTls": refused })
    );
}

#[test]
fn a_malformed_network_rule_is_an_error_before_the_run() {
    let work = TempDir::new("node-ext-bad-rule");
    let job = work.write("job.js", "fn(s => s);\n");
    let out = fnhost()
        .arg(&job)
        .args(["--allow-net", "exa mple.org:99999"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("network rule"), "{stderr}");
}

#[test]
fn no_deno_namespace_reaches_jobs_or_adaptors() {
    let work = TempDir::new("node-ext-no-deno");
    let adaptor = work.adaptor(
        "probe",
        r#"import http from "node:http";
export const probe = () => (state) => ({ ...state, data: {
  adaptorDeno: typeof Deno, bootstrap: typeof __bootstrap,
  viaModule: Object.keys(http).filter((k) => /deno|internal/i.test(k)),
} });
export const fn = (f) => (state) => f(state);
"#,
    );
    let job = work.write(
        "job.js",
        "probe();\nfn((state) => ({ ...state, data: { ...state.data, jobDeno: typeof Deno } }));\n",
    );
    let out = fnhost()
        .arg(&job)
        .arg("-a")
        .arg(&adaptor)
        .args(["-O", "--log", "none"])
        .output()
        .unwrap();
    let state = super::support::final_state(&out);
    assert_eq!(
        state["data"],
        serde_json::json!({ "adaptorDeno": "undefined", "bootstrap": "undefined", "viaModule": [], "jobDeno": "undefined" })
    );
}

/// The npm pg tests need the real PostgreSQL of tests/pg/start.sh.
fn require_pg() {
    assert!(
        std::env::var("FNHOST_TEST_PG").is_ok(),
        "FNHOST_TEST_PG is not set: this test runs the npm pg driver against a real PostgreSQL. \
         Start one with `export FNHOST_TEST_PG=$(tests/pg/start.sh)` (.ci/run does this itself)"
    );
}

/// `pg.js` on fnhost's pg bridge (adaptors/pg, the protocol in Rust).
#[test]
fn pg_bridge_matches_node() {
    require_pg();
    matches_node("pg");
}

/// `pg.js` on the npm pg driver (over Deno's node:net): the bridge's oracle on fnhost.
#[test]
fn npm_pg_over_node_net_matches_node() {
    require_pg();
    matches_node_args("pg", None, &["--no-bridge", "pg"]);
}

/// `pg_types.js`: every type both ways, prepared statements, rowMode, custom parsers, errors
/// with every field, multi-statement results, notices, LISTEN/NOTIFY, pg-format, failed
/// connections, a pool — on the bridge.
#[test]
fn pg_bridge_types_errors_and_features_match_node() {
    require_pg();
    matches_node("pg_types");
}

/// `pg_adaptor_style.js`: a job written as @openfn/language-postgresql works (connect not
/// awaited, one query per operation, composeNextState, insertMany with pg-format, upsert with
/// ON CONFLICT), on the bridge and on the npm pg driver.
#[test]
fn a_language_postgresql_style_job_matches_node_bridged_and_not() {
    require_pg();
    matches_node("pg_adaptor_style");
    matches_node_args("pg_adaptor_style", None, &["--no-bridge", "pg"]);
}

/// `pg_cursor.js`: pg-cursor and pg-query-stream, which drive `client.connection` message by
/// message, on the bridge and on the npm pg driver.
#[test]
fn pg_cursor_and_pg_query_stream_match_node_bridged_and_not() {
    require_pg();
    matches_node("pg_cursor");
    matches_node_args("pg_cursor", None, &["--no-bridge", "pg"]);
}

/// `pg_types.js` on the npm pg driver on fnhost: the same answers as on Node.
#[test]
fn npm_pg_types_errors_and_features_match_node() {
    require_pg();
    matches_node_args("pg_types", None, &["--no-bridge", "pg"]);
}

#[test]
fn node_fetch_2_matches_node() {
    matches_node("node_fetch");
}

#[test]
fn language_http_3_2_with_basic_and_digest_auth_matches_node() {
    matches_node_with(
        "language_http3",
        Some("http=node_modules/@openfn/language-http"),
    );
}

#[test]
fn request_2_88_and_superagent_match_node() {
    matches_node("request");
}

#[test]
fn the_bytes_on_the_wire_are_what_node_sends() {
    let recorder = super::support::Recorder::start();
    let work = TempDir::new("node-ext-wire");
    let state = work.write(
        "state.json",
        &serde_json::json!({ "configuration": { "wire": recorder.port }, "data": {} }).to_string(),
    );
    let packages = npm_prepared(&dir(), "fnhost-node-ext", "node_modules/axios/package.json");
    let out = fnhost()
        .env("FNHOST_REPO_DIR", &packages)
        .arg(dir().join("wire.js"))
        .arg("-s")
        .arg(&state)
        .args(["-O", "--log", "none"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let host = format!("127.0.0.1:{}", recorder.port);
    let seen: std::collections::BTreeMap<String, String> = recorder
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.replace(&host, "127.0.0.1:<PORT>")))
        .collect();
    let expected: std::collections::BTreeMap<String, String> =
        serde_json::from_str(&std::fs::read_to_string(dir().join("wire.expected.json")).unwrap())
            .unwrap();
    for (case, bytes) in &expected {
        assert_eq!(seen.get(case), Some(bytes), "{case}");
    }
    assert_eq!(seen.len(), expected.len(), "{seen:?}");
}

/// `pg_auth.js`: the trust, md5 and scram-sha-256 roles of tests/pg/start.sh (and wrong
/// passwords), `ssl` with and without the server's CA, and a backend terminated mid-query.
#[test]
fn pg_bridge_roles_ssl_and_a_vanishing_server_match_node() {
    require_pg();
    matches_node("pg_auth");
}

/// `pg_auth.js` on the npm pg driver on fnhost.
#[test]
fn npm_pg_roles_ssl_and_a_vanishing_server_match_node() {
    require_pg();
    matches_node_args("pg_auth", None, &["--no-bridge", "pg"]);
}

#[test]
fn axios_multipart_streamed_upload_and_hash_streams_match_node() {
    matches_node("axios_upload");
}

#[test]
fn dhis2_and_godata_style_jobs_match_node() {
    matches_node("dhis2_style");
    matches_node("godata_style");
}

/// `pg_types_cases.js`: every case of tests/pg_bridge/types_cases.mjs (pg-types' parsers,
/// arrays, TypeOverrides, prepareValue, escapes) inside fnhost, on the bridge and on the npm pg,
/// in three time zones; each must equal what the npm pg gave on Node in that zone.
#[test]
fn pg_value_api_cases_match_node_in_three_time_zones_bridged_and_not() {
    let packages = npm_prepared(&dir(), "fnhost-node-ext", "node_modules/axios/package.json");
    let cases = packages.join("node_modules/pg-bridge-cases");
    let _ = std::fs::remove_dir_all(&cases);
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/pg_bridge");
    super::support::copy_dir(&source, &cases);
    let work = TempDir::new("pg-value-cases");
    let state = work.write("state.json", r#"{"configuration":{},"data":{}}"#);
    for (tz, file) in [
        ("UTC", "UTC"),
        ("Asia/Kolkata", "Asia_Kolkata"),
        ("America/New_York", "America_New_York"),
    ] {
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(source.join(format!("types.expected.{file}.json"))).unwrap(),
        )
        .unwrap();
        for extra in [&[][..], &["--no-bridge", "pg"][..]] {
            let out = fnhost()
                .env("FNHOST_REPO_DIR", &packages)
                .env("TZ", tz)
                .arg(dir().join("pg_types_cases.js"))
                .arg("-s")
                .arg(&state)
                .args(["-O", "--log", "none"])
                .args(extra)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            let got: serde_json::Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{tz} {extra:?}: {e}\n{stderr}"));
            let (got, want) = (&got["data"]["results"], &expected["results"]);
            let (got, want) = (got.as_array().unwrap(), want.as_array().unwrap());
            let differing: Vec<String> = got
                .iter()
                .zip(want)
                .filter(|(g, w)| g != w)
                .take(10)
                .map(|(g, w)| format!("  fnhost {g}\n  node   {w}"))
                .collect();
            assert_eq!(got.len(), want.len(), "{tz} {extra:?}: case count");
            assert!(
                differing.is_empty(),
                "{tz} {extra:?}: differs from Node\n{}",
                differing.join("\n")
            );
        }
    }
}
