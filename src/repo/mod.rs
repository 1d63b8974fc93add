//! The adaptor repository: where OpenFn language packages live on disk and how an adaptor
//! spec (`common`, `http@7.2.10`, `name=PATH`) is found there.
//!
//! Layout (the same as OpenFn's CLI repo): `<repo>/node_modules/<name>_<version>/` per installed
//! version, so several versions live side by side; a plain `<repo>/node_modules/<name>/` is also
//! accepted.

use std::path::{Path, PathBuf};

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
        let name = expand_name(name);
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

fn split_version(spec: &str) -> (&str, Option<&str>) {
    let search_from = usize::from(spec.starts_with('@'));
    match spec[search_from..].find('@') {
        Some(i) => (&spec[..search_from + i], Some(&spec[search_from + i + 1..])),
        None => (spec, None),
    }
}

fn expand_name(name: &str) -> String {
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
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    home.join(".fnhost").join("repo")
}

fn read_version(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json.get("version")?.as_str().map(str::to_string)
}

fn version_key(v: &str) -> (Vec<u64>, bool) {
    let (core, pre) = match v.split_once('-') {
        Some((c, _)) => (c, true),
        None => (v, false),
    };
    (
        core.split('.').map(|p| p.parse().unwrap_or(0)).collect(),
        !pre,
    )
}

/// Finds `spec` in the repo at `repo_dir` (or at its explicit path).
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
    let modules = repo_dir.join("node_modules");
    let (scope_dir, base) = match spec.name.rsplit_once('/') {
        Some((scope, base)) => (modules.join(scope), base.to_string()),
        None => (modules.clone(), spec.name.clone()),
    };
    let mut candidates: Vec<(String, PathBuf)> = Vec::new();
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
    let chosen = match &spec.version {
        Some(want) => candidates.into_iter().find(|(v, _)| v == want),
        None => candidates
            .into_iter()
            .max_by(|a, b| version_key(&a.0).cmp(&version_key(&b.0))),
    };
    match chosen {
        Some((version, dir)) => Ok(LocatedAdaptor { name: spec.name.clone(), version, dir }),
        None => Err(format!(
            "adaptor {}{} is not installed in {} (install it with `npm install --prefix {} {}_VERSION@npm:{}@VERSION`, or pass -a NAME=PATH)",
            spec.name,
            spec.version.as_deref().map(|v| format!("@{v}")).unwrap_or_default(),
            repo_dir.display(),
            repo_dir.display(),
            spec.name,
            spec.name
        )),
    }
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
    fn version_order_is_numeric() {
        assert!(version_key("3.10.0") > version_key("3.9.1"));
        assert!(version_key("3.0.0") > version_key("3.0.0-rc1"));
    }
}
