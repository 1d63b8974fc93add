//! Cross-process file locks, so that concurrent fnhost processes installing into one repo
//! take turns per package instead of colliding (the second one finds the work done).

use std::fs::File;
use std::path::{Path, PathBuf};

use super::RepoError;

/// An exclusive advisory lock on a file, released on drop (or when the process dies).
#[derive(Debug)]
pub struct FileLock {
    file: File,
    path: PathBuf,
}

impl FileLock {
    /// Blocks until the lock on `path` (created if missing) is held.
    pub fn acquire(path: &Path) -> Result<FileLock, RepoError> {
        let io = |e: std::io::Error| RepoError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(io)?;
        file.lock().map_err(io)?;
        Ok(FileLock {
            file,
            path: path.to_path_buf(),
        })
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// The lock file guarding the install of `dir_name` (e.g. `@openfn/language-http_7.2.10`).
pub fn lock_path(repo_dir: &Path, dir_name: &str) -> PathBuf {
    repo_dir
        .join(".locks")
        .join(format!("{}.lock", dir_name.replace('/', "+")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_locker_waits_for_the_first() {
        let dir =
            std::env::temp_dir().join(format!("fnhost-lock-{}", super::super::tarball::unique()));
        let path = lock_path(&dir, "@openfn/language-x_1.0.0");
        assert!(path.ends_with("@openfn+language-x_1.0.0.lock"));
        let first = FileLock::acquire(&path).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let p2 = path.clone();
        let t = std::thread::spawn(move || {
            let _second = FileLock::acquire(&p2).unwrap();
            tx.send(()).unwrap();
        });
        assert!(rx
            .recv_timeout(std::time::Duration::from_millis(200))
            .is_err());
        drop(first);
        rx.recv_timeout(std::time::Duration::from_secs(5)).unwrap();
        t.join().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
