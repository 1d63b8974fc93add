//! The history in a real browser: Debian's `chromium`, headless, driven through `chromedriver`
//! (W3C WebDriver over HTTP on 127.0.0.1, spoken here with the suite's own HTTP client). Sign
//! in by typing, post a Kobo message with `fnhost inbox post`, watch it appear, open its run,
//! read the log as it streams, see the states' diff, type a filter and see its preview, re-run
//! from a step, cancel a long run — clicks and keys, with a screenshot of each page saved under
//! the target dir (`$CARGO_TARGET_TMPDIR/ui-screenshots/`).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

use super::serve::{project, request, sqlite, Server};
use super::support::{fnhost, succeed, TempDir};

/// A chromedriver process; killed on drop.
struct Driver {
    child: Child,
    addr: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    fn start() -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("chromedriver cannot start ({e}): `apt-get install chromium chromium-driver` (.ci/run does)")
            });
        let addr = format!("127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(&addr).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver { child, addr }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let r = request(
            &self.addr,
            method,
            path,
            &[("content-type", "application/json")],
            body.as_bytes(),
        );
        let v: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        assert!(
            r.status < 400,
            "WebDriver {method} {path}: {} {v}",
            r.status
        );
        v["value"].clone()
    }
}

/// A browser session.
struct Browser {
    driver: Driver,
    session: String,
    base: String,
    shots: PathBuf,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    fn open(base: &str) -> Browser {
        let driver = Driver::start();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,900"]
            }
        }}});
        let v = driver.call("POST", "/session", Some(caps));
        let session = v["sessionId"].as_str().expect("a session").to_string();
        let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ui-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        Browser {
            driver,
            session,
            base: base.to_string(),
            shots,
        }
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.driver
            .call(method, &format!("/session/{}{path}", self.session), body)
    }

    fn goto(&self, path: &str) {
        self.cmd(
            "POST",
            "/url",
            Some(json!({"url": format!("{}{path}", self.base)})),
        );
    }

    fn url(&self) -> String {
        self.cmd("GET", "/url", None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    fn find(&self, css: &str) -> Option<String> {
        let r = request(
            &self.driver.addr,
            "POST",
            &format!("/session/{}/element", self.session),
            &[("content-type", "application/json")],
            json!({"using": "css selector", "value": css})
                .to_string()
                .as_bytes(),
        );
        if r.status != 200 {
            return None;
        }
        r.json()["value"][ELEMENT].as_str().map(str::to_string)
    }

    /// Waits up to 30 s for an element.
    fn wait_for(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(e) = self.find(css) {
                return e;
            }
            assert!(Instant::now() < deadline, "no `{css}` on {}", self.url());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn click(&self, css: &str) {
        let e = self.wait_for(css);
        self.cmd("POST", &format!("/element/{e}/click"), Some(json!({})));
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.wait_for(css);
        self.cmd("POST", &format!("/element/{e}/clear"), Some(json!({})));
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({"text": text})),
        );
    }

    /// The element's text, or "" when there is none (or the page was replaced between
    /// finding it and reading it: a stale element).
    fn text(&self, css: &str) -> String {
        let Some(e) = self.find(css) else {
            return String::new();
        };
        let r = request(
            &self.driver.addr,
            "GET",
            &format!("/session/{}/element/{e}/text", self.session),
            &[],
            b"",
        );
        if r.status != 200 {
            return String::new();
        }
        r.json()["value"].as_str().unwrap_or("").to_string()
    }

    /// Waits (reloading when asked) until `css`'s text satisfies `ok`.
    fn until(&self, css: &str, reload: bool, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(45);
        loop {
            let t = self.text(css);
            if ok(&t) {
                return t;
            }
            assert!(
                Instant::now() < deadline,
                "`{css}` never matched on {}: {t}",
                self.url()
            );
            if reload {
                self.cmd("POST", "/refresh", Some(json!({})));
            }
            std::thread::sleep(Duration::from_millis(if reload { 300 } else { 50 }));
        }
    }

    /// Waits until the run page shows `status` as the server rendered it after the run ended
    /// (not only as the live log's end event set it: the page reloads itself after that).
    fn until_run_ends(&self, status: &str) {
        self.until("#status", true, |t| t == status);
        self.wait_for("#log[data-running='false']");
    }

    /// Runs `body` (a function body) in the page and gives back what it returns, as text.
    fn script(&self, body: &str) -> String {
        let v = self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": body, "args": []})),
        );
        v.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string())
    }

    /// Sends keys (WebDriver key codes allowed) to an element without clearing it first.
    fn keys(&self, css: &str, text: &str) {
        let e = self.wait_for(css);
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({"text": text})),
        );
    }

    fn screenshot(&self, name: &str) {
        let png = self.cmd("GET", "/screenshot", None);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        assert!(bytes.starts_with(b"\x89PNG"));
        std::fs::write(self.shots.join(format!("{name}.png")), bytes).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = request(
            &self.driver.addr,
            "DELETE",
            &format!("/session/{}", self.session),
            &[],
            b"",
        );
    }
}

const EXTRA_JOBS: &str = r#"
  - name: long-ticker
    adaptor: "{COMMON}"
    expression: |
      fn(state => new Promise(resolve => { let n = 0; const t = setInterval(() => { console.log('tick', n); n += 1; if (n === 16) { clearInterval(t); resolve(state); } }, 250); }));
    trigger: { webhook: { inbox: long } }
  - name: spin
    adaptor: "{COMMON}"
    expression: |
      fn(state => { console.log('spinning'); while (true) {} });
    trigger: { webhook: { inbox: spin } }
"#;

fn inbox_post(base: &str, key: &str, file: &std::path::Path) -> String {
    succeed(
        fnhost()
            .args(["inbox", "post", &format!("{base}/inbox/{key}")])
            .arg(file),
    )
    .lines()
    .find_map(|l| l.strip_prefix("message "))
    .expect("a message id")
    .trim()
    .to_string()
}

#[test]
fn an_editor_works_the_history_in_chromium() {
    let dir = TempDir::new("ui-browser");
    let database = sqlite(&dir);
    dir.write("wf/workflow.json", super::ui::WORKFLOW);
    let yaml = super::ui::YAML.replace(
        "inboxes:\n",
        "inboxes:\n  - name: long\n    key: ui-long-0001\n  - name: spin\n    key: ui-spin-0001\n",
    ) + EXTRA_JOBS;
    super::ui_security::users_add(&database, "eddie", "editor", "editor-password-1");
    let project_file = project(&dir, &yaml);
    std::fs::copy(&project_file, dir.0.join("project.yaml.before")).unwrap();
    let server = Server::launch(&project_file, &database, &[], &[]);
    let base = format!("http://{}", server.addr);
    let browser = Browser::open(&base);

    // sign in by typing
    browser.goto("/");
    assert!(browser.url().contains("/login"), "{}", browser.url());
    // keyboard only: the name, Tab to the password, Enter submits
    browser.type_into("#username", "eddie\u{E004}editor-password-1");
    browser.screenshot("00-sign-in");
    let focused = browser.script("return document.activeElement.id");
    assert_eq!(
        focused, "password",
        "Tab moves from the name to the password"
    );
    browser.keys("#password", "\u{E007}");
    browser.until("h1", false, |t| t == "Inboxes");
    assert!(browser.text("main").contains("/inbox/ui-kobo-0001"));
    browser.screenshot("01-inboxes");

    // a Kobo submission posted with `fnhost inbox post` appears in the list
    browser.goto("/messages");
    let kobo = dir.write(
        "kobo.json",
        r#"{"form": "household_survey", "body": {"_uuid": "5c1d", "name": "Jane", "group1/household_size": "5"}}"#,
    );
    let id = inbox_post(&base, "ui-kobo-0001", &kobo);
    browser.until("#messages", true, |t| t.contains("household_survey"));
    browser.screenshot("02-messages");
    // open it, then its run: the log, the states and their diff
    browser.click(&format!("a[href='/messages/{id}']"));
    browser.until("#body", false, |t| t.contains("Jane"));
    browser.screenshot("03-message");
    browser.click("#runs a");
    browser.until_run_ends("success");
    assert!(browser.text("#log").contains("household of Jane"));
    assert!(browser.text("#output").contains("\"members\": 5"));
    assert!(browser.text("#diff").contains("data.members"));
    browser.screenshot("04-run");
    browser.script("document.getElementById('diff').scrollIntoView(); return ''");
    browser.screenshot("04-run-diff");
    // on a phone's width the run page (long JSON, a log) needs no sideways scrolling
    browser.cmd(
        "POST",
        "/window/rect",
        Some(json!({"width": 390, "height": 844})),
    );
    let fits = browser
        .script("return String(document.documentElement.scrollWidth <= window.innerWidth + 1)");
    browser.screenshot("04-run-phone");
    assert_eq!(fits, "true", "the run page scrolls sideways on a phone");
    browser.cmd(
        "POST",
        "/window/rect",
        Some(json!({"width": 1200, "height": 900})),
    );

    // the log streams into the page while the run goes
    let empty = dir.write("empty.json", "{}");
    let id = inbox_post(&base, "ui-long-0001", &empty);
    browser.goto(&format!("/messages/{id}"));
    browser.click("#runs a");
    let mut saw_live = false;
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let status = browser.text("#status");
        let log = browser.text("#log");
        if (status == "started" || status == "queued") && log.contains("tick 3") {
            saw_live = true;
            browser.screenshot("05-live-log");
            break;
        }
        if status == "success" {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(saw_live, "the log did not grow while the run went");
    browser.until_run_ends("success");
    browser.until("#log", false, |t| t.contains("tick 15"));

    // a filter typed into the editor previews its matches without submitting
    browser.goto("/filters");
    browser.type_into("#inclusion", r#"{"form": "household_survey"}"#);
    let summary = browser.until("#summary", false, |t| t.contains("match"));
    assert!(summary.starts_with("1 of the"), "{summary}");
    browser.screenshot("06-filter-preview");

    // save a new filter as the household job's: the project file changes in that one value,
    // and the next message of the new form runs the job
    browser.type_into("#inclusion", r#"{"form": "household_v2"}"#);
    browser.until("#summary", false, |t| t.starts_with("0 of the"));
    browser.click("#save-job option[value='household']");
    browser.click("#save");
    browser.until("#saved", false, |t| t.contains("household"));
    browser.screenshot("06-filter-saved");
    let written = std::fs::read_to_string(&project_file).unwrap();
    assert!(
        written.contains("        inclusion: {\"form\":\"household_v2\"}\n"),
        "{written}"
    );
    assert_eq!(
        written.replace("        inclusion: {\"form\":\"household_v2\"}\n", ""),
        std::fs::read_to_string(dir.0.join("project.yaml.before"))
            .unwrap()
            .replace("        inclusion: { form: household_survey }\n", ""),
        "only the filter's line changed"
    );
    let v2 = dir.write(
        "kobo-v2.json",
        r#"{"form": "household_v2", "body": {"name": "Ana"}}"#,
    );
    let id = inbox_post(&base, "ui-kobo-0001", &v2);
    browser.goto(&format!("/messages/{id}"));
    browser.click("#runs a");
    browser.until_run_ends("success");
    assert!(browser.text("#log").contains("household of Ana"));

    // re-run a workflow from its second step with the first step's cached output
    let flow = dir.write("flow.json", r#"{"count": 1}"#);
    let id = inbox_post(&base, "ui-flow-0001", &flow);
    browser.goto(&format!("/messages/{id}"));
    browser.click("#runs a");
    browser.until_run_ends("success");
    browser.click("#step option[value='second']");
    let first_run = browser.url();
    browser.click("#rerun-from");
    // the form answers with the new run's page
    let deadline = Instant::now() + Duration::from_secs(30);
    while browser.url() == first_run {
        assert!(Instant::now() < deadline, "re-run never left {first_run}");
        std::thread::sleep(Duration::from_millis(50));
    }
    browser.until_run_ends("success");
    let log = browser.text("#log");
    assert!(
        log.contains("second ran on 2") && !log.contains("first ran"),
        "{log}"
    );
    assert!(browser.text("main").contains("Started at step"));
    browser.screenshot("07-rerun-from-step");

    // cancel a run that never ends
    let id = inbox_post(&base, "ui-spin-0001", &empty);
    browser.goto(&format!("/messages/{id}"));
    browser.click("#runs a");
    browser.until("#log", true, |t| t.contains("spinning"));
    browser.click("#cancel");
    browser.until_run_ends("cancelled");
    assert!(browser.text("#log").contains("spinning"));
    browser.screenshot("08-cancelled");
    eprintln!("screenshots: {}", browser.shots.display());
}
