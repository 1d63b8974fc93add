//! Web platform globals in the main realm (where adaptors run), and their absence from the job
//! realm, as under OpenFn.

use std::process::Command;

#[test]
fn adaptors_see_node_24_web_globals_and_no_browser_globals() {
    let dir = std::env::temp_dir().join(format!("fnhost-web-{}", std::process::id()));
    let adaptor = dir.join("adaptor");
    std::fs::create_dir_all(&adaptor).unwrap();
    std::fs::write(
        adaptor.join("package.json"),
        r#"{"name":"@openfn/language-webfx","version":"1.0.0","type":"module","main":"index.js"}"#,
    )
    .unwrap();
    std::fs::write(
        adaptor.join("index.js"),
        r#"export const probe = () => async (state) => {
  const u = new URL('https://x.org/a?b=1');
  const enc = new TextEncoder().encode('h\u00e9llo');
  const ac = new AbortController(); ac.abort();
  const rs = new ReadableStream({ start(c) { c.enqueue('a'); c.enqueue('b'); c.close(); } });
  const parts = []; for await (const p of rs) parts.push(p);
  return { data: {
    host: u.host, q: u.searchParams.get('b'), len: enc.length, text: new TextDecoder().decode(enc),
    aborted: ac.signal.aborted, parts, blob: await new Blob(['xyz']).text(), b64: btoa('hi'), unb64: atob('aGk='),
    clone: structuredClone({ a: [1] }), perf: typeof performance.now(), dom: new DOMException('x', 'AbortError').name,
    types: [typeof window, typeof document, typeof navigator, typeof Deno, typeof MessageChannel, typeof queueMicrotask],
    intl: new Intl.NumberFormat('de-DE').format(1234.5),
  } };
};
"#,
    )
    .unwrap();
    std::fs::write(dir.join("job.js"), "probe();\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_fnhost"))
        .arg(dir.join("job.js"))
        .arg("-a")
        .arg(format!("webfx={}", adaptor.display()))
        .args(["-O", "--log", "none"])
        .env_remove("FNHOST_REPO_DIR")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let state: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        state["data"],
        serde_json::json!({
            "host": "x.org", "q": "1", "len": 6, "text": "h\u{e9}llo", "aborted": true, "parts": ["a", "b"],
            "blob": "xyz", "b64": "aGk=", "unb64": "hi", "clone": { "a": [1] }, "perf": "number", "dom": "AbortError",
            "types": ["undefined", "undefined", "undefined", "undefined", "function", "function"],
            "intl": "1.234,5",
        })
    );
}
