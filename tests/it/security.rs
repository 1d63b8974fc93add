//! The security suite: hostile jobs against the op layer, which is fnhost's boundary (the job
//! realm is a convenience; see the README's "Security" section).
//!
//! Each route below is a job in `tests/security/` (or a workflow built here) that must fail to
//! read the host, reach the engine or outlive its limits, asserting the specific refusal.
//! Every run carries canaries (a file outside the repo, an environment variable) that must
//! never appear in its output or logs. Add new routes to this list and to a test:
//!
//! 1. Realm escape: `state`, `fn`, `console.log`, `Buffer`, `setTimeout`, `parseInt` lead to the
//!    adaptors' realm via `.constructor(.constructor)`; that realm has no `__bootstrap`, `Deno`
//!    or `__fnhostHost`, and no op, op table or deno_core `core` is reachable from its global
//!    object or any built-in module (`realm_escape.js`).
//! 2. Host files from the adaptors' realm: `__fnhostModules.requireFile` (JSON and CommonJS),
//!    main-realm `import()` of a path and of a `file:` URL, `require` from a repo file and from
//!    outside the repo, `require.resolve`, `fs.readFileSync`, against `/etc/passwd`,
//!    `/proc/self/environ` and files next to the job (outside the repo): all refused in Rust
//!    ("is not allowed"), whether or not the file exists (`read_host_files.js`).
//! 3. `ext:core/ops` (every op) from scripts named `ext:…`/`node:…` through `node:vm`:
//!    refused by deno_core (`read_host_files.js`).
//! 4. Job-realm `import()` of paths, `file:` URLs, `node:vm`, `node:module`,
//!    `node:worker_threads`: `ImportError`; adaptors and `@openfn/runtime` still load
//!    (`dynamic_import.js`).
//! 5. Static job imports of a file outside the repo and of `node:vm`/`node:module`/
//!    `node:worker_threads`: `ImportError`, no content in the message.
//! 6. `import()` in an edge condition: rejects as in a `node:vm` context, nothing is read.
//! 7. Ending the process: `op_panic` through `__bootstrap`/`Deno`, `process.abort`/`kill`/
//!    `binding`/`dlopen`, `child_process`: each throws, the step fails, the next step runs, the
//!    process exits normally (`end_the_process.js`). `process.exit(3)` ends the run after its
//!    step, caught or not, as OpenFn's process would end: no later step, exit code 3, no final
//!    state (`process_exit.js`).
//! 8. Stopping the timeout: `options.timeout` of 0 or above `-t`; clearing every timer id from
//!    the adaptors' realm and waiting forever; an endless loop in an adaptor's top-level code,
//!    in workflow `globals`, in an edge condition: each ends with `TimeoutError` at `-t`.
//! 9. WebAssembly in the job realm: `CompileError` (code generation disallowed).
//! 10. `node:fs` from adaptor code (Deno's fs under deno_permissions): reads of `/etc/passwd`,
//!     `/proc/self/environ`, a file next to the package, `../` out of it and a symbolic link in
//!     the package that leads out are refused four ways (sync, promise, callback, stream);
//!     the package's own files are readable, `--allow-read` adds a file, nothing is writable
//!     (`fs_probe/`); an escaped job reaching `fs` through the main realm meets the same rules.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::support::{fnhost, TempDir};

const ENV_CANARY: &str = "FNHOST-ENV-CANARY-7c1f";
const FILE_CANARY: &str = "FNHOST-FILE-CANARY-93ab";
const REFUSED: &str = "is not allowed: fnhost loads modules only from the packages of this run";

fn job(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/security")
        .join(name)
}

/// A hostile job's surroundings: an empty repo, a local adaptor, and canary files outside both.
struct Scene {
    dir: TempDir,
    adaptor: String,
}

impl Scene {
    fn new(tag: &str) -> Scene {
        let dir = TempDir::new(tag);
        std::fs::create_dir_all(dir.0.join("repo/node_modules")).unwrap();
        dir.write("repo/package.json", r#"{"name":"repo","private":true}"#);
        let adaptor = dir.adaptor(
            "probe",
            "export const fn = (f) => (state) => f(state);\nexport const marker = 'probe';\n",
        );
        dir.write("secret.json", &format!(r#"{{"canary":"{FILE_CANARY}"}}"#));
        dir.write(
            "secret.js",
            &format!("export const canary = '{FILE_CANARY}';\n"),
        );
        dir.write("secret.txt", &format!("{FILE_CANARY} plain text\n"));
        Scene { dir, adaptor }
    }

    fn path(&self, rel: &str) -> String {
        self.dir.0.join(rel).display().to_string()
    }

    /// Files a job must not read: the host's and the canaries next to the job.
    fn targets(&self) -> Vec<String> {
        vec![
            "/etc/passwd".into(),
            "/proc/self/environ".into(),
            "/etc/fnhost-does-not-exist.json".into(),
            self.path("secret.json"),
            self.path("secret.js"),
            self.path("secret.txt"),
        ]
    }

    fn command(&self, job: &Path, state: &serde_json::Value, extra: &[&str]) -> Command {
        let mut cmd = fnhost();
        cmd.env("FNHOST_CANARY", ENV_CANARY)
            .arg(job)
            .arg("--repo-dir")
            .arg(self.dir.0.join("repo"))
            .args(["--no-autoinstall", "-a", &self.adaptor, "-O", "-S"])
            .arg(state.to_string())
            .args(extra);
        cmd
    }

    fn state(&self) -> serde_json::Value {
        serde_json::json!({ "data": {
            "targets": self.targets(),
            "repoFile": self.path("repo/package.json"),
        }})
    }
}

/// Runs `cmd`, killing it after `limit`; returns the output and how long it ran.
fn run_limited(mut cmd: Command, limit: Duration) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?}: the limit was lifted\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (child.wait_with_output().unwrap(), started.elapsed())
}

/// stdout and stderr together, checked free of canaries.
fn all_output(out: &Output) -> String {
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !text.contains(ENV_CANARY),
        "the host environment leaked:\n{text}"
    );
    assert!(
        !text.contains(FILE_CANARY),
        "a file outside the repo leaked:\n{text}"
    );
    assert!(!text.contains("root:x:0:0"), "/etc/passwd leaked:\n{text}");
    text
}

fn final_data(out: &Output) -> serde_json::Value {
    let text = all_output(out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let state: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON state");
    state["data"].clone()
}

#[test]
fn the_adaptors_realm_exposes_nothing_of_the_engine() {
    let scene = Scene::new("sec-realm");
    let (out, _) = run_limited(
        scene.command(&job("realm_escape.js"), &scene.state(), &[]),
        Duration::from_secs(60),
    );
    let data = final_data(&out);
    for (route, report) in data["routes"].as_object().unwrap() {
        assert_eq!(report["reachesMainRealm"], true, "{route}: {report}");
        assert_eq!(report["engineGlobals"], serde_json::json!([]), "{route}");
    }
    assert!(data["objectsVisited"].as_u64().unwrap() > 1000, "{data}");
    assert_eq!(data["engineReachable"], serde_json::json!([]), "{data}");
}

#[test]
fn no_route_reads_a_file_outside_the_run_s_packages() {
    let scene = Scene::new("sec-read");
    let (out, _) = run_limited(
        scene.command(&job("read_host_files.js"), &scene.state(), &[]),
        Duration::from_secs(60),
    );
    let data = final_data(&out);
    for target in scene.targets() {
        let routes = data["results"][&target].as_object().unwrap();
        assert_eq!(routes.len(), 8, "{target}");
        for (route, outcome) in routes {
            let outcome = outcome.as_str().unwrap();
            // node:fs is Deno's, under the run's permissions (src/runtime/permissions.rs)
            let expected = if route == "fs.readFileSync" {
                "NotCapable: Requires read access to"
            } else {
                REFUSED
            };
            assert!(
                outcome.contains(expected),
                "{target} via {route}: {outcome}"
            );
        }
    }
    for (filename, outcome) in data["ext"].as_object().unwrap() {
        assert!(
            outcome
                .as_str()
                .unwrap()
                .contains("Importing ext: modules is only allowed from ext: and node: modules"),
            "{filename}: {outcome}"
        );
    }
}

#[test]
fn job_import_expressions_follow_the_static_import_rule() {
    let scene = Scene::new("sec-import");
    let (out, _) = run_limited(
        scene.command(&job("dynamic_import.js"), &scene.state(), &[]),
        Duration::from_secs(60),
    );
    let data = final_data(&out);
    let results = data["results"].as_object().unwrap();
    for (specifier, outcome) in results {
        let outcome = outcome.as_str().unwrap();
        if specifier == "@openfn/language-probe" {
            assert!(outcome.starts_with("LOADED "), "{outcome}");
            assert!(outcome.contains("marker"), "{outcome}");
        } else if specifier == "@openfn/runtime" {
            assert!(outcome.starts_with("LOADED "), "{outcome}");
        } else {
            assert!(
                outcome.starts_with("ImportError: "),
                "{specifier}: {outcome}"
            );
        }
    }
    for builtin in ["node:vm", "vm", "node:module", "node:worker_threads"] {
        assert_eq!(
            results[builtin],
            format!("ImportError: Failed to import module \"{builtin}\""),
        );
    }
}

#[test]
fn static_job_imports_of_files_and_code_loading_builtins_are_refused() {
    let scene = Scene::new("sec-static");
    let cases = [
        (
            format!(
                "import {{ canary }} from '{}';\nfn(s => ({{ ...s, canary }}));",
                scene.path("secret.js")
            ),
            REFUSED.to_string(),
        ),
        (
            format!(
                "import x from '{}';\nfn(s => ({{ ...s, x }}));",
                scene.path("secret.json")
            ),
            format!("Failed to import module \"{}\"", scene.path("secret.json")),
        ),
        (
            "import vm from 'node:vm';\nfn(s => s);".to_string(),
            "Failed to import module \"node:vm\"".to_string(),
        ),
        (
            "import { createRequire } from 'node:module';\nfn(s => s);".to_string(),
            "Failed to import module \"node:module\"".to_string(),
        ),
        (
            "import wt from 'node:worker_threads';\nfn(s => s);".to_string(),
            "Failed to import module \"node:worker_threads\"".to_string(),
        ),
    ];
    for (i, (source, expected)) in cases.iter().enumerate() {
        let path = scene.dir.write(&format!("static-{i}.js"), source);
        let (out, _) = run_limited(
            scene.command(&path, &scene.state(), &[]),
            Duration::from_secs(60),
        );
        let text = all_output(&out);
        assert_eq!(out.status.code(), Some(1), "{source}\n{text}");
        assert!(
            text.contains(expected.as_str()),
            "{source}: expected {expected}\n{text}"
        );
    }
}

#[test]
fn an_edge_condition_cannot_import() {
    let scene = Scene::new("sec-edge-import");
    let workflow = serde_json::json!({ "workflow": { "steps": [
        { "id": "a", "expression": "fn(s => s)",
          "next": { "b": format!("import('{}').then(() => true)", scene.path("secret.json")) } },
        { "id": "b", "expression": "fn(s => ({ ...s, data: { reached: true } }))" },
    ]}});
    let path = scene.dir.write("edge.json", &workflow.to_string());
    let (out, _) = run_limited(
        scene.command(&path, &scene.state(), &[]),
        Duration::from_secs(60),
    );
    let text = all_output(&out);
    assert!(
        text.contains("A dynamic import callback was not specified"),
        "{text}"
    );
}

#[test]
fn a_job_cannot_end_the_process_only_its_own_step() {
    let scene = Scene::new("sec-end");
    let source = std::fs::read_to_string(job("end_the_process.js")).unwrap();
    let workflow = serde_json::json!({ "workflow": { "steps": [
        { "id": "hostile", "expression": source, "next": { "after": "on_job_failure" } },
        { "id": "after", "expression": "fn(s => ({ ...s, data: { ...s.data, after: 'ran' } }))" },
    ]}});
    let path = scene.dir.write("end.json", &workflow.to_string());
    let (out, _) = run_limited(
        scene.command(&path, &scene.state(), &[]),
        Duration::from_secs(60),
    );
    // exit 0 with the failure in state.errors: not a signal, not an abort
    let data = final_data(&out);
    assert_eq!(data["after"], "ran", "{data}");
    let results = data["results"].as_object().unwrap();
    assert_eq!(results.len(), 7);
    for (route, outcome) in results {
        let outcome = outcome.as_str().unwrap();
        assert!(
            outcome.starts_with("TypeError: Cannot read properties of undefined")
                || outcome.contains("ERR_NOT_SUPPORTED_IN_FNHOST")
                || outcome.contains("not supported in fnhost")
                || outcome.contains("a job cannot end the fnhost process"),
            "{route}: {outcome}"
        );
    }
    let state: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // OpenFn's runtime reports a TypeError in job code as a RuntimeError
    let error = &state["errors"]["hostile"];
    assert_eq!(error["name"], "RuntimeError", "{state}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("Cannot read properties of undefined (reading 'core')"),
        "{state}"
    );
}

#[test]
fn process_exit_ends_the_run_with_its_code_not_the_process() {
    let scene = Scene::new("sec-exit");
    let source = std::fs::read_to_string(job("process_exit.js")).unwrap();
    let workflow = serde_json::json!({ "workflow": { "steps": [
        { "id": "exits", "expression": source, "next": { "after": true } },
        { "id": "after", "expression": "fn(s => ({ ...s, data: { ...s.data, after: 'ran' } }))" },
    ]}});
    let path = scene.dir.write("exit.json", &workflow.to_string());
    let (out, _) = run_limited(
        scene.command(&path, &scene.state(), &[]),
        Duration::from_secs(60),
    );
    let text = all_output(&out);
    // OpenFn's process would exit with 3 and print no state; fnhost's process ends normally
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(out.stdout.is_empty(), "{text}");
    assert!(text.contains("process.exit(3) was called"), "{text}");
    assert!(
        !text.contains("'ran'") && !text.contains("\"after\""),
        "{text}"
    );
}

/// Runs a workflow (with the probe adaptor) that must end with a `TimeoutError` of
/// `expected_ms` well before the test's own limit.
fn assert_times_out(scene: &Scene, workflow: serde_json::Value, args: &[&str], expected_ms: u64) {
    let path = scene.dir.write("timeout.json", &workflow.to_string());
    let (out, took) = run_limited(
        scene.command(&path, &scene.state(), args),
        Duration::from_secs(30),
    );
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(1), "{workflow}\n{text}");
    assert!(
        text.contains(&format!("Timeout expired ({expected_ms}ms)")),
        "{workflow}\n{text}"
    );
    assert!(took < Duration::from_secs(15), "{workflow} took {took:?}");
}

fn endless(options: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "workflow": { "steps": [{ "id": "a", "expression": "fn(s => { while (true) {} })" }] },
        "options": options,
    })
}

#[test]
fn a_workflow_may_lower_the_timeout_but_not_lift_it() {
    let scene = Scene::new("sec-timeout");
    // today's main: timeout 0 disables the watchdog and the loop runs forever
    assert_times_out(
        &scene,
        endless(serde_json::json!({ "timeout": 0 })),
        &["-t", "500"],
        500,
    );
    assert_times_out(
        &scene,
        endless(serde_json::json!({ "timeout": 100_000_000 })),
        &["-t", "500"],
        500,
    );
    assert_times_out(
        &scene,
        endless(serde_json::json!({ "timeout": -1 })),
        &["-t", "500"],
        500,
    );
    assert_times_out(
        &scene,
        endless(serde_json::json!({ "timeout": "none" })),
        &["-t", "500"],
        500,
    );
    assert_times_out(
        &scene,
        endless(serde_json::json!({ "timeout": 300 })),
        &["-t", "20000"],
        300,
    );
}

#[test]
fn a_job_cannot_stop_its_own_timeout() {
    let scene = Scene::new("sec-stop-timer");
    // clears every timer id of the adaptors' realm (the step's own timeout among them), tries
    // the deadline ops, then waits forever without blocking the event loop
    let source = r#"fn(async (state) => {
  const G = state.constructor.constructor("return this")();
  for (let id = 0; id < 10000; id++) G.clearTimeout(id);
  try { G.__bootstrap.core.ops.op_job_deadline_clear(); } catch {}
  try { G.__bootstrap.core.ops.op_job_deadline_set(1e12); } catch {}
  await new Promise(() => G.setInterval(() => {}, 50));
  return state;
});"#;
    let workflow =
        serde_json::json!({ "workflow": { "steps": [{ "id": "a", "expression": source }] } });
    assert_times_out(&scene, workflow, &["-t", "600"], 600);
}

#[test]
fn the_deadline_covers_adaptor_code_globals_and_edge_conditions() {
    let scene = Scene::new("sec-coverage");
    let looping = scene.dir.adaptor(
        "looping",
        "while (true) {}\nexport const fn = (f) => (state) => f(state);\n",
    );
    let workflow = serde_json::json!({ "workflow": { "steps": [
        { "id": "a", "adaptor": looping, "expression": "fn(s => s)" },
    ]}});
    assert_times_out(&scene, workflow, &["-t", "500"], 500);
    let workflow = serde_json::json!({ "workflow": {
        "globals": "while (true) {}\nexport const g = 1;",
        "steps": [{ "id": "a", "expression": "fn(s => s)" }],
    }});
    assert_times_out(&scene, workflow, &["-t", "500"], 500);
    let workflow = serde_json::json!({ "workflow": { "steps": [
        { "id": "a", "expression": "fn(s => s)", "next": { "b": "(() => { while (true) {} })()" } },
        { "id": "b", "expression": "fn(s => s)" },
    ]}});
    assert_times_out(&scene, workflow, &["-t", "500"], 500);
}

#[test]
fn webassembly_is_off_in_the_job_realm() {
    let scene = Scene::new("sec-wasm");
    let path = scene.dir.write(
        "wasm.js",
        r#"fn(async (state) => {
  const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
  const out = {};
  try { new WebAssembly.Module(bytes); out.sync = "compiled"; } catch (e) { out.sync = `${e.name}: ${e.message}`; }
  try { await WebAssembly.instantiate(bytes); out.async = "compiled"; } catch (e) { out.async = `${e.name}: ${e.message}`; }
  return { ...state, data: out };
});"#,
    );
    let (out, _) = run_limited(
        scene.command(&path, &scene.state(), &[]),
        Duration::from_secs(60),
    );
    let data = final_data(&out);
    for key in ["sync", "async"] {
        let outcome = data[key].as_str().unwrap();
        assert!(
            outcome.starts_with("CompileError")
                && outcome.contains("Wasm code generation disallowed by embedder"),
            "{key}: {outcome}"
        );
    }
}

/// A copy of tests/security/fs_probe (a stand-in adaptor that reads through `node:fs`) with a
/// symbolic link in it to `/etc/passwd`, and a canary file next to it.
fn fs_probe_scene() -> (TempDir, PathBuf) {
    let dir = TempDir::new("sec-fs");
    let pkg = dir.0.join("pkg");
    super::support::copy_dir(&job("fs_probe"), &pkg);
    std::os::unix::fs::symlink("/etc/passwd", pkg.join("link.txt")).unwrap();
    std::os::unix::fs::symlink("/etc", pkg.join("etcdir")).unwrap();
    dir.write("outside.txt", "granted only by --allow-read\n");
    (dir, pkg)
}

fn fs_probe_run(dir: &TempDir, pkg: &Path, job_text: &str, extra: &[&str]) -> serde_json::Value {
    let job = dir.write("job.js", job_text);
    let out = fnhost()
        .env("FNHOST_CANARY", ENV_CANARY)
        .arg(&job)
        .arg("-a")
        .arg(format!("probe={}", pkg.display()))
        .args(["-O", "--log", "none"])
        .args(extra)
        .output()
        .unwrap();
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !text.contains("root:x:0") && !text.contains(ENV_CANARY),
        "{text}"
    );
    if !extra.contains(&"--allow-read") {
        assert!(!text.contains("granted only"), "{text}");
    }
    assert_eq!(out.status.code(), Some(0), "{text}");
    let state: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON state");
    state["data"].clone()
}

#[test]
fn adaptor_code_reads_only_its_package_through_node_fs() {
    let (dir, pkg) = fs_probe_scene();
    let outside = dir.0.join("outside.txt").display().to_string();
    let job = format!(
        r#"readAll(["./data.json", "/etc/passwd", "/proc/self/environ", "{outside}", "../outside.txt", "./link.txt", "./etcdir/passwd", "/proc/self/root/etc/passwd"]);"#
    );
    let data = fs_probe_run(&dir, &pkg, &job, &[]);
    let own = serde_json::json!({ "sync": "{\"own\":true}", "promise": "{\"own\":true}",
        "callback": "{\"own\":true}", "stream": "{\"own\":true}", "exists": true });
    assert_eq!(data["./data.json"], own);
    let refused = |path: &str| {
        let error = serde_json::json!([
            "NotCapable",
            format!("Requires read access to \"{path}\", run again with the --allow-read flag")
        ]);
        serde_json::json!({ "sync": error, "promise": error, "callback": error, "stream": error, "exists": false })
    };
    assert_eq!(data["/etc/passwd"], refused("/etc/passwd"));
    assert_eq!(data["/proc/self/environ"], refused("/proc/self/environ"));
    assert_eq!(data[outside.as_str()], refused(&outside));
    assert_eq!(data["../outside.txt"], refused(&outside));
    // the link is inside the package as written: refused for where it leads
    let escape = serde_json::json!(["PermissionDenied", format!(
        "access to {}/link.txt refused: it leads to /etc/passwd, outside the directories this run may read",
        pkg.display()
    )]);
    assert_eq!(
        data["./link.txt"],
        serde_json::json!({ "sync": escape, "promise": escape, "callback": escape, "stream": escape, "exists": false })
    );

    // a linked directory, and /proc's view of the root, lead out too
    let dir_escape = serde_json::json!(["PermissionDenied", format!(
        "access to {}/etcdir/passwd refused: it leads to /etc/passwd, outside the directories this run may read",
        pkg.display()
    )]);
    assert_eq!(data["./etcdir/passwd"]["sync"], dir_escape);
    assert_eq!(data["./etcdir/passwd"]["stream"], dir_escape);
    assert_eq!(
        data["/proc/self/root/etc/passwd"],
        refused("/proc/self/root/etc/passwd")
    );

    // --allow-read grants the file, and nothing more
    let data = fs_probe_run(&dir, &pkg, &job, &["--allow-read", &outside]);
    assert_eq!(data[outside.as_str()]["sync"], "granted only");
    assert_eq!(data[outside.as_str()]["stream"], "granted only");
    assert_eq!(data["../outside.txt"]["promise"], "granted only");
    assert_eq!(data["/etc/passwd"], refused("/etc/passwd"));
}

#[test]
fn adaptor_code_writes_nothing_through_node_fs() {
    let (dir, pkg) = fs_probe_scene();
    let data = fs_probe_run(&dir, &pkg, "writeOwn();\n", &[]);
    let refused = |rel: &str| {
        serde_json::json!([
            "NotCapable",
            format!(
                "Requires write access to \"{}/{rel}\", run again with the --allow-write flag",
                pkg.display()
            )
        ])
    };
    assert_eq!(
        data,
        serde_json::json!({
            "writeFileSync": refused("written.txt"),
            "appendFileSync": refused("data.json"),
            "mkdirSync": refused("made"),
            "unlinkSync": refused("data.json"),
            "writeFile": refused("written.txt"),
        })
    );
    assert!(!pkg.join("written.txt").exists() && !pkg.join("made").exists());
    assert_eq!(
        std::fs::read_to_string(pkg.join("data.json")).unwrap(),
        "{\"own\":true}\n"
    );
}

#[test]
fn an_escaped_job_meets_the_same_read_rules_through_node_fs() {
    let (dir, pkg) = fs_probe_scene();
    let job = r#"import https from "node:https";
export default [async (state) => {
  const g = https.Agent.constructor("return this")();
  const fs = g.__fnhostModules.builtin("fs");
  const read = (p) => { try { return fs.readFileSync(p, "utf8").slice(0, 8); } catch (e) { return [e.name, e.message]; } };
  return { ...state, data: { passwd: read("/etc/passwd"), environ: read("/proc/self/environ") } };
}];
"#;
    let data = fs_probe_run(&dir, &pkg, job, &[]);
    assert_eq!(
        data,
        serde_json::json!({
            "passwd": ["NotCapable", "Requires read access to \"/etc/passwd\", run again with the --allow-read flag"],
            "environ": ["NotCapable", "Requires read access to \"/proc/self/environ\", run again with the --allow-read flag"],
        })
    );
}

#[test]
fn allow_read_of_a_missing_path_is_an_error_before_the_run() {
    let (dir, pkg) = fs_probe_scene();
    let job = dir.write("job.js", "readAll([]);\n");
    let out = fnhost()
        .arg(&job)
        .arg("-a")
        .arg(format!("probe={}", pkg.display()))
        .args(["--allow-read", "/fnhost-does-not-exist"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--allow-read /fnhost-does-not-exist"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Deno's `http` reads its proxy variables past the permission check
/// (`op_get_env_no_permission_check`); fnhost answers that op from the run's `--env` allow-list,
/// so the host's environment never steers (or reaches) adaptor code, and `--env` does.
#[test]
fn deno_s_modules_see_the_run_s_environment_not_the_host_s() {
    let dir = TempDir::new("sec-env-proxy");
    let job = dir.write(
        "job.js",
        r#"import http from "node:http";
export default [(state) => new Promise((resolve) => {
  http.get("http://127.0.0.1:9/x", () => resolve({ ...state, data: "answered" }))
    .on("error", (e) => resolve({ ...state, data: e.message }));
})];
"#,
    );
    let run = |host_env: bool, args: &[&str]| {
        let mut cmd = fnhost();
        cmd.arg(&job).args(["-O", "--log", "none"]).args(args);
        if host_env {
            cmd.env("HTTP_PROXY", "http://127.0.0.1:1")
                .env("NODE_USE_ENV_PROXY", "1");
        }
        super::support::final_state(&cmd.output().unwrap())["data"].clone()
    };
    // the host's proxy is not used: the request goes (and is refused) where it was sent
    assert_eq!(run(true, &[]), "connect ECONNREFUSED 127.0.0.1:9");
    // the run's is
    assert_eq!(
        run(
            false,
            &[
                "--env",
                "HTTP_PROXY=http://127.0.0.1:1",
                "--env",
                "NODE_USE_ENV_PROXY=1"
            ]
        ),
        "connect ECONNREFUSED 127.0.0.1:1"
    );
}

/// An escaped job reaching `fs` through the main realm writes nothing either: a write stream,
/// `open(…, "w")` on the package's own file, a symbolic link.
#[test]
fn an_escaped_job_writes_nothing_through_node_fs() {
    let (dir, pkg) = fs_probe_scene();
    let target = dir.0.join("evil.txt");
    let job = format!(
        r#"import https from "node:https";
export default [async (state) => {{
  const fs = https.Agent.constructor("return this")().__fnhostModules.builtin("fs");
  const out = {{}};
  out.stream = await new Promise((r) => {{ const w = fs.createWriteStream("{target}"); w.on("error", (e) => r(e.name)); w.on("open", () => r("opened")); }});
  out.open = await fs.promises.open("{own}", "w").then(() => "opened", (e) => e.name);
  try {{ fs.symlinkSync("/etc/passwd", "{link}"); out.symlink = "made"; }} catch (e) {{ out.symlink = e.name; }}
  return {{ ...state, data: out }};
}}];
"#,
        target = target.display(),
        own = pkg.join("data.json").display(),
        link = pkg.join("made-link").display(),
    );
    let data = fs_probe_run(&dir, &pkg, &job, &[]);
    assert_eq!(
        data,
        serde_json::json!({ "stream": "NotCapable", "open": "NotCapable", "symlink": "NotCapable" })
    );
    assert!(!target.exists() && !pkg.join("made-link").exists());
    assert_eq!(
        std::fs::read_to_string(pkg.join("data.json")).unwrap(),
        "{\"own\":true}\n"
    );
}
