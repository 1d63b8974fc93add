//! Per-adaptor startup snapshots (`src/runtime/adaptor_snapshot.rs`): an installed adaptor's
//! module graph is evaluated once, in a snapshot; every run deserialises its own copy.

use std::path::Path;

use super::support::{final_state, fnhost, TempDir};

/// Writes `@openfn/language-<name>` 1.0.0 into `<repo>/node_modules/` the way `repo install`
/// lays it out.
fn install(repo: &Path, name: &str, index_js: &str) {
    let dir = repo.join(format!("node_modules/@openfn/language-{name}_1.0.0"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("package.json"),
        format!(r#"{{"name":"@openfn/language-{name}","version":"1.0.0","type":"module","main":"index.js"}}"#),
    )
    .unwrap();
    std::fs::write(dir.join("index.js"), index_js).unwrap();
}

const ADAPTOR: &str = "console.log('adaptor top level ran');\n\
let count = 0;\n\
const table = Array.from({ length: 1000 }, (_, i) => i * 2);\n\
export function execute(...ops) { return (s) => ops.reduce((p, op) => p.then(op), Promise.resolve(s)); }\n\
export function bump() { return (s) => ({ ...s, data: { ...s.data, count: ++count, last: table[999] } }); }\n";

fn run(dir: &TempDir, name: &str, extra: &[&str]) -> std::process::Output {
    let job = dir.write(
        "job.js",
        "bump();\nbump();\nfn(s => ({ ...s, data: { ...s.data, r: Math.random() } }));\n",
    );
    fnhost()
        .arg(&job)
        .arg("-a")
        .arg(format!("{name}@1.0.0"))
        .arg("--repo-dir")
        .arg(dir.0.join("repo"))
        .args(["--no-autoinstall", "-O"])
        .args(extra)
        .env("FNHOST_SNAPSHOT_DIR", dir.0.join("snapshots"))
        .output()
        .unwrap()
}

fn snapshots(dir: &TempDir) -> Vec<String> {
    std::fs::read_dir(dir.0.join("snapshots"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn runs_start_from_a_fresh_copy_of_the_adaptors_snapshot() {
    let dir = TempDir::new("snap");
    install(
        &dir.0.join("repo"),
        "snap",
        &format!("{ADAPTOR}export function fn(f) {{ return (s) => f(s); }}\n"),
    );
    let plain = run(&dir, "snap", &["--no-adaptor-snapshot"]);
    let plain_state = final_state(&plain);
    assert!(String::from_utf8_lossy(&plain.stdout).len() > 10);
    assert!(String::from_utf8_lossy(&plain.stderr).contains("adaptor top level ran"));
    assert!(snapshots(&dir).is_empty());

    let first = run(&dir, "snap", &[]);
    let second = run(&dir, "snap", &[]);
    let names: Vec<String> = snapshots(&dir)
        .into_iter()
        .filter(|n| n.ends_with(".bin"))
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].starts_with("language-snap_1.0.0-"), "{names:?}");
    for out in [&first, &second] {
        let state = final_state(out);
        // module-level state is the run's own: the counter starts from 0 every time
        assert_eq!(state["data"]["count"], 2);
        assert_eq!(state["data"]["last"], 1998);
        assert_eq!(state["data"]["count"], plain_state["data"]["count"]);
        // the adaptor's top level ran when the snapshot was made, not in the run
        assert!(!String::from_utf8_lossy(&out.stderr).contains("adaptor top level ran"));
    }
    // randomness is not frozen into the snapshot
    assert_ne!(
        final_state(&first)["data"]["r"],
        final_state(&second)["data"]["r"]
    );
}

#[test]
fn an_adaptor_that_draws_randomness_at_load_is_not_snapshotted() {
    let dir = TempDir::new("snap-random");
    install(
        &dir.0.join("repo"),
        "rnd",
        &format!("{ADAPTOR}export const seed = Math.random();\nexport function fn(f) {{ return (s) => f({{ ...s, seed }}); }}\n"),
    );
    let a = run(&dir, "rnd", &[]);
    let b = run(&dir, "rnd", &[]);
    let names = snapshots(&dir);
    assert!(
        !names.iter().any(|n| n.ends_with(".bin")),
        "no snapshot is kept: {names:?}"
    );
    // the refusal is remembered, so later runs do not try again
    assert!(names.iter().any(|n| n.ends_with(".refused")), "{names:?}");
    // loaded as usual: the top level runs in every run, each with its own seed
    assert!(String::from_utf8_lossy(&a.stderr).contains("adaptor top level ran"));
    assert_ne!(final_state(&a)["seed"], final_state(&b)["seed"]);
}

/// A cached snapshot that was cut short or damaged (a full disk, a stray write) is never handed
/// to V8, which would abort on it or run what it misreads: the run rebuilds it and succeeds.
#[test]
fn a_truncated_or_damaged_snapshot_is_rebuilt_not_deserialised() {
    let dir = TempDir::new("snap-damaged");
    install(
        &dir.0.join("repo"),
        "dmg",
        &format!("{ADAPTOR}export function fn(f) {{ return (s) => f(s); }}\n"),
    );
    let first = run(&dir, "dmg", &[]);
    assert_eq!(final_state(&first)["data"]["count"], 2);
    let bin = snapshots(&dir)
        .into_iter()
        .find(|n| n.ends_with(".bin"))
        .expect("a snapshot");
    let path = dir.0.join("snapshots").join(&bin);
    let whole = std::fs::read(&path).unwrap();

    let truncated = whole[..whole.len() / 2].to_vec();
    let mut flipped = whole.clone();
    let middle = flipped.len() / 3;
    flipped[middle] ^= 0x5a;
    let mut no_trailer = whole.clone();
    no_trailer.truncate(whole.len() - 16);
    for (what, bytes) in [
        ("truncated", truncated),
        ("one byte flipped", flipped),
        ("without its trailer", no_trailer),
        ("empty", Vec::new()),
    ] {
        std::fs::write(&path, &bytes).unwrap();
        let out = run(&dir, "dmg", &[]);
        assert!(
            out.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(final_state(&out)["data"]["count"], 2, "{what}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
        // the run started from a rebuilt snapshot (the top level ran in the build, not here),
        // written whole: it ends with its checked trailer again
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("adaptor top level ran"),
            "{what}"
        );
        let rebuilt = std::fs::read(&path).unwrap();
        assert!(rebuilt.len() > whole.len() / 2, "{what}");
        assert!(rebuilt.ends_with(b"fnS1"), "{what}");
    }
}
