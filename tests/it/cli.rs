//! CLI behaviour that is fnhost's own: usage errors, `compile`, timeouts, the job realm.

use super::support::{final_state, fnhost, run_with_adaptor, TempDir};

fn job(source: &str) -> (TempDir, std::path::PathBuf) {
    let dir = TempDir::new("cli");
    let path = dir.write("job.js", source);
    (dir, path)
}

#[test]
fn usage_error_exits_2() {
    let out = fnhost().args(["execute"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = fnhost()
        .args(["execute", "x.js", "--log", "loud"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn runaway_job_times_out_with_exit_1() {
    let (_dir, path) = job("export default [s => { while (true) {} }];");
    let out = fnhost()
        .arg(&path)
        .args(["--timeout", "300", "-O"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // OpenFn's words for it, then its closing line
    assert!(
        stderr.contains("Error: Timeout expired (300ms)"),
        "{stderr}"
    );
    assert!(stderr.contains("Workflow failed in"), "{stderr}");
    assert!(out.stdout.is_empty(), "no final state on a crash");
}

#[test]
fn job_realm_sees_only_openfn_globals() {
    let (_dir, path) = job(
        "export default [s => ({ types: [typeof fetch, typeof Deno, typeof process, typeof setTimeout, typeof console.log, typeof state] })];",
    );
    let out = fnhost().arg(&path).arg("-O").output().unwrap();
    let state = final_state(&out);
    assert_eq!(
        state["types"],
        serde_json::json!([
            "undefined",
            "undefined",
            "undefined",
            "function",
            "function",
            "object"
        ])
    );
}

#[test]
fn lone_job_path_form_and_output_file() {
    let (dir, path) = job("fn => 1;\nexport default [s => ({ data: { ok: true } })];");
    let out = fnhost().arg(&path).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(dir.0.join("output.json")).unwrap();
    assert_eq!(written, "{\n  \"data\": {\n    \"ok\": true\n  }\n}");
}

#[test]
fn compile_prints_the_module() {
    let (_dir, path) = job("const a = 1;\nfoo(a);\n");
    let out = fnhost().arg("compile").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let code = String::from_utf8_lossy(&out.stdout);
    assert!(code.contains("export default [foo(a)];"), "{code}");
}

#[test]
fn syntax_error_is_reported_with_position() {
    let (_dir, path) = job("fn(s => {);\n");
    let out = fnhost().arg(&path).arg("-O").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("(1:"), "{stderr}");
}

#[test]
fn commonjs_and_es_modules_load_each_other_both_ways() {
    let dir = TempDir::new("cli-mix");
    let root = &dir.0;
    let write = |rel: &str, text: &str| {
        dir.write(rel, text);
    };
    // an ESM adaptor importing a CommonJS package that itself requires an ES module package
    write(
        "adaptor/package.json",
        r#"{"name":"@openfn/language-mix","version":"1.0.0","type":"module","main":"index.js"}"#,
    );
    write(
        "adaptor/index.js",
        "import cjs, { twice } from 'cjs-lib';\nexport const fn = (f) => (s) => f(s);\nexport const lib = { twice, fromEsm: cjs.fromEsm };\n",
    );
    write(
        "adaptor/node_modules/cjs-lib/package.json",
        r#"{"name":"cjs-lib","version":"1.0.0","main":"lib.js"}"#,
    );
    write(
        "adaptor/node_modules/cjs-lib/lib.js",
        "const esm = require('esm-lib');\nexports.twice = (n) => n * 2;\nexports.fromEsm = esm.greet('cjs');\n",
    );
    write(
        "adaptor/node_modules/esm-lib/package.json",
        r#"{"name":"esm-lib","version":"1.0.0","type":"module","exports":"./index.js"}"#,
    );
    write(
        "adaptor/node_modules/esm-lib/index.js",
        "export const greet = (who) => `hello ${who}`;\n",
    );
    write(
        "job.js",
        "fn(state => ({ data: { n: lib.twice(21), msg: lib.fromEsm } }));\n",
    );
    let out = fnhost()
        .arg(root.join("job.js"))
        .arg("-a")
        .arg(format!("mix={}", root.join("adaptor").display()))
        .arg("-O")
        .output()
        .unwrap();
    let state = final_state(&out);
    assert_eq!(
        state["data"],
        serde_json::json!({ "n": 42, "msg": "hello cjs" })
    );
}

#[test]
fn dates_are_utc_unless_a_zone_is_given() {
    let (_dir, path) = job(
        "export default [s => ({ data: { offset: new Date(2026, 0, 15).getTimezoneOffset(), local: new Date(Date.UTC(2026, 6, 1, 12)).toString() } })];",
    );
    let out = fnhost()
        .env_remove("TZ")
        .arg(&path)
        .args(["-O", "--log", "none"])
        .output()
        .unwrap();
    let state: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(state["data"]["offset"], 0);
    let out = fnhost()
        .arg(&path)
        .args(["-O", "--log", "none", "--tz", "America/New_York"])
        .output()
        .unwrap();
    let state: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(state["data"]["offset"], 300);
    assert!(
        state["data"]["local"]
            .as_str()
            .unwrap()
            .starts_with("Wed Jul 01 2026 08:00:00 GMT-0400"),
        "{state}"
    );
}

#[test]
fn process_env_is_an_allow_list() {
    let dir = TempDir::new("env");
    let adaptor = dir.adaptor(
        "envfx",
        "export const read = () => (state) => ({ data: { keys: Object.keys(process.env).sort(), a: process.env.FNHOST_A ?? null, home: process.env.HOME ?? null } });\n",
    );
    let job = dir.write("job.js", "read();\n");
    let out = fnhost()
        .arg(&job)
        .arg("-a")
        .arg(&adaptor)
        .args(["-O", "--log", "none"])
        .env("FNHOST_A", "from-host")
        .output()
        .unwrap();
    assert_eq!(
        final_state(&out)["data"],
        serde_json::json!({ "keys": [], "a": null, "home": null })
    );
    let out = fnhost()
        .arg(&job)
        .arg("-a")
        .arg(&adaptor)
        .args([
            "-O", "--log", "none", "--env", "FNHOST_A", "--env", "EXTRA=1",
        ])
        .env("FNHOST_A", "from-host")
        .output()
        .unwrap();
    assert_eq!(
        final_state(&out)["data"],
        serde_json::json!({ "keys": ["EXTRA", "FNHOST_A"], "a": "from-host", "home": null })
    );
}

#[test]
fn zlib_runs_on_rust_and_reads_what_node_wrote() {
    let dir = TempDir::new("zlib");
    // the base64 strings were produced by Node 20's zlib from "made by node"
    let adaptor = dir.adaptor(
        "zfx",
        r#"import zlib from 'node:zlib';
export const z = () => (state) => {
  const from = (s) => Buffer.from(s, 'base64');
  const text = 'fnhost '.repeat(50);
  return { data: {
    node: [zlib.gunzipSync(from('H4sIAAAAAAAAA8tNTElVSKpUyMtPSQUAXvkCPgwAAAA=')).toString(),
           zlib.brotliDecompressSync(from('GwsA+CVAqhBFChhwHBs=')).toString(),
           zlib.inflateSync(from('eJzLTUxJVUiqVMjLT0kFABweBFk=')).toString(),
           zlib.unzipSync(from('eJzLTUxJVUiqVMjLT0kFABweBFk=')).toString()],
    roundTrip: [zlib.gunzipSync(zlib.gzipSync(text)).toString() === text,
                zlib.inflateRawSync(zlib.deflateRawSync(text)).toString() === text,
                zlib.brotliDecompressSync(zlib.brotliCompressSync(text)).toString() === text],
    smaller: zlib.gzipSync(text).length < text.length,
    error: (() => { try { zlib.inflateSync(Buffer.from('nope')); } catch (e) { return e.code; } })(),
  } };
};
"#,
    );
    let job = dir.write("job.js", "z();\n");
    let state = run_with_adaptor(&job, &adaptor);
    assert_eq!(
        state["data"],
        serde_json::json!({
            "node": ["made by node", "made by node", "made by node", "made by node"],
            "roundTrip": [true, true, true],
            "smaller": true,
            "error": "Z_DATA_ERROR",
        })
    );
}

#[test]
fn the_timeout_applies_to_each_step_not_the_whole_workflow() {
    let dir = TempDir::new("timeout-steps");
    let busy = "export default [s => { const end = Date.now() + 150; while (Date.now() < end) {} return { ...s, data: { n: (s.data.n ?? 0) + 1 } }; }];";
    let step = |id: &str, next: Option<&str>| {
        let mut s = serde_json::json!({ "id": id, "expression": busy });
        if let Some(n) = next {
            s["next"] = serde_json::json!({ n: true });
        }
        s
    };
    let workflow = serde_json::json!({ "steps": [
        step("a", Some("b")), step("b", Some("c")), step("c", Some("d")), step("d", Some("e")), step("e", None),
    ] });
    let path = dir.write("workflow.json", &workflow.to_string());
    // five steps of 150 ms each take longer than one 400 ms step limit, and that is fine
    let out = fnhost()
        .arg(&path)
        .args(["--no-compile", "-t", "400", "-O", "--log", "none"])
        .output()
        .unwrap();
    assert_eq!(final_state(&out)["data"]["n"], 5);
}

#[test]
fn stats_print_a_row_per_step() {
    let dir = TempDir::new("stats");
    let wf = dir.write(
        "workflow.json",
        r#"{"steps": [
            {"id": "fast", "expression": "export default [s => s]", "next": {"fat": true}},
            {"id": "fat", "expression": "export default [s => ({ data: { big: 'x'.repeat(200000) } })]"}
        ]}"#,
    );
    let out = fnhost().arg(&wf).args(["-O", "--stats"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let log = String::from_utf8_lossy(&out.stderr);
    let table: Vec<&str> = log
        .lines()
        .skip_while(|l| !l.contains("Run statistics:"))
        .take(4)
        .collect();
    assert_eq!(table.len(), 4, "{log}");
    assert!(table[1]
        .split_whitespace()
        .eq(["step", "wall", "cpu", "heap", "peak", "heap", "after", "result"]));
    assert!(
        table[2].trim_start().starts_with("fast") && table[2].ends_with("ok"),
        "{log}"
    );
    assert!(table[3].trim_start().starts_with("fat"), "{log}");
    // the fat step's output is in the total's state size
    assert!(log.contains("KB out"), "{log}");
    let out_kb: f64 = log
        .lines()
        .find(|l| l.contains("KB out"))
        .and_then(|l| l.split("in, ").nth(1))
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(out_kb > 190.0, "{log}");
}

#[test]
fn a_run_past_its_heap_limit_ends_with_oom_error() {
    let (_dir, path) = job(
        "export default [s => { const keep = []; while (true) keep.push(new Array(100000).fill(Math.random())); }];",
    );
    let out = fnhost()
        .arg(&path)
        .args(["--heap-limit", "64", "-O"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("OOMError: Run exceeded its memory limit of 64 MB"),
        "{stderr}"
    );
    assert!(stderr.contains("Workflow failed in"), "{stderr}");
}

/// `FNHOST_PHASES=1` times each phase of a run on standard error, with the resident memory
/// after it; the final state on standard output is unchanged.
#[test]
fn phases_print_each_phase_with_its_time_and_memory() {
    let (_dir, path) = job("export default [s => ({ ...s, data: { ok: true } })];");
    let out = fnhost()
        .arg(&path)
        .args(["-O", "--log", "none"])
        .env("FNHOST_PHASES", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(final_state(&out)["data"]["ok"], true);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let phases: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("[phase]"))
        .collect();
    for name in ["command line", "the plan", "final state out of V8"] {
        let line = phases
            .iter()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("no `{name}` phase in {stderr}"));
        let fields: Vec<&str> = line.split_whitespace().collect();
        // [phase] <ms> ms <mb> MB <name...>
        assert!(
            fields[1].parse::<f64>().is_ok() && fields[2] == "ms",
            "{line}"
        );
        let mb: u64 = fields[3].parse().unwrap_or_else(|_| panic!("{line}"));
        assert!(fields[4] == "MB" && mb > 0, "{line}");
    }
    // off by default
    let quiet = fnhost()
        .arg(&path)
        .args(["-O", "--log", "none"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("[phase]"));
}

/// OpenFn's clone of a final state tries `JSON.stringify` first and walks for cycles only when
/// it throws: a cycle still becomes "[Circular]", a BigInt still gives fast-safe-stringify's
/// placeholder, and a getter that throws still crashes the run instead of vanishing.
#[test]
fn final_states_that_json_stringify_refuses_keep_openfns_answers() {
    let (_dir, cycle) =
        job("export default [s => { const a = { n: 1 }; a.self = a; return { data: { a } }; }];");
    let out = fnhost()
        .arg(&cycle)
        .args(["-O", "--log", "none"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        final_state(&out)["data"]["a"],
        serde_json::json!({"n": 1, "self": "[Circular]"})
    );

    let (_dir, bigint) = job(
        "export default [s => { const a = { n: 1 }; a.self = a; return { data: { a, big: BigInt(10) } }; }];",
    );
    let out = fnhost()
        .arg(&bigint)
        .args(["-O", "--log", "none"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        final_state(&out),
        serde_json::json!("[unable to serialize, circular reference is too complex to analyze]")
    );

    let (_dir, getter) = job(
        "export default [s => ({ data: { o: { get boom() { throw new Error('getter blew up'); } } } })];",
    );
    let out = fnhost().arg(&getter).args(["-O"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("getter blew up"));
    assert!(out.stdout.is_empty());
}
