//! Web platform globals in the main realm (where adaptors run), and their absence from the job
//! realm, as under OpenFn.

use super::support::{run_with_adaptor, TempDir};

#[test]
fn adaptors_see_node_24_web_globals_and_no_browser_globals() {
    let dir = TempDir::new("web");
    let adaptor = dir.adaptor(
        "webfx",
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
    );
    let job = dir.write("job.js", "probe();\n");
    let state = run_with_adaptor(&job, &adaptor);
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
