//! Step caching as OpenFn's CLI does it (`--cache-steps`): each step's output state is written
//! to `<base>/.cli-cache/<workflow name>/<step id>.json` (compact JSON, as `JSON.stringify`
//! writes it), a `.gitignore` holding `*` is put in `.cli-cache/` the first time, and `--start
//! STEP` without a state reads the cached output of the step before `STEP`.
//!
//! `<base>` is the workflow file's folder, or the current directory for a lone job; the
//! workflow name is the workflow's `name`, else the file name without its extension (for a job:
//! `job.js` → `job`).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;

/// The folder OpenFn's CLI caches steps in.
pub const CACHE_DIR: &str = ".cli-cache";

/// The cache folder of one workflow.
#[derive(Debug)]
pub struct StepCache {
    dir: PathBuf,
    gitignore_checked: AtomicBool,
}

impl StepCache {
    /// The cache of the workflow `name` under `base` (`<base>/.cli-cache/<name>`), made absolute
    /// against the current directory as Node's `path.resolve` does.
    pub fn new(base: &Path, name: &str) -> StepCache {
        let base = std::path::absolute(base).unwrap_or_else(|_| base.to_path_buf());
        StepCache {
            dir: normalize(&base.join(CACHE_DIR).join(name)),
            gitignore_checked: AtomicBool::new(false),
        }
    }

    /// The workflow's cache folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the output of `step_id` is cached. Like OpenFn's CLI, only the first space of the
    /// id becomes `-`.
    pub fn step_file(&self, step_id: &str) -> PathBuf {
        self.dir
            .join(format!("{}.json", step_id.replacen(' ', "-", 1)))
    }

    /// Deletes the workflow's cache folder (done before a `--cache-steps` run). Returns whether
    /// there was one.
    pub fn clear(&self) -> std::io::Result<bool> {
        match std::fs::remove_dir_all(&self.dir) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Writes a step's output (already serialised) and returns the file's path.
    pub fn save(&self, step_id: &str, state_json: &str) -> std::io::Result<PathBuf> {
        let file = self.step_file(step_id);
        let folder = file.parent().unwrap_or(&self.dir);
        std::fs::create_dir_all(folder)?;
        if !self.gitignore_checked.swap(true, Ordering::SeqCst) {
            // the `.cli-cache` folder above this one gets a `.gitignore`, unless it has one
            let root = folder
                .ancestors()
                .find(|p| p.ends_with(CACHE_DIR))
                .unwrap_or(folder);
            let ignore = root.join(".gitignore");
            if !ignore.exists() {
                std::fs::write(&ignore, "*")?;
            }
        }
        std::fs::write(&file, state_json)?;
        Ok(file)
    }
}

/// The step whose output feeds `start`: the first step (in file order) with an edge to it.
pub fn upstream_step(steps: &[Value], start: &str) -> Option<String> {
    steps
        .iter()
        .find(|step| match step.get("next") {
            Some(Value::String(next)) => next == start,
            Some(Value::Object(next)) => next.contains_key(start),
            _ => false,
        })
        .and_then(|step| step.get("id").and_then(Value::as_str).map(str::to_string))
}

/// The name OpenFn's CLI caches a run under: the workflow's `name`, else the file's stem.
pub fn workflow_name(path: &Path, plan: &Value) -> String {
    plan.pointer("/workflow/name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
}

/// Removes `.` and `..` components (as `path.resolve` does) without touching the disk.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_follow_openfn() {
        let cache = StepCache::new(Path::new("/w/./flows"), "my flow");
        assert_eq!(cache.dir(), Path::new("/w/flows/.cli-cache/my flow"));
        assert_eq!(
            cache.step_file("get the data now"),
            Path::new("/w/flows/.cli-cache/my flow/get-the data now.json")
        );
    }

    #[test]
    fn save_writes_the_gitignore_once_and_clear_removes_the_folder() {
        let base = std::env::temp_dir().join(format!("fnhost-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let cache = StepCache::new(&base, "wf");
        let file = cache.save("a", r#"{"x":1}"#).unwrap();
        assert_eq!(std::fs::read_to_string(file).unwrap(), r#"{"x":1}"#);
        assert_eq!(
            std::fs::read_to_string(base.join(".cli-cache/.gitignore")).unwrap(),
            "*"
        );
        std::fs::write(base.join(".cli-cache/.gitignore"), "kept").unwrap();
        StepCache::new(&base, "wf").save("b", "{}").unwrap();
        assert_eq!(
            std::fs::read_to_string(base.join(".cli-cache/.gitignore")).unwrap(),
            "kept"
        );
        assert!(cache.clear().unwrap());
        assert!(!cache.clear().unwrap());
        assert!(base.join(".cli-cache/.gitignore").exists());
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn upstream_is_the_first_step_with_an_edge_to_start() {
        let steps = vec![
            json!({"id": "a", "next": {"b": true}}),
            json!({"id": "c", "next": "b"}),
            json!({"id": "b"}),
        ];
        assert_eq!(upstream_step(&steps, "b").as_deref(), Some("a"));
        assert_eq!(upstream_step(&steps, "a"), None);
    }

    #[test]
    fn the_name_is_the_workflow_name_else_the_file_stem() {
        let named = json!({"workflow": {"name": "flow"}});
        assert_eq!(workflow_name(Path::new("x/wf.json"), &named), "flow");
        assert_eq!(workflow_name(Path::new("x/job.js"), &json!({})), "job");
    }
}
