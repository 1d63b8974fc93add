//! `fnhost repo …` and autoinstall against a registry stand-in on 127.0.0.1: a small HTTP
//! server in a thread serving package documents and tarballs built here with tar + flate2.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

/// A temporary directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "fnhost-repo-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[derive(Default)]
struct State {
    /// Package name → package document.
    packuments: HashMap<String, Value>,
    /// Request path → body.
    files: HashMap<String, Vec<u8>>,
    /// Request path → how many more times to answer 500.
    failures: HashMap<String, usize>,
    /// Request path → requests seen.
    hits: HashMap<String, usize>,
    /// Delay before answering a tarball request.
    tarball_delay: Duration,
}

/// The registry stand-in.
struct Registry {
    url: String,
    state: Arc<Mutex<State>>,
}

impl Registry {
    fn start() -> Registry {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let state = shared.clone();
                std::thread::spawn(move || serve(stream, &state));
            }
        });
        Registry { url, state }
    }

    /// Publishes `name@version` with `deps` and files; returns the tarball bytes.
    fn publish(
        &self,
        name: &str,
        version: &str,
        deps: &[(&str, &str)],
        files: &[(&str, &str)],
    ) -> Vec<u8> {
        self.publish_with(
            name,
            version,
            json!({ "dependencies": deps_json(deps) }),
            files,
            |_| {},
        )
    }

    /// Publishes with extra manifest fields and a hook to change the registry's version entry.
    fn publish_with(
        &self,
        name: &str,
        version: &str,
        extra: Value,
        files: &[(&str, &str)],
        edit: impl FnOnce(&mut Value),
    ) -> Vec<u8> {
        let mut manifest = json!({ "name": name, "version": version, "main": "index.js" });
        for (k, v) in extra.as_object().unwrap() {
            manifest[k] = v.clone();
        }
        let mut entries: Vec<(String, Vec<u8>)> = vec![(
            "package/package.json".into(),
            manifest.to_string().into_bytes(),
        )];
        for (path, body) in files {
            entries.push((format!("package/{path}"), body.as_bytes().to_vec()));
        }
        let data = tgz(&entries);
        self.add_version(name, version, manifest, data.clone(), edit);
        data
    }

    fn add_version(
        &self,
        name: &str,
        version: &str,
        manifest: Value,
        data: Vec<u8>,
        edit: impl FnOnce(&mut Value),
    ) {
        let path = format!("tarballs/{}-{version}.tgz", name.replace('/', "-"));
        let integrity = ssri::IntegrityOpts::new()
            .algorithm(ssri::Algorithm::Sha512)
            .chain(&data)
            .result();
        let mut entry = manifest;
        entry["dist"] =
            json!({ "tarball": format!("{}{path}", self.url), "integrity": integrity.to_string() });
        edit(&mut entry);
        let mut state = self.state.lock().unwrap();
        state.files.insert(format!("/{path}"), data);
        let doc = state
            .packuments
            .entry(name.to_string())
            .or_insert_with(|| json!({ "name": name, "dist-tags": {}, "versions": {} }));
        doc["versions"][version] = entry;
        let latest = doc["dist-tags"]["latest"].as_str().map(str::to_string);
        if latest.is_none() || !version.contains('-') {
            doc["dist-tags"]["latest"] = json!(version);
        }
    }

    fn set_tag(&self, name: &str, tag: &str, version: &str) {
        self.state.lock().unwrap().packuments.get_mut(name).unwrap()["dist-tags"][tag] =
            json!(version);
    }

    fn fail_next(&self, path: &str, times: usize) {
        self.state
            .lock()
            .unwrap()
            .failures
            .insert(path.to_string(), times);
    }

    fn hits(&self, path: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .hits
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    fn total_hits(&self) -> usize {
        self.state.lock().unwrap().hits.values().sum()
    }
}

fn deps_json(deps: &[(&str, &str)]) -> Value {
    Value::Object(
        deps.iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect(),
    )
}

fn serve(mut stream: TcpStream, state: &Mutex<State>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                break;
            }
        }
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("/")
            .to_string();
        let (status, body, delay) = {
            let mut s = state.lock().unwrap();
            *s.hits.entry(path.clone()).or_default() += 1;
            let delay = if path.starts_with("/tarballs/") {
                s.tarball_delay
            } else {
                Duration::ZERO
            };
            if let Some(n) = s.failures.get_mut(&path).filter(|n| **n > 0) {
                *n -= 1;
                ("500 Internal Server Error", b"oops".to_vec(), delay)
            } else if let Some(file) = s.files.get(&path) {
                ("200 OK", file.clone(), delay)
            } else {
                let name = path
                    .trim_start_matches('/')
                    .replace("%2f", "/")
                    .replace("%2F", "/");
                match s.packuments.get(&name) {
                    Some(doc) => ("200 OK", doc.to_string().into_bytes(), delay),
                    None => (
                        "404 Not Found",
                        b"{\"error\":\"Not found\"}".to_vec(),
                        delay,
                    ),
                }
            }
        };
        std::thread::sleep(delay);
        let head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\n\r\n", body.len());
        if stream.write_all(head.as_bytes()).is_err() || stream.write_all(&body).is_err() {
            return;
        }
    }
}

/// A gzipped tarball with the given raw entry names (written without path checks).
fn tgz(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (path, data) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
        header.set_cksum();
        builder.append(&header, data.as_slice()).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

/// One test's repo, cache and registry.
struct Env {
    dir: TempDir,
    registry: Registry,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: TempDir::new(),
            registry: Registry::start(),
        }
    }

    fn repo(&self) -> PathBuf {
        self.dir.0.join("repo")
    }

    fn cache(&self) -> PathBuf {
        self.dir.0.join("cache")
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_fnhost"));
        cmd.env_remove("FNHOST_REPO_DIR")
            .env_remove("npm_config_registry")
            .env_remove("NPM_CONFIG_REGISTRY")
            .env("HOME", &self.dir.0)
            .env("TZ", "UTC")
            .env("FNHOST_REGISTRY", &self.registry.url)
            .env("FNHOST_CACHE_DIR", self.cache())
            .env("FNHOST_RETRY_BACKOFF_MS", "20")
            .arg("execute")
            .arg("--repo-dir")
            .arg(self.repo())
            .current_dir(&self.dir.0);
        cmd
    }

    fn repo_cmd(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_fnhost"));
        cmd.env_remove("FNHOST_REPO_DIR")
            .env_remove("npm_config_registry")
            .env("HOME", &self.dir.0)
            .env("FNHOST_REGISTRY", &self.registry.url)
            .env("FNHOST_CACHE_DIR", self.cache())
            .env("FNHOST_RETRY_BACKOFF_MS", "20")
            .current_dir(&self.dir.0)
            .arg("repo")
            .args(args)
            .arg("--repo-dir")
            .arg(self.repo());
        cmd.output().unwrap()
    }

    fn job(&self, source: &str) -> PathBuf {
        let path = self.dir.0.join("job.js");
        std::fs::write(&path, source).unwrap();
        path
    }

    fn adaptor_dir(&self, name: &str, version: &str) -> PathBuf {
        self.repo()
            .join("node_modules")
            .join(format!("{name}_{version}"))
    }
}

fn ok(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {}\nstderr: {stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn failed(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {}\nstderr: {stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    stderr
}

fn version_of(dir: &Path) -> String {
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).unwrap()).unwrap();
    json["version"].as_str().unwrap().to_string()
}

/// An ES adaptor whose `versions` operation records its own version and its dependency's.
fn publish_adaptor(registry: &Registry, version: &str, deps: &[(&str, &str)]) {
    let index = format!(
        "import dep from 'dep';\nexport const versions = () => state => ({{ ...state, data: {{ adaptor: '{version}', dep: dep() }} }});\n"
    );
    registry.publish_with(
        "@openfn/language-fixture",
        version,
        json!({ "type": "module", "dependencies": deps_json(deps) }),
        &[("index.js", &index)],
        |_| {},
    );
}

fn publish_dep(registry: &Registry, version: &str) {
    let index = format!("module.exports = function () {{ return '{version}'; }};\n");
    registry.publish("dep", version, &[], &[("index.js", &index)]);
}

#[test]
fn install_resolves_ranges_tags_and_nests_conflicts() {
    let env = Env::new();
    let r = &env.registry;
    for v in ["1.2.0", "1.10.0", "1.9.9"] {
        r.publish("b", v, &[], &[]);
    }
    r.publish("b", "2.0.0", &[], &[]);
    r.publish("b", "2.1.0-beta.1", &[], &[]);
    r.set_tag("b", "next", "2.1.0-beta.1");
    r.publish("c", "2.0.1", &[("b", "^2")], &[]);
    r.publish("c", "2.0.5-rc.1", &[], &[]);
    r.publish("c", "2.1.0", &[], &[]);
    r.publish("d", "1.0.0", &[("b", "next")], &[]);
    r.publish("e", "3.0.0", &[("b", "^1.2.0")], &[]);
    r.publish(
        "@openfn/language-tree",
        "1.0.0",
        &[("b", "^1.2.0"), ("c", "~2.0.0"), ("d", "*"), ("e", "3")],
        &[],
    );
    let out = ok(&env.repo_cmd(&["install", "tree@1.0.0"]));
    assert!(
        out.contains("Installed @openfn/language-tree@1.0.0"),
        "{out}"
    );
    let root = env.adaptor_dir("@openfn/language-tree", "1.0.0");
    let nm = root.join("node_modules");
    // Highest matching by semver (1.10.0 > 1.9.9), hoisted; e shares it.
    assert_eq!(version_of(&nm.join("b")), "1.10.0");
    assert!(!nm.join("e/node_modules/b").exists());
    // ~2.0.0 excludes 2.1.0 and the prerelease.
    assert_eq!(version_of(&nm.join("c")), "2.0.1");
    // c needs b@^2, which conflicts with the hoisted b: nested under c.
    assert_eq!(version_of(&nm.join("c/node_modules/b")), "2.0.0");
    // A dist-tag spec gets the tagged prerelease.
    assert_eq!(version_of(&nm.join("d/node_modules/b")), "2.1.0-beta.1");
    assert_eq!(version_of(&nm.join("e")), "3.0.0");
    assert_eq!(
        ok(&env.repo_cmd(&["list"])).trim(),
        "@openfn/language-tree@1.0.0"
    );
    assert_eq!(
        ok(&env.repo_cmd(&["pwd"])).trim(),
        env.repo().display().to_string()
    );
    // A range and `latest` resolve through the registry too.
    r.publish("@openfn/language-tree", "1.1.0", &[], &[]);
    ok(&env.repo_cmd(&["install", "@openfn/language-tree@^1", "tree@latest"]));
    assert_eq!(
        ok(&env.repo_cmd(&["list"])),
        "@openfn/language-tree@1.0.0\n@openfn/language-tree@1.1.0\n"
    );
    ok(&env.repo_cmd(&["clean"]));
    assert_eq!(ok(&env.repo_cmd(&["list"])), "");
}

#[test]
fn errors_are_clear() {
    let env = Env::new();
    env.registry
        .publish("@openfn/language-small", "1.0.0", &[], &[]);
    let err = failed(&env.repo_cmd(&["install", "nosuch"]));
    assert!(
        err.contains("@openfn/language-nosuch was not found in the registry"),
        "{err}"
    );
    let err = failed(&env.repo_cmd(&["install", "small@^2"]));
    assert!(
        err.contains("no version of @openfn/language-small matches ^2"),
        "{err}"
    );
    let err = failed(&env.repo_cmd(&[
        "install",
        "small@1.0.0",
        "--registry",
        "http://127.0.0.1:1/",
    ]));
    assert!(err.contains("network error"), "{err}");
}

#[test]
fn job_autoinstalls_then_reuses_highest_installed_offline() {
    let env = Env::new();
    publish_dep(&env.registry, "1.0.0");
    publish_dep(&env.registry, "2.0.0");
    publish_adaptor(&env.registry, "1.9.0", &[("dep", "^1")]);
    publish_adaptor(&env.registry, "1.10.0", &[("dep", "^2")]);
    let job = env.job("versions();\n");
    // Without autoinstall a missing adaptor is an error.
    let err = failed(
        &env.cmd()
            .arg(&job)
            .args(["-a", "fixture", "-O", "--no-autoinstall"])
            .output()
            .unwrap(),
    );
    assert!(err.contains("is not installed"), "{err}");
    // Autoinstall of a pinned version; its dependency is found by Node resolution.
    let out = ok(&env
        .cmd()
        .arg(&job)
        .args(["-a", "fixture@1.9.0", "-O"])
        .output()
        .unwrap());
    let state: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(state["data"], json!({ "adaptor": "1.9.0", "dep": "1.0.0" }));
    ok(&env.repo_cmd(&["install", "fixture@1.10.0"]));
    // Version-less: the highest installed by semver (1.10.0 > 1.9.0), with no registry at all.
    let hits = env.registry.total_hits();
    let out = ok(&env
        .cmd()
        .arg(&job)
        .args(["-a", "fixture", "-O", "--registry", "http://127.0.0.1:1/"])
        .output()
        .unwrap());
    let state: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        state["data"],
        json!({ "adaptor": "1.10.0", "dep": "2.0.0" })
    );
    let out = ok(&env
        .cmd()
        .arg(&job)
        .args(["-a", "fixture@~1.9", "-O"])
        .output()
        .unwrap());
    let state: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(state["data"]["adaptor"], "1.9.0");
    assert_eq!(
        env.registry.total_hits(),
        hits,
        "an installed adaptor must not touch the registry"
    );
}

#[test]
fn installing_twice_makes_no_request() {
    let env = Env::new();
    env.registry
        .publish("@openfn/language-small", "1.0.0", &[], &[]);
    ok(&env.repo_cmd(&["install", "small@1.0.0"]));
    let hits = env.registry.total_hits();
    let out = ok(&env.repo_cmd(&["install", "small@1.0.0"]));
    assert!(out.contains("already installed"), "{out}");
    assert_eq!(env.registry.total_hits(), hits);
}

#[test]
fn integrity_mismatch_is_refused_and_leaves_nothing() {
    let env = Env::new();
    env.registry.publish("ok-dep", "1.0.0", &[], &[]);
    env.registry.publish_with(
        "@openfn/language-bad",
        "1.0.0",
        json!({ "dependencies": { "ok-dep": "1" } }),
        &[("index.js", "x")],
        |entry| {
            let other = ssri::IntegrityOpts::new()
                .algorithm(ssri::Algorithm::Sha512)
                .chain(b"something else")
                .result();
            entry["dist"]["integrity"] = json!(other.to_string());
        },
    );
    let err = failed(&env.repo_cmd(&["install", "bad@1.0.0"]));
    assert!(
        err.contains("integrity check failed for @openfn/language-bad@1.0.0"),
        "{err}"
    );
    assert!(!env.adaptor_dir("@openfn/language-bad", "1.0.0").exists());
    assert_eq!(
        std::fs::read_dir(env.repo().join(".staging"))
            .map(|d| d.count())
            .unwrap_or(0),
        0
    );
    assert_eq!(ok(&env.repo_cmd(&["list"])), "");
    // The bad bytes were not cached; the good dependency's were.
    let cached: usize = walk(&env.cache()).len();
    assert!(cached <= 1, "{cached} files in the cache");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.path().is_dir() {
            out.extend(walk(&entry.path()));
        } else {
            out.push(entry.path());
        }
    }
    out
}

#[test]
fn tarball_with_parent_paths_is_refused() {
    let env = Env::new();
    let manifest = json!({ "name": "@openfn/language-evil", "version": "1.0.0" });
    let data = tgz(&[
        (
            "package/package.json".into(),
            manifest.to_string().into_bytes(),
        ),
        ("package/../../../escaped.js".into(), b"pwned".to_vec()),
    ]);
    env.registry
        .add_version("@openfn/language-evil", "1.0.0", manifest, data, |_| {});
    let err = failed(&env.repo_cmd(&["install", "evil@1.0.0"]));
    assert!(
        err.contains("refusing the tarball of @openfn/language-evil@1.0.0"),
        "{err}"
    );
    assert!(walk(&env.dir.0).iter().all(|p| !p.ends_with("escaped.js")));
    assert!(!env.adaptor_dir("@openfn/language-evil", "1.0.0").exists());
    assert_eq!(
        std::fs::read_dir(env.repo().join(".staging"))
            .map(|d| d.count())
            .unwrap_or(0),
        0
    );
}

#[test]
fn concurrent_installs_of_one_package_both_succeed() {
    let env = Env::new();
    for i in 0..5 {
        env.registry.publish(
            &format!("dep{i}"),
            "1.0.0",
            &[],
            &[("index.js", "module.exports = 1;")],
        );
    }
    let deps: Vec<(String, String)> = (0..5)
        .map(|i| (format!("dep{i}"), "^1".to_string()))
        .collect();
    let deps: Vec<(&str, &str)> = deps.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    env.registry
        .publish("@openfn/language-busy", "1.0.0", &deps, &[]);
    env.registry.state.lock().unwrap().tarball_delay = Duration::from_millis(150);
    let spawn = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_fnhost"));
        cmd.env("HOME", &env.dir.0)
            .env("FNHOST_REGISTRY", &env.registry.url)
            .env("FNHOST_CACHE_DIR", env.cache())
            .args(["repo", "install", "busy@^1", "--repo-dir"])
            .arg(env.repo())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        cmd.spawn().unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let (out_a, out_b) = (ok(&a), ok(&b));
    let outputs = format!("{out_a}{out_b}");
    assert_eq!(
        outputs
            .matches("Installed @openfn/language-busy@1.0.0")
            .count(),
        1,
        "{outputs}"
    );
    assert_eq!(outputs.matches("already installed").count(), 1, "{outputs}");
    let dir = env.adaptor_dir("@openfn/language-busy", "1.0.0");
    for i in 0..5 {
        assert!(dir.join(format!("node_modules/dep{i}/index.js")).exists());
    }
    assert_eq!(
        ok(&env.repo_cmd(&["list"])),
        "@openfn/language-busy@1.0.0\n"
    );
}

#[test]
fn registry_500_then_200_is_retried() {
    let env = Env::new();
    let data = env
        .registry
        .publish("@openfn/language-flaky", "1.0.0", &[], &[("index.js", "1")]);
    assert!(!data.is_empty());
    env.registry.fail_next("/@openfn%2flanguage-flaky", 2);
    env.registry
        .fail_next("/tarballs/@openfn-language-flaky-1.0.0.tgz", 1);
    ok(&env.repo_cmd(&["install", "flaky"]));
    assert_eq!(env.registry.hits("/@openfn%2flanguage-flaky"), 3);
    assert_eq!(
        env.registry
            .hits("/tarballs/@openfn-language-flaky-1.0.0.tgz"),
        2
    );
    assert!(env
        .adaptor_dir("@openfn/language-flaky", "1.0.0")
        .join("index.js")
        .exists());
    // A registry that keeps failing gives up with a clear error.
    env.registry
        .publish("@openfn/language-down", "1.0.0", &[], &[]);
    env.registry.fail_next("/@openfn%2flanguage-down", 100);
    let err = failed(&env.repo_cmd(&["install", "down"]));
    assert!(err.contains("HTTP 500"), "{err}");
}

#[test]
fn npmrc_registry_is_used() {
    let env = Env::new();
    env.registry
        .publish("@openfn/language-small", "1.0.0", &[], &[]);
    std::fs::write(
        env.dir.0.join(".npmrc"),
        format!("registry={}\n", env.registry.url),
    )
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fnhost"));
    let out = cmd
        .env_remove("FNHOST_REGISTRY")
        .env_remove("npm_config_registry")
        .env("HOME", &env.dir.0)
        .env("FNHOST_CACHE_DIR", env.cache())
        .current_dir(&env.dir.0)
        .args(["repo", "install", "small@1.0.0", "--repo-dir"])
        .arg(env.repo())
        .output()
        .unwrap();
    ok(&out);
    assert!(env.registry.total_hits() >= 2);
}

#[test]
fn peers_optionals_and_cycles_follow_npm() {
    let env = Env::new();
    let r = &env.registry;
    // A plugin with a peer: the peer goes next to the plugin (its parent's node_modules).
    r.publish("host-lib", "1.0.0", &[], &[]);
    r.publish("host-lib", "2.0.0", &[], &[]);
    r.publish_with(
        "plugin",
        "1.0.0",
        json!({ "peerDependencies": { "host-lib": "^1", "opt-peer": "*" },
                "peerDependenciesMeta": { "opt-peer": { "optional": true } } }),
        &[],
        |_| {},
    );
    r.publish("opt-peer", "1.0.0", &[], &[]);
    // Optional dependencies that cannot be installed are skipped, not errors.
    r.publish_with(
        "wrong-os",
        "1.0.0",
        json!({ "os": ["aix-only-os"] }),
        &[],
        |e| {
            e["os"] = json!(["aix-only-os"]);
        },
    );
    r.publish("ok-optional", "1.0.0", &[], &[]);
    // A cycle: a → b → a.
    r.publish("cyc-a", "1.0.0", &[("cyc-b", "^1")], &[]);
    r.publish("cyc-b", "1.0.0", &[("cyc-a", "^1")], &[]);
    r.publish_with(
        "@openfn/language-mix",
        "1.0.0",
        json!({
            "dependencies": { "plugin": "^1", "cyc-a": "^1" },
            "optionalDependencies": { "wrong-os": "^1", "missing-pkg": "^1", "ok-optional": "^1" }
        }),
        &[],
        |_| {},
    );
    ok(&env.repo_cmd(&["install", "mix@1.0.0"]));
    let nm = env
        .adaptor_dir("@openfn/language-mix", "1.0.0")
        .join("node_modules");
    assert_eq!(version_of(&nm.join("host-lib")), "1.0.0");
    assert!(!nm.join("plugin/node_modules/host-lib").exists());
    assert!(
        !nm.join("opt-peer").exists(),
        "optional peers are not installed"
    );
    assert!(!nm.join("wrong-os").exists());
    assert!(!nm.join("missing-pkg").exists());
    assert_eq!(version_of(&nm.join("ok-optional")), "1.0.0");
    assert_eq!(version_of(&nm.join("cyc-a")), "1.0.0");
    assert_eq!(version_of(&nm.join("cyc-b")), "1.0.0");
    assert!(!nm.join("cyc-b/node_modules").exists());
    // A required dependency that does not exist is an error naming who needs it.
    r.publish(
        "@openfn/language-broken",
        "1.0.0",
        &[("missing-pkg", "^1")],
        &[],
    );
    let err = failed(&env.repo_cmd(&["install", "broken@1.0.0"]));
    assert!(
        err.contains("missing-pkg was not found")
            && err.contains("required by @openfn/language-broken@1.0.0"),
        "{err}"
    );
}

/// `name@version` at each path below `node_modules` (recursively), skipping `skip`.
fn package_paths(modules: &Path, skip: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(modules).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('@') {
            dirs.extend(
                std::fs::read_dir(entry.path())
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(|e| e.path()),
            );
        } else if !name.starts_with('.') {
            dirs.push(entry.path());
        }
    }
    for dir in dirs {
        let Ok(text) = std::fs::read_to_string(dir.join("package.json")) else {
            continue;
        };
        let json: Value = serde_json::from_str(&text).unwrap_or_default();
        let rel = dir.strip_prefix(modules).unwrap().display().to_string();
        if rel == skip {
            continue;
        }
        out.push(format!(
            "{rel} {}@{}",
            json["name"].as_str().unwrap_or(""),
            json["version"].as_str().unwrap_or("")
        ));
        out.extend(
            package_paths(&dir.join("node_modules"), "")
                .into_iter()
                .map(|p| format!("{rel}/node_modules/{p}")),
        );
    }
    out.sort();
    out
}

/// By hand, with the real registry and npm: `cargo test --test it real_registry -- --ignored`.
#[test]
#[ignore = "uses the real npm registry and npm"]
fn real_registry_http_matches_npm() {
    let dir = TempDir::new();
    let out = Command::new(env!("CARGO_BIN_EXE_fnhost"))
        .env("FNHOST_CACHE_DIR", dir.0.join("cache"))
        .args(["repo", "install", "http@7.2.10", "--repo-dir"])
        .arg(dir.0.join("repo"))
        .output()
        .unwrap();
    ok(&out);
    let npm_dir = dir.0.join("npm");
    std::fs::create_dir_all(&npm_dir).unwrap();
    let npm = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "@openfn/language-http@7.2.10",
        ])
        .current_dir(&npm_dir)
        .output()
        .expect("npm");
    assert!(
        npm.status.success(),
        "{}",
        String::from_utf8_lossy(&npm.stderr)
    );
    let ours = package_paths(
        &dir.0
            .join("repo/node_modules/@openfn/language-http_7.2.10/node_modules"),
        "",
    );
    let theirs = package_paths(&npm_dir.join("node_modules"), "@openfn/language-http");
    assert_eq!(ours, theirs);
}
