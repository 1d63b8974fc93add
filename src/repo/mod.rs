//! The adaptor repository: where OpenFn language packages live on disk and how an adaptor
//! spec (`common`, `http@7.2.10`, `name=PATH`) is found there.
//!
//! Layout (the same as OpenFn's CLI repo): `<repo>/node_modules/<name>_<version>/` per installed
//! version, so several versions live side by side; a plain `<repo>/node_modules/<name>/` is also
//! accepted. `fnhost repo install` ([`install`]) puts each adaptor's dependency tree in that
//! directory's own `node_modules`, so versions never share (or clash over) dependencies.

pub mod config;
pub mod docs;
pub mod install;
pub mod jsdoc;
pub mod lock;
pub mod registry;
pub mod resolve;
pub mod tarball;

use std::path::{Path, PathBuf};

use nodejs_semver::{Range, Version};

/// Why an install or a lookup failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RepoError {
    /// The registry does not know the package.
    #[error("package {name} was not found in the registry {registry}")]
    UnknownPackage {
        /// Package name.
        name: String,
        /// Registry URL asked.
        registry: String,
    },
    /// No published version satisfies the spec.
    #[error("no version of {name} matches {spec}")]
    NoMatchingVersion {
        /// Package name.
        name: String,
        /// The range or tag asked for.
        spec: String,
    },
    /// A tarball's hash differs from the registry's `dist.integrity`.
    #[error("integrity check failed for {package}: expected {expected}, got {actual}; nothing was installed")]
    Integrity {
        /// `name@version`.
        package: String,
        /// Integrity the registry promised.
        expected: String,
        /// Integrity of what was downloaded.
        actual: String,
    },
    /// A tarball would write outside its package, or is not a tarball.
    #[error("refusing the tarball of {package}: {message}")]
    UnsafeTarball {
        /// `name@version`.
        package: String,
        /// What is wrong.
        message: String,
    },
    /// The registry could not be reached or kept failing (after retries).
    #[error("network error fetching {url}: {message}")]
    Network {
        /// The URL requested.
        url: String,
        /// The last failure.
        message: String,
    },
    /// A file system operation failed.
    #[error("{path}: {message}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The OS error.
        message: String,
    },
    /// Anything else (conflicts, unsupported specs).
    #[error("{0}")]
    Other(String),
}

impl From<RepoError> for String {
    fn from(e: RepoError) -> String {
        e.to_string()
    }
}

/// A parsed `-a` / `adaptor` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdaptorSpec {
    /// Full package name, e.g. `@openfn/language-common`.
    pub name: String,
    /// Requested version, if any (`latest` counts as none).
    pub version: Option<String>,
    /// Explicit local path (`name=PATH`).
    pub path: Option<PathBuf>,
}

impl AdaptorSpec {
    /// Parses OpenFn's adaptor shorthand: `common` → `@openfn/language-common`, `http@7.2.10`,
    /// `@openfn/language-http@^7`, `name=PATH`.
    pub fn parse(text: &str) -> Result<Self, String> {
        Self::parse_with(text, true)
    }

    /// Like [`Self::parse`]; with `expand` false the name is taken as written (OpenFn's
    /// `--no-expand-adaptors`).
    pub fn parse_with(text: &str, expand: bool) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("empty adaptor name".into());
        }
        let (spec, path) = match text.split_once('=') {
            Some((s, p)) => (s, Some(PathBuf::from(p))),
            None => (text, None),
        };
        let (name, version) = split_version(spec);
        if name.is_empty() {
            return Err(format!("invalid adaptor '{text}'"));
        }
        let name = if expand {
            expand_name(name)
        } else {
            name.to_string()
        };
        let version = version
            .filter(|v| !v.is_empty() && *v != "latest")
            .map(str::to_string);
        Ok(AdaptorSpec {
            name,
            version,
            path,
        })
    }
}

/// Splits `name@version` (the name may start with `@`).
pub(crate) fn split_version(spec: &str) -> (&str, Option<&str>) {
    let search_from = usize::from(spec.starts_with('@'));
    match spec[search_from..].find('@') {
        Some(i) => (&spec[..search_from + i], Some(&spec[search_from + i + 1..])),
        None => (spec, None),
    }
}

/// OpenFn's short adaptor names: `http` → `@openfn/language-http`.
pub(crate) fn expand_name(name: &str) -> String {
    if name.starts_with('@') || name.contains('/') {
        name.to_string()
    } else if name.starts_with("language-") {
        format!("@openfn/{name}")
    } else {
        format!("@openfn/language-{name}")
    }
}

/// An adaptor found on disk.
#[derive(Debug, Clone)]
pub struct LocatedAdaptor {
    /// Package name the job imports.
    pub name: String,
    /// Version from its package.json.
    pub version: String,
    /// Package directory.
    pub dir: PathBuf,
}

/// Default repo directory: `$FNHOST_REPO_DIR`, else `~/.fnhost/repo`.
pub fn default_repo_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("FNHOST_REPO_DIR") {
        return full_dir_path(PathBuf::from(dir));
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    home.join(".fnhost").join("repo")
}

/// `dir` as the module loader sees the files in it: absolute, with `.`, `..` and symbolic links
/// resolved when it exists (`FNHOST_REPO_DIR=.` must name the same packages as the full path).
pub fn full_dir_path(dir: PathBuf) -> PathBuf {
    std::fs::canonicalize(&dir)
        .or_else(|_| std::path::absolute(&dir))
        .unwrap_or(dir)
}

/// The directory name of an installed version, relative to `<repo>/node_modules`.
pub fn installed_dir_name(name: &str, version: &str) -> String {
    format!("{name}_{version}")
}

/// `(name, version)` from the `package.json` in `dir`.
pub(crate) fn read_manifest(dir: &Path) -> Option<(String, String)> {
    let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let name = json
        .get("name")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string();
    Some((name, json.get("version")?.as_str()?.to_string()))
}

fn read_version(dir: &Path) -> Option<String> {
    read_manifest(dir).map(|(_, v)| v)
}

/// Picks from installed `(version, dir)` pairs: the highest version by semver, or the one
/// matching `want` (an exact version, or a range such as `^7`: its highest match).
pub fn choose_installed<T>(
    candidates: Vec<(String, T)>,
    want: Option<&str>,
) -> Option<(String, T)> {
    let parsed = candidates
        .into_iter()
        .filter_map(|(v, d)| Some((Version::parse(&v).ok()?, v, d)));
    let best = match want {
        None => parsed.max_by(|a, b| a.0.cmp(&b.0)),
        Some(want) => {
            if let Some(exact) = exact_version(want) {
                parsed
                    .filter(|(v, _, _)| *v == exact)
                    .max_by(|a, b| a.0.cmp(&b.0))
            } else {
                let range = Range::parse(want).ok()?;
                parsed
                    .filter(|(v, _, _)| range.satisfies(v))
                    .max_by(|a, b| a.0.cmp(&b.0))
            }
        }
    };
    best.map(|(_, v, d)| (v, d))
}

/// `want` as a version if it names exactly one (`7.2.10`, `1.0.0-rc.12`; not `7` or `^7`).
pub fn exact_version(want: &str) -> Option<Version> {
    let core = want.trim().trim_start_matches(['=', 'v']);
    let core_part = core.split(['-', '+']).next().unwrap_or_default();
    if core_part.split('.').count() != 3
        || !core_part
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Version::parse(core).ok()
}

/// Every installed version of `name` in the repo: `(version, package dir)`.
pub fn installed_versions(name: &str, repo_dir: &Path) -> Vec<(String, PathBuf)> {
    let modules = repo_dir.join("node_modules");
    let (scope_dir, base) = match name.rsplit_once('/') {
        Some((scope, base)) => (modules.join(scope), base.to_string()),
        None => (modules.clone(), name.to_string()),
    };
    let mut candidates = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&scope_dir) {
        for entry in entries.flatten() {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let is_match =
                file_name == base || file_name.strip_prefix(&format!("{base}_")).is_some();
            if !is_match {
                continue;
            }
            if let Some(version) = read_version(&entry.path()) {
                candidates.push((version, entry.path()));
            }
        }
    }
    candidates
}

/// Finds `spec` in the repo at `repo_dir` (or at its explicit path). A version-less spec
/// takes the highest installed version by semver; a range takes its highest installed match.
/// Never touches the network.
pub fn locate(spec: &AdaptorSpec, repo_dir: &Path) -> Result<LocatedAdaptor, String> {
    if let Some(path) = &spec.path {
        let dir = std::fs::canonicalize(path)
            .map_err(|e| format!("adaptor path {}: {e}", path.display()))?;
        let version = read_version(&dir).unwrap_or_else(|| "local".into());
        return Ok(LocatedAdaptor {
            name: spec.name.clone(),
            version,
            dir,
        });
    }
    let candidates = installed_versions(&spec.name, repo_dir);
    match choose_installed(candidates, spec.version.as_deref()) {
        Some((version, dir)) => Ok(LocatedAdaptor { name: spec.name.clone(), version, dir }),
        None => Err(format!(
            "adaptor {}{} is not installed in {} (install it with `fnhost repo install {}{}`, or pass -a NAME=PATH)",
            spec.name,
            spec.version.as_deref().map(|v| format!("@{v}")).unwrap_or_default(),
            repo_dir.display(),
            spec.name,
            spec.version.as_deref().map(|v| format!("@{v}")).unwrap_or_default(),
        )),
    }
}

/// An entry of `fnhost repo list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedPackage {
    /// Package name.
    pub name: String,
    /// Installed version.
    pub version: String,
    /// Package directory.
    pub dir: PathBuf,
}

/// Every adaptor version installed in the repo, sorted by name then semver.
pub fn list(repo_dir: &Path) -> Vec<ListedPackage> {
    let modules = repo_dir.join("node_modules");
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(&modules).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if name.starts_with('@') {
            for inner in std::fs::read_dir(entry.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                dirs.push(inner.path());
            }
        } else {
            dirs.push(entry.path());
        }
    }
    let mut out: Vec<ListedPackage> = dirs
        .into_iter()
        .filter_map(|dir| {
            let (name, version) = read_manifest(&dir)?;
            Some(ListedPackage { name, version, dir })
        })
        .collect();
    out.sort_by(|a, b| {
        a.name.cmp(&b.name).then_with(|| {
            match (Version::parse(&a.version), Version::parse(&b.version)) {
                (Ok(x), Ok(y)) => x.cmp(&y),
                _ => a.version.cmp(&b.version),
            }
        })
    });
    out
}

/// Removes every installed adaptor (and unfinished installs) from the repo.
pub fn clean(repo_dir: &Path) -> Result<(), RepoError> {
    for sub in ["node_modules", ".staging"] {
        let path = repo_dir.join(sub);
        match std::fs::remove_dir_all(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(RepoError::Io {
                    path,
                    message: e.to_string(),
                });
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_openfn_shorthands() {
        let s = AdaptorSpec::parse("common").unwrap();
        assert_eq!(s.name, "@openfn/language-common");
        assert_eq!(s.version, None);
        let s = AdaptorSpec::parse("http@7.2.10").unwrap();
        assert_eq!(
            (s.name.as_str(), s.version.as_deref()),
            ("@openfn/language-http", Some("7.2.10"))
        );
        let s = AdaptorSpec::parse("@openfn/language-http@^7").unwrap();
        assert_eq!(
            (s.name.as_str(), s.version.as_deref()),
            ("@openfn/language-http", Some("^7"))
        );
        let s = AdaptorSpec::parse("@openfn/language-common@latest").unwrap();
        assert_eq!(s.version, None);
        let s = AdaptorSpec::parse("my-adaptor=/tmp/x").unwrap();
        assert_eq!(s.name, "@openfn/language-my-adaptor");
        assert_eq!(s.path, Some(PathBuf::from("/tmp/x")));
        assert!(AdaptorSpec::parse("").is_err());
    }

    #[test]
    fn installed_choice_uses_semver() {
        let c = || {
            vec![
                ("3.9.1".to_string(), 1),
                ("3.10.0".to_string(), 2),
                ("4.0.0-rc.1".to_string(), 3),
                ("bad".to_string(), 4),
            ]
        };
        assert_eq!(choose_installed(c(), None).map(|x| x.1), Some(3));
        let c2 = vec![
            ("3.9.1".to_string(), 1),
            ("3.10.0".to_string(), 2),
            ("3.0.0-rc1".to_string(), 0),
        ];
        assert_eq!(choose_installed(c2, None).map(|x| x.1), Some(2));
        assert_eq!(choose_installed(c(), Some("^3")).map(|x| x.1), Some(2));
        assert_eq!(choose_installed(c(), Some("~3.9")).map(|x| x.1), Some(1));
        assert_eq!(choose_installed(c(), Some("3.9.1")).map(|x| x.1), Some(1));
        assert_eq!(choose_installed(c(), Some("^4")).map(|x| x.1), None);
        assert_eq!(
            choose_installed(c(), Some("4.0.0-rc.1")).map(|x| x.1),
            Some(3)
        );
        assert_eq!(choose_installed(c(), Some("5.0.0")), None);
    }

    #[test]
    fn locate_reads_the_repo_layout() {
        let repo = std::env::temp_dir().join(format!("fnhost-locate-{}", tarball::unique()));
        for v in ["1.9.0", "1.10.0"] {
            let dir = repo
                .join("node_modules")
                .join(installed_dir_name("@openfn/language-x", v));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(
                dir.join("package.json"),
                format!(r#"{{"name":"@openfn/language-x","version":"{v}"}}"#),
            )
            .unwrap();
        }
        let found = locate(&AdaptorSpec::parse("x").unwrap(), &repo).unwrap();
        assert_eq!(found.version, "1.10.0");
        let found = locate(&AdaptorSpec::parse("x@~1.9").unwrap(), &repo).unwrap();
        assert_eq!(found.version, "1.9.0");
        assert!(locate(&AdaptorSpec::parse("x@2").unwrap(), &repo).is_err());
        let listed: Vec<String> = list(&repo)
            .into_iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect();
        assert_eq!(
            listed,
            ["@openfn/language-x@1.9.0", "@openfn/language-x@1.10.0"]
        );
        clean(&repo).unwrap();
        assert!(list(&repo).is_empty());
        std::fs::remove_dir_all(&repo).unwrap();
    }
}
