//! Runs every recorded case and compares exit code and output file with OpenFn's.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::support::copy_dir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies the fixture packages into `<tmp>/node_modules/<name>`, where the OpenFn CLI run that
/// recorded the cases found them (stack frames under node_modules mark adaptor code).
fn stage_fixtures(tmp: &Path) -> PathBuf {
    let staged = tmp.join("node_modules");
    for entry in std::fs::read_dir(root().join("tests/fixtures"))
        .unwrap()
        .flatten()
    {
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &staged.join(entry.file_name()));
        }
    }
    staged
}

fn read_opt(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

struct Outcome {
    name: String,
    problems: Vec<String>,
}

fn run_case(dir: &Path, staged: &Path, tmp: &Path) -> Outcome {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let raw = dir.join("raw-fixture-path").exists();
    let spec = |adaptor: &str| {
        let base = if raw {
            root().join("tests/fixtures")
        } else {
            staged.to_path_buf()
        };
        format!("{adaptor}={}", base.join(adaptor).display())
    };
    let work = tmp.join(format!("case-{name}"));
    copy_dir(dir, &work);
    write_cache_input(&work);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fnhost"));
    cmd.current_dir(&work)
        .env("TZ", "UTC")
        .env("NO_COLOR", "1")
        .env_remove("FNHOST_REPO_DIR");
    if work.join("workflow.json").exists() {
        let mut doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(work.join("workflow.json")).unwrap())
                .unwrap();
        let steps = if doc.get("workflow").is_some() {
            &mut doc["workflow"]["steps"]
        } else {
            &mut doc["steps"]
        };
        for step in steps.as_array_mut().into_iter().flatten() {
            if let Some(list) = step.get("adaptors").and_then(|a| a.as_array()).cloned() {
                step["adaptors"] = list
                    .iter()
                    .map(|a| serde_json::Value::String(spec(a.as_str().unwrap())))
                    .collect();
            }
            if let Some(a) = step
                .get("adaptor")
                .and_then(|a| a.as_str())
                .map(str::to_string)
            {
                step["adaptor"] = serde_json::Value::String(spec(&a));
            }
        }
        std::fs::write(work.join("workflow.json"), doc.to_string()).unwrap();
        cmd.arg("workflow.json");
    } else {
        cmd.arg("job.js");
        if let Some(adaptor) = read_opt(&work.join("adaptor.txt"))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
        {
            cmd.arg("-a").arg(spec(&adaptor));
        }
    }
    if work.join("state.json").exists() {
        cmd.arg("-s").arg("state.json");
    }
    // the same flags as the recorded OpenFn CLI runs (tests/node/make-expected.mjs)
    cmd.arg("--no-expand-adaptors");
    cmd.arg("-o")
        .arg("output.json")
        .arg("--repo-dir")
        .arg(tmp.join("repo"));
    // cli-args.txt went to both CLIs; fnhost-args.txt only to fnhost (e.g. opting in to an
    // OpenFn behaviour that fnhost does not have by default).
    for file in ["cli-args.txt", "fnhost-args.txt"] {
        if let Some(extra) = read_opt(&work.join(file)) {
            for arg in extra.lines().map(str::trim).filter(|l| !l.is_empty()) {
                cmd.arg(arg);
            }
        }
    }
    let out = cmd.output().expect("running fnhost");
    let mut problems = Vec::new();
    // Where an issue decided that fnhost differs from the recorded OpenFn run, the case holds
    // `fnhost-override.md` (which issue, and why) and `override.{exit,json,log}` replacing the
    // recorded files it names. An override without its reason is refused.
    let overridden = |file: &str| -> PathBuf {
        let over = dir.join(file.replace("expected.", "override."));
        if over.exists() {
            assert!(
                dir.join("fnhost-override.md").exists(),
                "{name}: {} needs fnhost-override.md saying why",
                over.display()
            );
            over
        } else {
            dir.join(file)
        }
    };
    let expected_exit: i32 = read_opt(&overridden("expected.exit"))
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(-1);
    let exit = out.status.code().unwrap_or(-1);
    if exit != expected_exit {
        problems.push(format!("exit code {exit}, OpenFn exits {expected_exit}"));
    }
    // The recording replaced machine paths with placeholders; do the same here.
    let output = read_opt(&work.join("output.json")).map(|text| {
        text.replace(&staged.display().to_string(), "<STAGED>/node_modules")
            .replace(
                &root().join("tests/fixtures").display().to_string(),
                "<FIXTURES>",
            )
            .replace(&tmp.display().to_string(), "<TMP>")
            .replace(&root().display().to_string(), "<REPO>")
    });
    match (read_opt(&overridden("expected.json")), output) {
        (Some(expected), Some(actual)) if expected != actual => problems.push(format!(
            "final state differs\n--- OpenFn\n{expected}\n--- fnhost\n{actual}"
        )),
        (Some(_), None) => problems.push("no output file written".into()),
        (None, Some(_)) => problems.push("wrote an output file, OpenFn writes none".into()),
        _ => {}
    }
    // `--cache-steps`: the .cli-cache folder as OpenFn's CLI left it
    let expected_cache = read_opt(&dir.join("expected.cache.json"))
        .map(|t| serde_json::from_str::<serde_json::Value>(&t).unwrap());
    let cache = cache_files(&work);
    match expected_cache {
        Some(expected) if expected != cache => problems.push(format!(
            "step cache differs\n--- OpenFn\n{expected:#}\n--- fnhost\n{cache:#}"
        )),
        None if cache.as_object().is_some_and(|c| !c.is_empty()) => {
            problems.push(format!("wrote a step cache, OpenFn writes none: {cache:#}"))
        }
        _ => {}
    }
    // Cases marked `compare-log` must also print OpenFn's log lines (after the Versions banner,
    // whose contents name the engine), durations aside.
    if dir.join("compare-log").exists() {
        let expected = log_lines(&read_opt(&overridden("expected.log")).unwrap_or_default());
        let stderr =
            String::from_utf8_lossy(&out.stderr).replace(&work.display().to_string(), "<CASE>");
        let actual = log_lines(&stderr);
        if expected != actual {
            problems.push(format!(
                "log differs\n--- OpenFn\n{}\n--- fnhost\n{}",
                expected.join("\n"),
                actual.join("\n")
            ));
        }
    }
    if !problems.is_empty() {
        problems.push(format!("stderr:\n{}", String::from_utf8_lossy(&out.stderr)));
    }
    Outcome { name, problems }
}

/// Writes a case's `cache-input.json` (`{"<path>": "<text>"}`) into its work folder.
fn write_cache_input(work: &Path) {
    let Some(text) = read_opt(&work.join("cache-input.json")) else {
        return;
    };
    let files: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    for (file, content) in files {
        let path = work.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content.as_str().unwrap()).unwrap();
    }
}

/// Every file under `<work>/.cli-cache` as `{"<path>": "<text>"}` (the recorder's format).
fn cache_files(work: &Path) -> serde_json::Value {
    fn walk(work: &Path, rel: &Path, out: &mut serde_json::Map<String, serde_json::Value>) {
        let abs = work.join(rel);
        if abs.is_dir() {
            for entry in std::fs::read_dir(&abs).unwrap().flatten() {
                walk(work, &rel.join(entry.file_name()), out);
            }
        } else if let Some(text) = read_opt(&abs) {
            out.insert(rel.display().to_string(), text.into());
        }
    }
    let mut out = serde_json::Map::new();
    walk(work, Path::new(".cli-cache"), &mut out);
    serde_json::Value::Object(out)
}

/// Log lines without the Versions banner, with durations replaced by `<DURATION>`.
fn log_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut in_banner = false;
    for line in text.lines() {
        if line.starts_with("[CLI] ♦ Versions:") {
            in_banner = true;
            continue;
        }
        if in_banner && line.starts_with("         ▸") {
            continue;
        }
        in_banner = false;
        lines.push(normalise_durations(line));
    }
    lines
}

fn normalise_durations(line: &str) -> String {
    // "in 12ms", "in 1.2s", "(3ms)" -> "<DURATION>"
    let mut out = String::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts_number =
            chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_alphanumeric());
        if starts_number {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                j += 1;
            }
            let unit: String = chars[j..].iter().take(2).collect();
            if unit == "ms"
                || (unit.starts_with('s') && !chars.get(j + 1).is_some_and(|c| c.is_alphanumeric()))
            {
                out.push_str("<DURATION>");
                i = j + if unit == "ms" { 2 } else { 1 };
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Cases that fnhost does not match yet, each with the reason (`name: reason` per line).
fn known_gaps() -> Vec<String> {
    read_opt(&root().join("tests/cases/KNOWN_GAPS.txt"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split(':').next().map(|s| s.trim().to_string()))
        .collect()
}

#[test]
fn recorded_openfn_cases_match() {
    let tmp = std::env::temp_dir().join(format!("fnhost-cases-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let staged = stage_fixtures(&tmp);
    let gaps = known_gaps();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("tests/cases"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && p.join("expected.exit").exists())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 20,
        "expected the recorded cases to be present"
    );
    let mut failures = Vec::new();
    let mut passed = 0;
    for dir in &dirs {
        let outcome = run_case(dir, &staged, &tmp);
        let known = gaps.contains(&outcome.name);
        match (outcome.problems.is_empty(), known) {
            (true, true) => failures.push(format!(
                "{}: passes now; remove it from KNOWN_GAPS.txt",
                outcome.name
            )),
            (true, false) => passed += 1,
            (false, true) => eprintln!("known gap {}: {}", outcome.name, outcome.problems[0]),
            (false, false) => {
                failures.push(format!("{}: {}", outcome.name, outcome.problems.join("\n")))
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    eprintln!("{passed} of {} recorded cases match OpenFn", dirs.len());
    assert!(
        failures.is_empty(),
        "{} case(s) differ from OpenFn:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
