//! Plumbing shared by the integration tests: the binary, temporary directories, local adaptor
//! packages, and reading a run's final state.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The `fnhost` binary, isolated from the caller's repo and time zone.
pub fn fnhost() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fnhost"));
    cmd.env_remove("FNHOST_REPO_DIR").env("TZ", "UTC");
    cmd
}

/// A temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh directory whose name contains `tag`.
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let path = std::env::temp_dir().join(format!("fnhost-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    /// Writes `text` to `rel` (creating folders) and returns the file's path.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Writes an ES-module adaptor package `@openfn/language-<name>` at `<dir>/<name>` and
    /// returns the `-a` value that selects it.
    pub fn adaptor(&self, name: &str, index_js: &str) -> String {
        self.write(
            &format!("{name}/package.json"),
            &format!(r#"{{"name":"@openfn/language-{name}","version":"1.0.0","type":"module","main":"index.js"}}"#),
        );
        self.write(&format!("{name}/index.js"), index_js);
        format!("{name}={}", self.0.join(name).display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copies a directory tree, making the copies writable.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            let mut perms = std::fs::metadata(&target).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            std::fs::set_permissions(&target, perms).unwrap();
        }
    }
}

/// The final state printed by a `-O` run that must have exited 0.
pub fn final_state(out: &Output) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the final state is JSON")
}
