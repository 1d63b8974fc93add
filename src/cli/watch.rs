//! `fnhost execute --watch`: run, then re-run whenever an input changes (the job or workflow,
//! its expression files, the state, the credentials, or any file of a from-source adaptor);
//! clear the screen before each re-run and end with a short diff of the final state against
//! the previous run's. Ctrl-C (SIGINT) stops with exit code 0.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};
use serde_json::Value;

use super::{execute, ExecuteArgs};

/// What wakes the watch loop.
enum Wake {
    /// A watched file changed.
    Changed(PathBuf),
    /// SIGINT: stop.
    Stop,
}

/// Runs `args` under watch until SIGINT; returns the exit code (0).
pub fn run(args: &ExecuteArgs) -> i32 {
    let (tx, rx) = mpsc::channel::<Wake>();
    if let Err(e) = stop_on_sigint(tx.clone()) {
        eprintln!("fnhost: cannot watch: {e}");
        return 1;
    }
    let (files, trees) = watched_paths(args);
    let watched_files: BTreeSet<PathBuf> = files.iter().cloned().collect();
    let events = tx.clone();
    let mut watcher =
        match notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            if let Ok(event) = event {
                if matches!(event.kind, notify::EventKind::Access(_)) {
                    return;
                }
                for path in event.paths {
                    let _ = events.send(Wake::Changed(path));
                }
            }
        }) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("fnhost: cannot watch: {e}");
                return 1;
            }
        };
    // Folders are watched, not files: editors replace a file on save (a new inode).
    let folders: BTreeSet<PathBuf> = files
        .iter()
        .filter_map(|f| f.parent().map(Path::to_path_buf))
        .collect();
    for folder in &folders {
        if let Err(e) = watcher.watch(folder, RecursiveMode::NonRecursive) {
            eprintln!("fnhost: cannot watch {}: {e}", folder.display());
            return 1;
        }
    }
    for tree in &trees {
        if let Err(e) = watcher.watch(tree, RecursiveMode::Recursive) {
            eprintln!("fnhost: cannot watch {}: {e}", tree.display());
            return 1;
        }
    }
    let relevant = |path: &Path| {
        let path = absolute(path);
        watched_files.contains(&path) || trees.iter().any(|t| path.starts_with(t))
    };

    let mut previous: Option<String> = None;
    let mut first = true;
    loop {
        if !first {
            clear_screen();
        }
        first = false;
        let (code, state) = execute(args);
        if let (Some(before), Some(after)) = (&previous, &state) {
            print_state_diff(before, after);
        }
        if state.is_some() {
            previous = state;
        }
        eprintln!("[CLI] ♦ Run finished (exit code {code}). Watching for changes, Ctrl-C to stop");
        // wait for a relevant change, then let a burst of events (one save) settle
        loop {
            match rx.recv() {
                Ok(Wake::Stop) | Err(_) => return 0,
                Ok(Wake::Changed(path)) if relevant(&path) => break,
                Ok(Wake::Changed(_)) => {}
            }
        }
        while let Ok(wake) = rx.recv_timeout(Duration::from_millis(100)) {
            if matches!(wake, Wake::Stop) {
                return 0;
            }
        }
    }
}

/// Installs a SIGINT handler that wakes the loop with [`Wake::Stop`].
fn stop_on_sigint(tx: mpsc::Sender<Wake>) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    // The handler is registered before this returns, so an early Ctrl-C is not lost.
    let mut signal = runtime.block_on(async {
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
    })?;
    std::thread::spawn(move || {
        runtime.block_on(signal.recv());
        let _ = tx.send(Wake::Stop);
    });
    Ok(())
}

/// The files whose change re-runs (absolute), and the folders watched as a whole (the
/// `src/` and `package.json` folders of from-source adaptors).
fn watched_paths(args: &ExecuteArgs) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut files = vec![absolute(&args.path)];
    files.extend(
        args.state_path
            .iter()
            .filter(|p| p.as_os_str() != "-")
            .map(|p| absolute(p)),
    );
    files.extend(args.credentials.iter().map(|p| absolute(p)));
    let mut specs = args.common.adaptors.clone();
    if super::is_workflow(&args.path) {
        if let Some(doc) = std::fs::read_to_string(&args.path)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        {
            let base = args.path.parent().unwrap_or(Path::new("."));
            let steps = doc
                .pointer("/workflow/steps")
                .or_else(|| doc.get("steps"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for step in steps {
                if let Some(expr) = step.get("expression").and_then(Value::as_str) {
                    let is_path = [".js", ".mjs", ".ts"].iter().any(|e| expr.ends_with(e));
                    if !expr.contains('\n') && is_path {
                        files.push(absolute(&base.join(expr)));
                    }
                }
                for key in ["adaptor", "adaptors"] {
                    match step.get(key) {
                        Some(Value::String(s)) => specs.push(s.clone()),
                        Some(Value::Array(list)) => {
                            specs.extend(list.iter().filter_map(|v| v.as_str().map(str::to_string)))
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    let mut trees = Vec::new();
    let monorepo = super::adaptor_source(&args.common)
        .ok()
        .and_then(|s| s.monorepo);
    for spec in specs {
        let dir = match (spec.split_once('='), &monorepo) {
            (Some((_, dir)), _) => PathBuf::from(dir),
            (None, Some(root)) => {
                let name = crate::repo::AdaptorSpec::parse(&spec)
                    .map(|s| s.name)
                    .unwrap_or(spec);
                crate::runtime::from_source::monorepo_package(root, &name)
            }
            (None, None) => continue,
        };
        let src = dir.join("src");
        if src.is_dir() {
            trees.push(absolute(&src));
        }
    }
    (files, trees)
}

fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

fn clear_screen() {
    let mut err = std::io::stderr().lock();
    if err.is_terminal() {
        let _ = write!(err, "\x1b[2J\x1b[3J\x1b[H");
    }
    let _ = writeln!(err, "[CLI] ♦ Change detected: running again");
}

/// Prints at most [`DIFF_LINES`] changed paths between two final states.
fn print_state_diff(before: &str, after: &str) {
    let parse = |t: &str| serde_json::from_str::<Value>(t).unwrap_or(Value::Null);
    let mut lines = Vec::new();
    diff(&parse(before), &parse(after), "", &mut lines);
    let mut err = std::io::stderr().lock();
    if lines.is_empty() {
        let _ = writeln!(err, "[CLI] ♦ Final state unchanged since the last run");
        return;
    }
    let _ = writeln!(err, "[CLI] ♦ Final state changes since the last run:");
    for line in lines.iter().take(DIFF_LINES) {
        let _ = writeln!(err, "  {line}");
    }
    if lines.len() > DIFF_LINES {
        let _ = writeln!(err, "  … and {} more", lines.len() - DIFF_LINES);
    }
}

/// How many changed paths the diff shows.
const DIFF_LINES: usize = 20;

/// `+ path: value`, `- path: value` and `~ path: old → new` lines, depth first.
fn diff(before: &Value, after: &Value, path: &str, out: &mut Vec<String>) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                match b.get(key) {
                    Some(other) => diff(value, other, &join(key), out),
                    None => out.push(format!("- {}: {}", join(key), short(value))),
                }
            }
            for (key, value) in b {
                if !a.contains_key(key) {
                    out.push(format!("+ {}: {}", join(key), short(value)));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff(x, y, &join(&i.to_string()), out);
            }
        }
        (a, b) if a != b => {
            let at = if path.is_empty() { "(state)" } else { path };
            out.push(format!("~ {at}: {} → {}", short(a), short(b)));
        }
        _ => {}
    }
}

/// A value as one short line of JSON.
fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_lists_added_removed_and_changed_paths() {
        let mut out = Vec::new();
        diff(
            &json!({"data": {"n": 1, "gone": true, "list": [1, 2]}}),
            &json!({"data": {"n": 2, "list": [1, 3], "new": "x"}}),
            "",
            &mut out,
        );
        assert_eq!(
            out,
            vec![
                "~ data.n: 1 → 2",
                "- data.gone: true",
                "~ data.list.1: 2 → 3",
                "+ data.new: \"x\""
            ]
        );
    }
}
