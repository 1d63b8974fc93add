//! Installing adaptors: resolve the tree, fetch tarballs in parallel (cache first), verify,
//! extract into a staging directory and rename it into place, under a per-package file lock.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::Semaphore;

use super::config::RegistryConfig;
use super::lock::{lock_path, FileLock};
use super::registry::{Registry, VersionMeta};
use super::resolve::{build_tree, pick_version, Fetcher, Tree, Want};
use super::tarball::{expected_integrity, extract, unique, verify, ContentCache};
use super::{expand_name, installed_dir_name, read_manifest, split_version, RepoError};

/// What `fnhost repo install` (and autoinstall) is asked to install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallSpec {
    /// Full package name.
    pub name: String,
    /// Range or dist-tag (`latest` when none was given).
    pub want: Want,
}

impl InstallSpec {
    /// Parses `common`, `http@7.2.10`, `@openfn/language-http@^7`, `…@latest`.
    pub fn parse(text: &str) -> Result<Self, RepoError> {
        let text = text.trim();
        let (name, version) = split_version(text);
        if name.is_empty() || text.contains('=') {
            return Err(RepoError::Other(format!("invalid adaptor spec '{text}'")));
        }
        let version = version.unwrap_or("").trim();
        let want = if version.is_empty() {
            Want::Tag("latest".into())
        } else {
            match super::resolve::parse_dep_spec(name, version).1 {
                Want::Unsupported(s) => {
                    return Err(RepoError::Other(format!(
                        "unsupported version '{s}' in '{text}'"
                    )))
                }
                want => want,
            }
        };
        Ok(InstallSpec {
            name: expand_name(name),
            want,
        })
    }

    /// The exact version asked for, if the spec names one.
    pub fn exact_version(&self) -> Option<String> {
        match &self.want {
            Want::Range(r) => super::exact_version(r).map(|v| v.to_string()),
            _ => None,
        }
    }
}

impl std::fmt::Display for InstallSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.want {
            Want::Range(r) | Want::Tag(r) | Want::Unsupported(r) => write!(f, "{}@{r}", self.name),
        }
    }
}

/// Settings for an install.
#[derive(Debug, Clone)]
pub struct InstallOptions {
    /// The repo to install into.
    pub repo_dir: PathBuf,
    /// The shared content cache directory.
    pub cache_dir: PathBuf,
    /// Where packages come from.
    pub registry: RegistryConfig,
    /// Parallel requests at most.
    pub concurrency: usize,
    /// Show a progress bar (only drawn when standard error is a terminal).
    pub progress: bool,
    /// First retry delay.
    pub backoff: Duration,
}

impl InstallOptions {
    /// Defaults for `repo_dir`: the discovered registry, the default cache, 16 requests.
    pub fn new(repo_dir: PathBuf, registry_flag: Option<&str>) -> Self {
        let backoff = std::env::var("FNHOST_RETRY_BACKOFF_MS")
            .ok()
            .and_then(|s| s.parse().ok())
            .map(Duration::from_millis)
            .unwrap_or(Duration::from_millis(250));
        InstallOptions {
            repo_dir,
            cache_dir: super::config::default_cache_dir(),
            registry: RegistryConfig::discover(registry_flag),
            concurrency: 16,
            progress: true,
            backoff,
        }
    }
}

/// The outcome of installing one spec.
#[derive(Debug, Clone)]
pub struct Installed {
    /// Package name.
    pub name: String,
    /// Installed version.
    pub version: String,
    /// The package directory in the repo.
    pub dir: PathBuf,
    /// Packages in its dependency tree (0 when it was already installed).
    pub dependencies: usize,
    /// Whether this call installed it (false: it was already there).
    pub fresh: bool,
}

/// Installs each spec (and its dependency tree) into the repo; specs already satisfied by an
/// installed exact version need no network at all.
pub fn install(
    specs: &[InstallSpec],
    options: &InstallOptions,
) -> Result<Vec<Installed>, RepoError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| RepoError::Other(format!("cannot start the I/O runtime: {e}")))?;
    runtime.block_on(async {
        let mut out = Vec::new();
        let mut registry: Option<Registry> = None;
        for spec in specs {
            if let Some(version) = spec.exact_version() {
                if let Some(done) = already_installed(&options.repo_dir, &spec.name, &version) {
                    out.push(done);
                    continue;
                }
            }
            if registry.is_none() {
                registry = Some(Registry::new(options.registry.clone(), options.backoff)?);
            }
            let registry = registry.clone().expect("set above");
            out.push(install_one(spec, registry, options).await?);
        }
        Ok(out)
    })
}

fn already_installed(repo_dir: &Path, name: &str, version: &str) -> Option<Installed> {
    let dir = repo_dir
        .join("node_modules")
        .join(installed_dir_name(name, version));
    let (found_name, found_version) = read_manifest(&dir)?;
    (found_name == name && found_version == version).then(|| Installed {
        name: name.to_string(),
        version: version.to_string(),
        dir,
        dependencies: 0,
        fresh: false,
    })
}

fn progress_bar(enabled: bool) -> ProgressBar {
    if !enabled || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

async fn install_one(
    spec: &InstallSpec,
    registry: Registry,
    options: &InstallOptions,
) -> Result<Installed, RepoError> {
    let mut fetcher = Fetcher::new(registry.clone(), options.concurrency);
    let pack = fetcher.get(&spec.name).await?;
    let root = pick_version(&pack, &spec.want).ok_or_else(|| RepoError::NoMatchingVersion {
        name: spec.name.clone(),
        spec: match &spec.want {
            Want::Range(r) | Want::Tag(r) | Want::Unsupported(r) => r.clone(),
        },
    })?;
    let root = Arc::new(root.clone());
    if let Some(done) = already_installed(&options.repo_dir, &spec.name, &root.version) {
        return Ok(done);
    }
    let dir_name = installed_dir_name(&spec.name, &root.version);
    let lock_file = lock_path(&options.repo_dir, &dir_name);
    let _lock = tokio::task::spawn_blocking(move || FileLock::acquire(&lock_file))
        .await
        .map_err(|e| RepoError::Other(e.to_string()))??;
    if let Some(done) = already_installed(&options.repo_dir, &spec.name, &root.version) {
        return Ok(done);
    }
    let bar = progress_bar(options.progress);
    bar.set_prefix(format!("{}@{}", spec.name, root.version));
    bar.set_message("resolving");
    let tree = {
        let bar = bar.clone();
        let mut report = move |n: usize| bar.set_message(format!("resolved {n} packages"));
        build_tree(&spec.name, root.clone(), &mut fetcher, &mut report).await?
    };
    drop(fetcher);
    let staging = Staging::new(&options.repo_dir)?;
    fetch_and_extract(&tree, staging.path(), registry, options, &bar).await?;
    let final_dir = options.repo_dir.join("node_modules").join(&dir_name);
    staging.commit(&final_dir)?;
    bar.finish_and_clear();
    Ok(Installed {
        name: spec.name.clone(),
        version: root.version.clone(),
        dir: final_dir,
        dependencies: tree.nodes.len() - 1,
        fresh: true,
    })
}

/// Downloads (or takes from the cache) every tarball of `tree` once, verifies it and extracts
/// it to each place the tree puts that package.
async fn fetch_and_extract(
    tree: &Tree,
    root_dir: &Path,
    registry: Registry,
    options: &InstallOptions,
    bar: &ProgressBar,
) -> Result<(), RepoError> {
    // One download per tarball, however many places it goes.
    let mut groups: BTreeMap<String, (Arc<VersionMeta>, Vec<PathBuf>)> = BTreeMap::new();
    for node in &tree.nodes {
        let key = format!("{}@{}", node.meta.name, node.meta.version);
        groups
            .entry(key)
            .or_insert_with(|| (node.meta.clone(), Vec::new()))
            .1
            .push(root_dir.join(&node.path));
    }
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix} [{bar:25}] {pos}/{len} extracted, {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_length(tree.nodes.len() as u64);
    bar.set_position(0);
    let downloaded = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    bar.set_message("0 downloaded");
    let cache = ContentCache::new(&options.cache_dir);
    let limit = Arc::new(Semaphore::new(options.concurrency.max(1)));
    // File creation is the bottleneck and threads beyond the cores only contend for the
    // file system's journal.
    let extract_threads = std::env::var("FNHOST_EXTRACT_THREADS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let extracting = Arc::new(Semaphore::new(extract_threads));
    let mut tasks = tokio::task::JoinSet::new();
    for (key, (meta, dests)) in groups {
        let registry = registry.clone();
        let cache = cache.clone();
        let limit = limit.clone();
        let bar = bar.clone();
        let downloaded = downloaded.clone();
        let extracting = extracting.clone();
        tasks.spawn(async move {
            let integrity =
                expected_integrity(meta.dist.integrity.as_deref(), meta.dist.shasum.as_deref())
                    .ok_or_else(|| {
                        RepoError::Other(format!(
                            "{key} has no integrity hash in the registry; refusing it"
                        ))
                    })?;
            let data = match cache.get(&integrity) {
                Some(data) => data,
                None => {
                    let _permit = limit.acquire_owned().await;
                    let data = registry.tarball(&meta.dist.tarball).await?;
                    verify(&data, &integrity, &key)?;
                    cache.put(&integrity, &data);
                    let n = downloaded.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    bar.set_message(format!("{n} downloaded"));
                    data
                }
            };
            let count = dests.len();
            let _slot = extracting.acquire_owned().await;
            tokio::task::spawn_blocking(move || {
                for dest in &dests {
                    extract(&data, dest, &key)?;
                }
                Ok::<usize, RepoError>(count)
            })
            .await
            .map_err(|e| RepoError::Other(e.to_string()))?
        });
    }
    while let Some(result) = tasks.join_next().await {
        let placed = result.map_err(|e| RepoError::Other(e.to_string()))??;
        bar.inc(placed as u64);
    }
    Ok(())
}

/// A directory inside the repo where an install is assembled; removed unless committed.
struct Staging {
    path: PathBuf,
    committed: bool,
}

impl Staging {
    fn new(repo_dir: &Path) -> Result<Staging, RepoError> {
        remove_abandoned(&repo_dir.join(".staging"));
        let path = repo_dir
            .join(".staging")
            .join(format!("{}-{}", std::process::id(), unique()));
        std::fs::create_dir_all(&path).map_err(|e| RepoError::Io {
            path: path.clone(),
            message: e.to_string(),
        })?;
        Ok(Staging {
            path,
            committed: false,
        })
    }

    fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the staged package to `dest` in one step.
    fn commit(mut self, dest: &Path) -> Result<(), RepoError> {
        let io = |e: std::io::Error| RepoError::Io {
            path: dest.to_path_buf(),
            message: e.to_string(),
        };
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::rename(&self.path, dest).map_err(io)?;
        self.committed = true;
        Ok(())
    }
}

/// Removes staging directories left by killed installs: their process is gone and they
/// have not changed for an hour (the age guards against processes in other PID namespaces).
fn remove_abandoned(staging: &Path) {
    let Ok(entries) = std::fs::read_dir(staging) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let alive = pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(3600));
        if cfg!(target_os = "linux") && !alive && old {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_specs() {
        let s = InstallSpec::parse("http@7.2.10").unwrap();
        assert_eq!(s.name, "@openfn/language-http");
        assert_eq!(s.exact_version().as_deref(), Some("7.2.10"));
        let s = InstallSpec::parse("common").unwrap();
        assert_eq!(s.want, Want::Tag("latest".into()));
        let s = InstallSpec::parse("@openfn/language-common@latest").unwrap();
        assert_eq!(s.want, Want::Tag("latest".into()));
        let s = InstallSpec::parse("@openfn/language-http@^7").unwrap();
        assert_eq!(s.want, Want::Range("^7".into()));
        assert_eq!(s.exact_version(), None);
        assert_eq!(s.to_string(), "@openfn/language-http@^7");
        assert!(InstallSpec::parse("x=/tmp").is_err());
    }
}
