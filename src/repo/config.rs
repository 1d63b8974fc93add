//! Where installs come from and where downloads are kept: the registry (flag, environment or
//! `.npmrc`, as npm looks it up) and the shared content cache directory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The public npm registry, used when nothing else is configured.
pub const DEFAULT_REGISTRY: &str = "https://registry.npmjs.org/";

/// Registry URLs: a default one and per-scope overrides (`@scope:registry=` in `.npmrc`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryConfig {
    /// Registry for unscoped packages and scopes without an override; ends with `/`.
    pub default: String,
    /// Registry per scope (`@openfn` → URL ending with `/`).
    pub scoped: HashMap<String, String>,
}

impl RegistryConfig {
    /// A configuration with one registry for every package.
    pub fn single(url: &str) -> Self {
        RegistryConfig {
            default: with_slash(url),
            scoped: HashMap::new(),
        }
    }

    /// Looks the registry up the way npm does, highest priority first: `flag` (`--registry`),
    /// `$FNHOST_REGISTRY`, `$npm_config_registry`, the `registry=` line of `./.npmrc`, of the
    /// user config (`$NPM_CONFIG_USERCONFIG` or `~/.npmrc`), else the public registry.
    /// Scoped `@scope:registry=` lines of those files apply unless a flag or variable was given.
    pub fn discover(flag: Option<&str>) -> Self {
        let explicit = flag
            .map(str::to_string)
            .or_else(|| std::env::var("FNHOST_REGISTRY").ok())
            .or_else(|| std::env::var("npm_config_registry").ok())
            .or_else(|| std::env::var("NPM_CONFIG_REGISTRY").ok())
            .filter(|s| !s.trim().is_empty());
        if let Some(url) = explicit {
            return RegistryConfig::single(url.trim());
        }
        let mut files = Vec::new();
        if let Ok(cwd) = std::env::current_dir() {
            files.push(cwd.join(".npmrc"));
        }
        match std::env::var_os("NPM_CONFIG_USERCONFIG")
            .or_else(|| std::env::var_os("npm_config_userconfig"))
        {
            Some(path) => files.push(PathBuf::from(path)),
            None => {
                if let Some(home) = std::env::var_os("HOME") {
                    files.push(Path::new(&home).join(".npmrc"));
                }
            }
        }
        let mut config = RegistryConfig::single(DEFAULT_REGISTRY);
        // Earlier files win, so apply them in reverse.
        for file in files.iter().rev() {
            let Ok(text) = std::fs::read_to_string(file) else {
                continue;
            };
            let parsed = parse_npmrc(&text);
            if let Some(url) = parsed.get("registry") {
                config.default = with_slash(url);
            }
            for (key, url) in &parsed {
                if let Some(scope) = key.strip_suffix(":registry").filter(|s| s.starts_with('@')) {
                    config.scoped.insert(scope.to_string(), with_slash(url));
                }
            }
        }
        config
    }

    /// The registry serving package `name`.
    pub fn for_package(&self, name: &str) -> &str {
        if let Some((scope, _)) = name.split_once('/') {
            if let Some(url) = self.scoped.get(scope) {
                return url;
            }
        }
        &self.default
    }
}

fn with_slash(url: &str) -> String {
    let url = url.trim();
    if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    }
}

/// Parses the `key=value` lines of an `.npmrc` (comments `;`/`#`, `${VAR}` expansion).
pub fn parse_npmrc(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"');
        out.insert(key.trim().to_string(), expand_env(value));
    }
    out
}

fn expand_env(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find('}') {
            Some(end) => {
                let var = &rest[start + 2..start + 2 + end];
                out.push_str(&std::env::var(var).unwrap_or_default());
                rest = &rest[start + 3 + end..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The shared content cache: `$FNHOST_CACHE_DIR`, else `$XDG_CACHE_HOME/fnhost`, else
/// `~/.cache/fnhost`. Tarballs are stored there by integrity hash, for every repo.
pub fn default_cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("FNHOST_CACHE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("fnhost");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    home.join(".cache").join("fnhost")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npmrc_lines() {
        let rc = parse_npmrc(
            "; comment\nregistry = http://r.example/\n@openfn:registry=http://o.example\n# x=y\n",
        );
        assert_eq!(
            rc.get("registry").map(String::as_str),
            Some("http://r.example/")
        );
        assert_eq!(
            rc.get("@openfn:registry").map(String::as_str),
            Some("http://o.example")
        );
        assert!(!rc.contains_key("# x"));
    }

    #[test]
    fn scoped_registry_wins_for_its_scope() {
        let mut c = RegistryConfig::single("http://a.example");
        c.scoped
            .insert("@openfn".into(), "http://b.example/".into());
        assert_eq!(c.for_package("@openfn/language-http"), "http://b.example/");
        assert_eq!(c.for_package("lodash"), "http://a.example/");
        assert_eq!(c.for_package("@other/x"), "http://a.example/");
    }
}
