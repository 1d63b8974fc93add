//! What the history shows of a run beyond its states and logs: the peak V8 heap it reached
//! (stored with the run, on its page and in `/api/v1`), and credentials from the encrypted
//! store given to a workflow's steps (by the name in a step's `configuration`), scrubbed from
//! everything stored.

use super::serve::{project, sqlite, Server, JSON};
use super::support::{fnhost, succeed_with_input, TempDir};

const HEAP_YAML: &str = r#"
inboxes:
  - name: small
    key: heap-small-001
  - name: big
    key: heap-big-0001
jobs:
  - name: trivial
    adaptor: "{COMMON}"
    expression: "fn(state => state)"
    trigger: { webhook: { inbox: small } }
  - name: allocates
    adaptor: "{COMMON}"
    expression: |
      fn(state => { globalThis.kept = new Array(6000000).fill(0.5); return { data: { n: globalThis.kept.length } }; })
    trigger: { webhook: { inbox: big } }
"#;

fn run_of(server: &Server, key: &str) -> serde_json::Value {
    let r = server.post(&format!("/inbox/{key}"), &[JSON], b"{\"a\": 1}");
    assert_eq!(r.status, 200, "{}", r.text());
    let message = r.header("x-fnhost-message-id").unwrap().to_string();
    let runs = server.runs_of(&message, 1);
    server.finished_run(runs[0]["id"].as_str().unwrap())
}

#[test]
fn a_run_records_its_peak_heap_and_a_big_array_shows_in_it() {
    let dir = TempDir::new("ui-heap");
    let server = Server::start(&project(&dir, HEAP_YAML), &sqlite(&dir), &[]);
    let small = run_of(&server, "heap-small-001");
    let big = run_of(&server, "heap-big-0001");
    assert_eq!(small["status"], "success", "{small}");
    assert_eq!(big["status"], "success", "{big}");
    let small_peak = small["peak_heap_bytes"].as_i64().expect("a peak heap");
    let big_peak = big["peak_heap_bytes"].as_i64().expect("a peak heap");
    eprintln!("peak heap: trivial {small_peak} B, 6e6-element array {big_peak} B");
    assert!(small_peak > 0, "{small_peak}");
    // 6,000,000 doubles: 48 MB of heap the trivial run never had
    assert!(
        big_peak >= small_peak + 40 * 1024 * 1024,
        "trivial {small_peak} B, big array {big_peak} B"
    );
    // the run page and the runs list show it in MB
    let id = big["id"].as_str().unwrap();
    let page = server.get(&format!("/runs/{id}")).text();
    let shown = format!("{:.1} MB", big_peak as f64 / (1024.0 * 1024.0));
    assert!(
        page.contains("Peak heap") && page.contains(&shown),
        "{shown} not in {page}"
    );
    let list = server.get("/runs").text();
    assert!(list.contains(&shown), "{shown} not in {list}");
}

const SECRET: &str = "Wf7-store-only-password-x81";
const KEY: &str = "00112233445566778899aabbccddeeff0123456789abcdef0123456789abcdef";

const WF_YAML: &str = r#"
inboxes:
  - name: wf
    key: wf-cred-00001
jobs:
  - name: two-steps
    adaptor: "{COMMON}"
    workflow: wf/workflow.json
    trigger: { webhook: { inbox: wf } }
"#;

const WORKFLOW: &str = r#"{"workflow": {"steps": [
  {"id": "plain", "expression": "fn(state => ({ data: { had: typeof state.configuration } }))", "next": {"uses": true}},
  {"id": "uses", "configuration": "warehouse", "expression": "fn(state => { console.log('password', state.configuration.password); return { data: { ...state.data, user: state.configuration.username, copied: state.configuration.password } }; })"}
]}}"#;

#[test]
fn a_workflow_step_gets_its_credential_from_the_encrypted_store_scrubbed() {
    let dir = TempDir::new("ui-wf-cred");
    let database = sqlite(&dir);
    let key_file = dir.write("credentials.key", KEY);
    dir.write("wf/workflow.json", WORKFLOW);
    // the credential is only in the encrypted store: the project file has no inline one
    // the key through the environment: a key file's name for the CLI, the key itself for
    // the server
    succeed_with_input(
        fnhost()
            .args(["credentials", "set", "warehouse", "--database", &database])
            .env("FNHOST_CREDENTIALS_KEY_FILE", &key_file),
        &format!(r#"{{"username": "wh-user", "password": "{SECRET}"}}"#),
    );
    let server = Server::launch(
        &project(&dir, WF_YAML),
        &database,
        &["--no-auth"],
        &[("FNHOST_CREDENTIALS_KEY", KEY)],
    );
    let run = run_of(&server, "wf-cred-00001");
    assert_eq!(run["status"], "success", "{run}");
    let data = &run["final_state"]["data"];
    // the step had the store's value as state.configuration: its public username as is, the
    // password it copied and logged scrubbed
    assert_eq!(data["user"], "wh-user", "{run}");
    assert_eq!(data["copied"], "****", "{run}");
    assert!(run["logs"].to_string().contains("password ****"), "{run}");
    let text = run.to_string();
    assert!(!text.contains(SECRET), "{text}");
    for path in [
        format!("/runs/{}", run["id"].as_str().unwrap()),
        "/runs".to_string(),
    ] {
        let page = server.get(&path).text();
        assert!(!page.contains(SECRET), "{path}: {page}");
    }
    // nowhere in the store either (steps' outputs, logs, final state)
    drop(server);
    super::ui_security::assert_not_stored(&database, SECRET);
}
