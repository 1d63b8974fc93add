//! The history UI over real HTTP against the real binary (`--no-auth` here; sign-in, roles
//! and CSRF are `ui_security.rs`): pages read without JavaScript, message search and paging,
//! run detail with logs, states and a diff, the live log as server-sent events, re-runs and
//! cancel through the pages' forms, and the filter preview.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::serve::{postgres, project, request, sqlite, Reply, Server, JSON};
use super::support::TempDir;

pub(crate) const YAML: &str = r#"
inboxes:
  - name: kobo
    key: ui-kobo-0001
  - name: flow
    key: ui-flow-0001
  - name: slow
    key: ui-slow-0001
jobs:
  - name: household
    adaptor: "{COMMON}"
    expression: |
      fn(state => { console.log('household of', state.data.body.name); return { ...state, data: { ...state.data, members: 5 } }; });
    trigger:
      message:
        inbox: kobo
        inclusion: { form: household_survey }
  - name: two-steps
    adaptor: "{COMMON}"
    workflow: wf/workflow.json
    trigger: { webhook: { inbox: flow } }
  - name: ticker
    adaptor: "{COMMON}"
    expression: |
      fn(state => new Promise(resolve => { let n = 0; const t = setInterval(() => { console.log('tick', n); n += 1; if (n === 8) { clearInterval(t); resolve(state); } }, 150); }));
    trigger: { webhook: { inbox: slow } }
"#;

pub(crate) const WORKFLOW: &str = r#"{"workflow": {"steps": [
  {"id": "first", "expression": "fn(state => { console.log('first ran'); return { data: { count: (state.data.count || 0) + 1 } }; })", "next": {"second": true}},
  {"id": "second", "expression": "fn(state => { console.log('second ran on', state.data.count); return { data: { ...state.data, doubled: state.data.count * 2 } }; })"}
]}}"#;

fn start(dir: &TempDir) -> Server {
    start_on(dir, &sqlite(dir))
}

fn start_on(dir: &TempDir, database: &str) -> Server {
    dir.write("wf/workflow.json", WORKFLOW);
    Server::start(&project(dir, YAML), database, &[])
}

/// GETs a page; `/`, which the templates' HTML escaping writes as `&#x2f;`, decoded.
fn get(server: &Server, path: &str) -> Reply {
    let mut r = request(&server.addr, "GET", path, &[], b"");
    r.body = String::from_utf8_lossy(&r.body)
        .replace("&#x2f;", "/")
        .into_bytes();
    r
}

fn post_message(server: &Server, key: &str, body: &str) -> String {
    let r = server.post(&format!("/inbox/{key}"), &[JSON], body.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    r.header("x-fnhost-message-id").unwrap().to_string()
}

/// The message ids a messages page lists, in order.
fn listed(html: &str) -> Vec<String> {
    html.split("<a href=\"/messages/")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

fn q(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The CSRF token a page's forms carry.
pub fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("no CSRF token in the page: {html}"))
        .to_string()
}

#[test]
fn the_history_pages_read_messages_runs_logs_and_states() {
    let dir = TempDir::new("ui-read");
    read_pages(&start(&dir));
}

#[test]
fn the_history_pages_read_the_same_on_postgresql() {
    let dir = TempDir::new("ui-read-pg");
    read_pages(&start_on(&dir, &postgres("ui")));
}

fn read_pages(server: &Server) {
    let a = post_message(
        server,
        "ui-kobo-0001",
        r#"{"form": "household_survey", "body": {"name": "Jane <b>Doe</b>", "tags": ["a"]}}"#,
    );
    let b = post_message(
        server,
        "ui-kobo-0001",
        r#"{"form": "household_survey", "body": {"name": "Amos", "tags": ["x", "y"]}}"#,
    );
    let c = post_message(
        server,
        "ui-kobo-0001",
        r#"{"form": "other", "body": {"name": "Nobody"}}"#,
    );
    let run_a = server.runs_of(&a, 1)[0]["id"].as_str().unwrap().to_string();
    server.finished_run(&run_a);

    // inboxes with their URL and traffic
    let home = get(server, "/");
    assert_eq!(home.status, 200);
    let home = home.text();
    assert!(
        home.contains(&format!("http://{}/inbox/ui-kobo-0001", server.addr)),
        "{home}"
    );
    assert!(home.contains("<td class=\"num\">3</td>"), "{home}");

    // the list, newest first
    let all = get(server, "/messages").text();
    assert_eq!(listed(&all), vec![c.clone(), b.clone(), a.clone()]);
    // posted HTML is shown as text, never as markup
    assert!(all.contains("Jane &lt;b&gt;Doe"), "{all}");
    assert!(!all.contains("<b>Doe"));

    // search by content (case-insensitive), by JSON fragment (filter containment), by date
    assert_eq!(
        listed(&get(server, "/messages?q=jane").text()),
        vec![a.clone()]
    );
    let frag = |f: &str| listed(&get(server, &format!("/messages?contains={}", q(f))).text());
    assert_eq!(
        frag(r#"{"form": "household_survey"}"#),
        vec![b.clone(), a.clone()]
    );
    // arrays match by element containment, as PostgreSQL's @> does
    assert_eq!(frag(r#"{"body": {"tags": ["y"]}}"#), vec![b.clone()]);
    assert_eq!(frag(r#"{"body": {"tags": "y"}}"#), Vec::<String>::new());
    let bad = get(server, &format!("/messages?contains={}", q("{form")));
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("not JSON"));
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(
        listed(&get(server, &format!("/messages?from={tomorrow}")).text()).len(),
        0
    );
    assert_eq!(
        listed(&get(server, &format!("/messages?from={yesterday}&to={tomorrow}")).text()).len(),
        3
    );
    assert_eq!(get(server, "/messages?from=soon").status, 400);

    // keyset paging
    let first = get(server, "/messages?limit=2").text();
    assert_eq!(listed(&first), vec![c.clone(), b.clone()]);
    let older = first
        .split("rel=\"next\"")
        .next()
        .and_then(|s| s.rsplit("href=\"").next())
        .map(|s| s.split('"').next().unwrap().replace("&amp;", "&"))
        .unwrap();
    assert_eq!(listed(&get(server, &older).text()), vec![a.clone()]);

    // the JSON API searches the same way
    let api = get(
        server,
        &format!(
            "/api/v1/messages?contains={}",
            q(r#"{"body": {"tags": ["y"]}}"#)
        ),
    );
    assert_eq!(api.status, 200);
    let ids: Vec<Value> = api
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].clone())
        .collect();
    assert_eq!(ids, vec![Value::String(b.clone())]);

    // a message with its runs
    let page = get(server, &format!("/messages/{a}")).text();
    assert!(page.contains(&format!("/runs/{run_a}")), "{page}");
    assert!(page.contains("household"));
    assert!(page.contains("&quot;household_survey&quot;") || page.contains("\"household_survey\""));

    // a run: log, states side by side, and what it changed
    let run = get(server, &format!("/runs/{run_a}"));
    assert_eq!(run.status, 200);
    let run = run.text();
    assert!(
        run.contains("household of Jane &lt;b&gt;Doe&lt;/b&gt;"),
        "{run}"
    );
    assert!(run.contains("id=\"input\"") && run.contains("id=\"output\""));
    assert!(
        run.contains("<code>data.members</code> <small>added</small>"),
        "{run}"
    );
    assert!(run.contains("common@3.3.4"), "the adaptor's version: {run}");

    // the log as server-sent events (a finished run: its lines, then the end)
    let events = get(server, &format!("/runs/{run_a}/events")).text();
    assert!(events.contains("event: log"), "{events}");
    assert!(events.contains("household of Jane"), "{events}");
    assert!(events.contains("event: end\ndata: success"), "{events}");

    // unknown ids
    assert_eq!(get(server, "/messages/nope").status, 404);
    assert_eq!(get(server, "/runs/nope").status, 404);

    // the filter preview: which recent messages a fragment would match
    let preview = get(
        server,
        &format!(
            "/filters?inclusion={}",
            q(r#"{"form": "household_survey"}"#)
        ),
    )
    .text();
    assert!(
        preview.contains("<strong>2</strong> of the 3 most recent messages match"),
        "{preview}"
    );
    let preview = get(
        server,
        &format!(
            "/filters?inclusion={}&exclusion={}",
            q(r#"{"form": "household_survey"}"#),
            q(r#"{"body": {"name": "Amos"}}"#)
        ),
    )
    .text();
    assert!(preview.contains("<strong>1</strong> of the 3"), "{preview}");
    assert!(preview.contains("excluded"));
}

/// Reads server-sent events from a live connection, each with when it arrived.
fn read_events(addr: &str, path: &str, until: Duration) -> Vec<(Instant, String, String)> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nhost: {addr}\r\naccept: text/event-stream\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let deadline = Instant::now() + until;
    let mut raw = String::new();
    let mut events = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                raw.push_str(&String::from_utf8_lossy(&buf[..n]));
                // one event per `event:` line, stamped when its data arrived
                while let Some(start) = raw.find("event: ") {
                    let rest = &raw[start..];
                    let Some(end) = rest.find("\n\n") else { break };
                    let block = rest[..end].to_string();
                    raw = rest[end + 2..].to_string();
                    let name = block.lines().next().unwrap()[7..].trim().to_string();
                    let data = block
                        .lines()
                        .find_map(|l| l.strip_prefix("data: "))
                        .unwrap_or("")
                        .to_string();
                    events.push((Instant::now(), name, data));
                }
                if events.iter().any(|(_, n, _)| n == "end") {
                    break;
                }
            }
            Err(_) => continue,
        }
    }
    events
}

#[test]
fn the_live_log_streams_while_the_run_goes() {
    let dir = TempDir::new("ui-live");
    let server = start(&dir);
    let m = post_message(&server, "ui-slow-0001", "{}");
    let run = server.runs_of(&m, 1)[0]["id"].as_str().unwrap().to_string();
    let events = read_events(
        &server.addr,
        &format!("/runs/{run}/events"),
        Duration::from_secs(60),
    );
    let logs: Vec<&(Instant, String, String)> =
        events.iter().filter(|(_, n, _)| n == "log").collect();
    let end = events
        .iter()
        .find(|(_, n, _)| n == "end")
        .expect("an end event");
    assert_eq!(end.2, "success");
    let ticks: Vec<&str> = logs
        .iter()
        .filter(|(_, _, d)| d.contains("tick"))
        .map(|(_, _, d)| d.as_str())
        .collect();
    assert_eq!(ticks.len(), 8, "{events:?}");
    // the first tick arrived well before the run ended: streamed, not sent at the end
    let first_tick = logs.iter().find(|(_, _, d)| d.contains("tick")).unwrap().0;
    let lead = end.0.duration_since(first_tick);
    eprintln!("first log line arrived {lead:?} before the end");
    assert!(lead >= Duration::from_millis(400), "{lead:?}");
    // the run page of a going run says so and carries the stream's cursor
    let page = get(&server, &format!("/runs/{run}")).text();
    assert!(page.contains("data-run=\"") && page.contains("id=\"log\""));
}

#[test]
fn re_run_from_a_step_re_run_a_message_and_cancel_through_the_forms() {
    let dir = TempDir::new("ui-actions");
    let server = start(&dir);
    let m = post_message(&server, "ui-flow-0001", r#"{"count": 1}"#);
    let run = server.runs_of(&m, 1)[0]["id"].as_str().unwrap().to_string();
    let done = server.finished_run(&run);
    assert_eq!(done["status"], "success", "{done}");
    assert_eq!(done["final_state"]["data"]["doubled"], 4);

    let page = get(&server, &format!("/runs/{run}")).text();
    assert!(page.contains("<option value=\"second\""), "{page}");
    let csrf = csrf_of(&page);
    // a form without its token is refused, even without sign-in
    let r = request(
        &server.addr,
        "POST",
        &format!("/runs/{run}/rerun-from"),
        &[("content-type", "application/x-www-form-urlencoded")],
        b"step=second",
    );
    assert_eq!(r.status, 403);
    let form = format!("step=second&csrf={csrf}");
    let r = request(
        &server.addr,
        "POST",
        &format!("/runs/{run}/rerun-from"),
        &[("content-type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let new = r
        .header("location")
        .unwrap()
        .trim_start_matches("/runs/")
        .to_string();
    let rerun = server.finished_run(&new);
    assert_eq!(rerun["status"], "success", "{rerun}");
    assert_eq!(rerun["start_step"], "second");
    assert_eq!(rerun["parent_run"], Value::String(run.clone()));
    // it started from the first step's cached output and did not run the first step again
    let first_output = &done["steps"][0]["output_state"];
    assert_eq!(&rerun["input_state"], first_output, "{rerun}");
    let logs = rerun["logs"].to_string();
    assert!(
        logs.contains("second ran on 2") && !logs.contains("first ran"),
        "{logs}"
    );
    assert_eq!(rerun["final_state"]["data"]["doubled"], 4);

    // re-run the message with a job
    let page = get(&server, &format!("/messages/{m}")).text();
    let form = format!("job=two-steps&csrf={}", csrf_of(&page));
    let r = request(
        &server.addr,
        "POST",
        &format!("/messages/{m}/rerun"),
        &[("content-type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let again = r
        .header("location")
        .unwrap()
        .trim_start_matches("/runs/")
        .to_string();
    let again = server.finished_run(&again);
    assert_eq!(again["status"], "success");
    assert!(again["logs"].to_string().contains("first ran"));

    // cancel a going run from its page
    let m = post_message(&server, "ui-slow-0001", "{}");
    let slow = server.runs_of(&m, 1)[0]["id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    let page = loop {
        let page = get(&server, &format!("/runs/{slow}")).text();
        if page.contains("id=\"cancel\"") && page.contains("tick") {
            break page;
        }
        assert!(Instant::now() < deadline, "{page}");
        std::thread::sleep(Duration::from_millis(50));
    };
    let form = format!("csrf={}", csrf_of(&page));
    let r = request(
        &server.addr,
        "POST",
        &format!("/runs/{slow}/cancel"),
        &[("content-type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    );
    assert_eq!(r.status, 303);
    let cancelled = server.finished_run(&slow);
    assert_eq!(cancelled["status"], "cancelled", "{cancelled}");
}

/// A hidden field's value in a page.
fn hidden(html: &str, name: &str) -> String {
    html.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("no hidden `{name}` in the page: {html}"))
        .to_string()
}

#[test]
fn a_previewed_filter_is_saved_into_the_project_file_without_javascript() {
    let dir = TempDir::new("ui-filter-save");
    let server = start(&dir);
    let file = dir.0.join("project.yaml");
    let before = std::fs::read_to_string(&file).unwrap();
    // a message of a new form matches no job yet
    let early = post_message(
        &server,
        "ui-kobo-0001",
        r#"{"form": "household_v2", "body": {"name": "Early"}}"#,
    );

    let page = get(
        &server,
        &format!("/filters?inclusion={}", q(r#"{"form": "household_v2"}"#)),
    )
    .text();
    assert!(page.contains("id=\"save-form\""), "{page}");
    assert!(page.contains("<option value=\"household\">"), "{page}");
    assert!(
        !page.contains("<option value=\"ticker\">"),
        "only message-triggered jobs: {page}"
    );
    let csrf = csrf_of(&page);
    let base = hidden(&page, "base");
    let save = |body: String| {
        request(
            &server.addr,
            "POST",
            "/filters/save",
            &[("content-type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        )
    };
    let inclusion = q(r#"{"form": "household_v2"}"#);
    // a stale page, a broken fragment, a job without a message trigger: refused, file kept
    let r = save(format!(
        "csrf={csrf}&base=0123&job=household&inclusion={inclusion}"
    ));
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("changed since this page was opened"));
    let r = save(format!(
        "csrf={csrf}&base={base}&job=household&inclusion=%7Bnope"
    ));
    assert_eq!(r.status, 400);
    assert!(r.text().contains("not JSON"), "{}", r.text());
    let r = save(format!(
        "csrf={csrf}&base={base}&job=ticker&inclusion={inclusion}"
    ));
    assert_eq!(r.status, 400);
    assert!(
        r.text().contains("not triggered by messages"),
        "{}",
        r.text()
    );
    let r = save(format!("base={base}&job=household&inclusion={inclusion}"));
    assert_eq!(r.status, 403, "no CSRF token");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);

    // saved: that one line changes, the next message of the new form runs the job
    let r = save(format!(
        "csrf={csrf}&base={base}&job=household&inclusion={inclusion}&exclusion="
    ));
    assert_eq!(r.status, 303, "{}", r.text());
    let location = r.header("location").unwrap().to_string();
    assert!(location.contains("saved=household"), "{location}");
    assert!(get(&server, &location)
        .text()
        .contains("Saved: job <strong>household</strong>"));
    let after = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        after,
        before.replace(
            "        inclusion: { form: household_survey }\n",
            "        inclusion: {\"form\":\"household_v2\"}\n"
        )
    );
    let m = post_message(
        &server,
        "ui-kobo-0001",
        r#"{"form": "household_v2", "body": {"name": "Ana"}}"#,
    );
    let run = server.runs_of(&m, 1)[0]["id"].as_str().unwrap().to_string();
    assert_eq!(server.finished_run(&run)["status"], "success");
    // the message that came before the filter stays without a run
    let early = get(&server, &format!("/api/v1/messages/{early}")).json();
    assert_eq!(early["runs"].as_array().map(Vec::len), Some(0), "{early}");
    // the list of the project's filters shows the new one
    let page = get(&server, "/filters").text();
    assert!(page.contains("household_v2"), "{page}");
}

#[test]
fn runs_page_through_the_api_and_the_ui_newest_first() {
    let dir = TempDir::new("ui-runs-paging");
    let server = start(&dir);
    let mut made = Vec::new();
    for name in ["A", "B", "C", "D", "E"] {
        let body = format!(r#"{{"form": "household_survey", "body": {{"name": "{name}"}}}}"#);
        let m = post_message(&server, "ui-kobo-0001", &body);
        made.push(server.runs_of(&m, 1)[0]["id"].as_str().unwrap().to_string());
    }
    made.reverse(); // newest first
                    // the API: pages of two, each following the previous page's cursor
    let mut seen = Vec::new();
    let mut path = "/api/v1/runs?limit=2".to_string();
    loop {
        let r = get(&server, &path);
        assert_eq!(r.status, 200, "{}", r.text());
        let page: Vec<String> = r
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_string())
            .collect();
        assert!(page.len() <= 2);
        seen.extend(page);
        match r.header("x-next-cursor") {
            Some(next) => path = format!("/api/v1/runs?limit=2&before={next}"),
            None => break,
        }
        assert!(seen.len() <= 6, "the cursor does not end: {seen:?}");
    }
    assert_eq!(seen, made);
    // the UI: an "Older runs" link from a full page
    let first = get(&server, "/runs?limit=2").text();
    assert!(
        first.contains(&made[0]) && first.contains(&made[1]),
        "{first}"
    );
    assert!(!first.contains(&made[2]), "{first}");
    let older = first
        .split("id=\"older\"")
        .next()
        .and_then(|s| s.rsplit("href=\"").next())
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("no link to older runs: {first}"))
        .replace("&amp;", "&");
    let second = get(&server, &format!("{older}&limit=2")).text();
    assert!(
        second.contains(&made[2]) && second.contains(&made[3]),
        "{second}"
    );
    assert!(!second.contains(&made[1]), "{second}");
}
