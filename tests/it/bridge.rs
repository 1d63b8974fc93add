//! The undici bridge as OpenFn's toolchain and the real packages see it, compared with records
//! made by `tests/bridge/make-expected.mjs` (OpenFn's CLI 1.36.0 with @openfn/language-http
//! 7.2.10 and the real undici from npm, on Node).
//!
//! `errors/*.js`: errors thrown inside the bridged library reach `state.errors`, the exit code and
//! the log exactly as OpenFn reports them (an `AdaptorError` with `details` for undici's own
//! errors, a `JobError` for Node's socket and TLS errors, whose stacks hold only Node-internal
//! frames). Normalised on both sides, because they must differ between runs: ports, durations,
//! the test server's `date`/`server` headers, and the Versions banner's lines (they name the
//! engine). One deliberate difference: fnhost scrubs configuration values (here the `baseUrl`)
//! from log lines, OpenFn's CLI does not, so the record's base URLs read `****` in logs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::support::{fnhost, npm_prepared, HttpFixture, Recorder, TempDir};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/bridge")
}

/// tests/bridge/package.json installed (language-http 7.2.10, undici 7 and 5).
pub(crate) fn prepared_packages() -> PathBuf {
    npm_prepared(
        &dir(),
        "fnhost-bridge-fixtures",
        "node_modules/@openfn/language-http/package.json",
    )
}

/// The TLS cases' certificates, made as the generator makes them: (certificate, key) of a
/// self-signed certificate as `openssl req -x509` makes it (a CA), of a self-signed leaf (not a
/// CA), and of a leaf sent with the unknown CA that signed it.
fn certificates(dir: &Path) -> [(PathBuf, PathBuf); 3] {
    let openssl = |args: &[&str]| {
        let status = Command::new("openssl")
            .current_dir(dir)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl makes the test certificates");
        assert!(status.success(), "openssl {args:?}");
    };
    let x509 = [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
    ];
    let subject = ["-subj", "/CN=127.0.0.1"];
    let san = ["-addext", "subjectAltName=IP:127.0.0.1"];
    openssl(
        &[
            &x509[..],
            &subject,
            &san,
            &["-keyout", "key.pem", "-out", "cert.pem"],
        ]
        .concat(),
    );
    openssl(
        &[
            &x509[..],
            &subject,
            &san,
            &["-addext", "basicConstraints=critical,CA:FALSE"],
            &["-keyout", "leaf-key.pem", "-out", "leaf-cert.pem"],
        ]
        .concat(),
    );
    openssl(
        &[
            &x509[..],
            &[
                "-subj",
                "/CN=fnhost test CA",
                "-keyout",
                "ca-key.pem",
                "-out",
                "ca.pem",
            ],
        ]
        .concat(),
    );
    openssl(
        &[
            &["req", "-newkey", "rsa:2048", "-nodes"][..],
            &subject,
            &["-keyout", "signed-key.pem", "-out", "signed.csr"],
        ]
        .concat(),
    );
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "signed.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca-key.pem",
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        "san.ext",
        "-out",
        "signed.pem",
    ]);
    let chain = std::fs::read_to_string(dir.join("signed.pem")).unwrap()
        + std::fs::read_to_string(dir.join("ca.pem"))
            .unwrap()
            .as_str();
    std::fs::write(dir.join("chain.pem"), chain).unwrap();
    let p = |f: &str| dir.join(f);
    [
        (p("cert.pem"), p("key.pem")),
        (p("leaf-cert.pem"), p("leaf-key.pem")),
        (p("chain.pem"), p("signed-key.pem")),
    ]
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The generator's normalisation (see make-expected.mjs): ports, the temporary directory, error
/// details' `duration`, the server's `date` and `server` headers.
fn normalise(text: &str, ports: &[u16], tmp: &Path) -> String {
    let mut out = text.to_string();
    for port in ports {
        out = out.replace(&format!("127.0.0.1:{port}"), "127.0.0.1:<PORT>");
    }
    out = out.replace(&tmp.display().to_string(), "<TMP>");
    out.split('\n')
        .map(|line| {
            let trimmed = line.trim_start();
            let indent = &line[..line.len() - trimmed.len()];
            let comma = if trimmed.ends_with(',') { "," } else { "" };
            if let Some(rest) = trimmed.strip_prefix("\"duration\": ") {
                if rest
                    .trim_end_matches(',')
                    .chars()
                    .all(|c| c.is_ascii_digit())
                {
                    return format!("{indent}\"duration\": \"<MS>\"{comma}");
                }
            }
            for key in ["date", "server"] {
                let prefix = format!("\"{key}\": \"");
                if trimmed.starts_with(&prefix) {
                    let placeholder = format!("<{}>", key.to_uppercase());
                    return format!("{indent}\"{key}\": \"{placeholder}\"{comma}");
                }
            }
            line.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Log text as the generator keeps it: no Versions banner lines, durations as `<DURATION>`.
fn normalise_log(text: &str, ports: &[u16], tmp: &Path) -> String {
    normalise(text, ports, tmp)
        .split('\n')
        .filter(|line| !line.starts_with("         ▸"))
        .map(durations)
        .collect::<Vec<_>>()
        .join("\n")
}

/// `\b\d+(\.\d+)?(ms|s)\b` -> `<DURATION>`, as the generator's regular expression.
fn durations(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() && (i == 0 || !word(chars[i - 1])) {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            if chars.get(j) == Some(&'.') && chars.get(j + 1).is_some_and(|c| c.is_ascii_digit()) {
                j += 1;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
            }
            let ends = |k: usize| chars.get(k).is_none_or(|c| !word(*c));
            let unit =
                if chars.get(j) == Some(&'m') && chars.get(j + 1) == Some(&'s') && ends(j + 2) {
                    2
                } else if chars.get(j) == Some(&'s') && ends(j + 1) {
                    1
                } else {
                    0
                };
            if unit > 0 {
                out.push_str("<DURATION>");
                i = j + unit;
                continue;
            }
            out.extend(&chars[i..j]);
            i = j;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

#[test]
fn errors_inside_the_bridge_reach_state_errors_as_in_openfn() {
    let packages = prepared_packages();
    let language_http = packages.join("node_modules/@openfn/language-http");
    let tmp = TempDir::new("bridge-errors");
    let [ca, leaf, chain] = certificates(&tmp.0);
    let plain = HttpFixture::start(None);
    let tls = HttpFixture::start(Some((&ca.0, &ca.1)));
    let tls_leaf = HttpFixture::start(Some((&leaf.0, &leaf.1)));
    let tls_chain = HttpFixture::start(Some((&chain.0, &chain.1)));
    let closed = free_port();
    let ports = [plain.port, tls.port, tls_leaf.port, tls_chain.port, closed];
    let base = |name: &str| match name {
        "refused" => format!("http://127.0.0.1:{closed}"),
        "tls-self-signed" => format!("https://127.0.0.1:{}", tls.port),
        "tls-self-signed-leaf" => format!("https://127.0.0.1:{}", tls_leaf.port),
        "tls-untrusted-chain" => format!("https://127.0.0.1:{}", tls_chain.port),
        _ => format!("http://127.0.0.1:{}", plain.port),
    };
    let mut names: Vec<String> = std::fs::read_dir(dir().join("errors"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter_map(|f| f.strip_suffix(".js").map(str::to_string))
        .collect();
    names.sort();
    assert_eq!(names.len(), 10, "{names:?}");
    let mut problems = Vec::new();
    for name in &names {
        let work = tmp.0.join(name);
        std::fs::create_dir_all(&work).unwrap();
        std::fs::copy(
            dir().join("errors").join(format!("{name}.js")),
            work.join("job.js"),
        )
        .unwrap();
        let state = serde_json::json!({
            "configuration": { "baseUrl": base(name) },
            "data": { "items": [1, 2] },
        });
        std::fs::write(work.join("state.json"), state.to_string()).unwrap();
        let out = fnhost()
            .current_dir(&work)
            .arg("job.js")
            .arg("-a")
            .arg(format!("@openfn/language-http={}", language_http.display()))
            .args(["-s", "state.json", "-o", "output.json"])
            .output()
            .unwrap();
        let expected = |ext: &str| {
            std::fs::read_to_string(dir().join("errors").join(format!("{name}.expected.{ext}")))
                .unwrap_or_else(|e| panic!("{name}.expected.{ext}: {e}"))
        };
        let exit = out.status.code().map(|c| c.to_string()).unwrap_or_default();
        if exit != expected("exit").trim() {
            problems.push(format!(
                "{name}: exit {exit}, OpenFn {}",
                expected("exit").trim()
            ));
        }
        let output = std::fs::read_to_string(work.join("output.json")).unwrap_or_default();
        let output = normalise(&output, &ports, &tmp.0);
        if output != expected("json") {
            problems.push(format!(
                "{name}: output differs\n--- OpenFn\n{}\n--- fnhost\n{output}",
                expected("json")
            ));
        }
        // fnhost scrubs configuration values from logs (OpenFn's CLI does not)
        let want_log = expected("log")
            .replace("https://127.0.0.1:<PORT>", "****")
            .replace("http://127.0.0.1:<PORT>", "****");
        let log = normalise_log(&String::from_utf8_lossy(&out.stderr), &ports, &tmp.0);
        if log.trim_end() != want_log.trim_end() {
            problems.push(format!(
                "{name}: log differs\n--- OpenFn\n{want_log}\n--- fnhost\n{log}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// What the real undici sends, as the bridge is documented to send it (README, "HTTP on the
/// wire"): header names lower-case and the values of a repeated name together at its first
/// place, as the `http` crate's header map (under hyper) keeps them.
fn as_documented(bytes: &str) -> String {
    let (head, body) = bytes.split_once("\r\n\r\n").unwrap();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap().to_string();
    let mut headers: Vec<(String, Vec<String>)> = Vec::new();
    for line in lines {
        let (name, value) = line.split_once(": ").unwrap();
        let name = name.to_lowercase();
        match headers.iter_mut().find(|(n, _)| *n == name) {
            Some((_, values)) => values.push(value.to_string()),
            None => headers.push((name, vec![value.to_string()])),
        }
    }
    let mut out = request_line;
    for (name, values) in headers {
        for value in values {
            out.push_str(&format!("\r\n{name}: {value}"));
        }
    }
    format!("{out}\r\n\r\n{body}")
}

/// The request bytes of undici 7 and 5 (`request`, `stream`, `fetch`, `Client`, `Pool`, a composed
/// `Agent`) and Node's global fetch, recorded by make-expected.mjs (tests/bridge/wire.mjs), against
/// what the bridge sends for the same calls to the same kind of listener.
#[test]
fn the_bridge_sends_the_bytes_undici_sends() {
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("wire/expected.json")).unwrap())
            .unwrap();
    let recorder = Recorder::start();
    let tmp = TempDir::new("bridge-wire");
    let job = tmp.write("job.js", &format!("wire({});\n", recorder.port));
    let out = fnhost()
        .arg(&job)
        .arg("-a")
        .arg(format!("wiretest={}", dir().join("wire-adaptor").display()))
        .args(["-O", "--log", "none"])
        .output()
        .unwrap();
    let state = super::support::final_state(&out);
    assert!(state.get("errors").is_none(), "{}", state["errors"]);
    let seen = recorder.seen.lock().unwrap().clone();
    let mut problems = Vec::new();
    for version in ["undici7", "undici5"] {
        for (case, bytes) in expected[version]["cases"].as_object().unwrap() {
            let want = as_documented(bytes.as_str().unwrap());
            let got = seen
                .get(case)
                .map(|b| b.replace(&format!("127.0.0.1:{}", recorder.port), "127.0.0.1:<PORT>"))
                .unwrap_or_default();
            if got != want {
                problems.push(format!(
                    "{version} {case}:\n--- undici\n{want}--- fnhost\n{got}"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The requests of a language-http 7.2.10 job (`post` with a JSON body, `get` with a query and
/// an `Accept`, `put` with text; basic auth from the configuration), as OpenFn's CLI on Node
/// sent them (tests/bridge/wire.mjs) and as fnhost sends them over the bridge.
#[test]
fn language_http_jobs_send_the_bytes_they_send_under_openfn() {
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("wire/expected.json")).unwrap())
            .unwrap();
    let packages = prepared_packages();
    let recorder = Recorder::start();
    let tmp = TempDir::new("bridge-wire-lh");
    let state = serde_json::json!({ "configuration": {
        "baseUrl": format!("http://127.0.0.1:{}", recorder.port),
        "username": "user",
        "password": "pass",
    }});
    let out = fnhost()
        .current_dir(&tmp.0)
        .arg(dir().join("wire-jobs/language-http.js"))
        .arg("-a")
        .arg(format!(
            "@openfn/language-http={}",
            packages
                .join("node_modules/@openfn/language-http")
                .display()
        ))
        .args(["-S", &state.to_string(), "-o", "output.json"])
        .output()
        .unwrap();
    let record = &expected["languageHttp"];
    assert_eq!(
        out.status.code(),
        record["exit"].as_i64().map(|c| c as i32),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen = recorder.seen.lock().unwrap().clone();
    let cases = record["cases"].as_object().unwrap();
    assert_eq!(seen.len(), cases.len(), "requests: {:?}", seen.keys());
    let mut problems = Vec::new();
    for (case, bytes) in cases {
        let want = as_documented(bytes.as_str().unwrap());
        let got = seen
            .get(case)
            .map(|b| b.replace(&format!("127.0.0.1:{}", recorder.port), "127.0.0.1:<PORT>"))
            .unwrap_or_default();
        if got != want {
            problems.push(format!("{case}:\n--- OpenFn\n{want}--- fnhost\n{got}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
