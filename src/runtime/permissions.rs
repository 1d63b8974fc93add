//! What a run may touch through Deno's node extension: the `deno_permissions` container every
//! one of its ops checks before it opens a socket, reads a file or a variable.
//!
//! fnhost's rules, per run: network allowed by default (as in OpenFn) and restrictable with
//! [`NetRules`]; file reads only inside the directories the run's modules come from (the
//! adaptor repository and the adaptors' package directories), no writes; no environment (fnhost's
//! `process.env` is the run's allow-list, not the host's); no subprocesses, no FFI. Loading the
//! system's root certificates (`sys: "ca"`) is allowed so `https` verifies servers as Node does.

use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use deno_core::url::Url;
use deno_permissions::{
    AllowRunDescriptorParseResult, DenyRunDescriptor, EnvDescriptor, EnvDescriptorParseError,
    FfiDescriptor, ImportDescriptor, NetDescriptor, NetDescriptorFromUrlParseError,
    NetDescriptorParseError, PathQueryDescriptor, PathResolveError, PermissionDescriptorParser,
    Permissions, PermissionsContainer, PermissionsOptions, ReadDescriptor, RunDescriptorParseError,
    RunQueryDescriptor, RuntimePermissionDescriptorParser, SpecialFilePathQueryDescriptor,
    SysDescriptor, SysDescriptorParseError, WriteDescriptor,
};

/// The hosts a run's adaptors may connect to: `allow` (`None`: every host) minus `deny`.
/// Entries are `host`, `host:port`, `ip` or `ip:port`, as Deno's `--allow-net` takes them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetRules {
    /// Only these hosts; `None` allows every host.
    pub allow: Option<Vec<String>>,
    /// Never these hosts, even when `allow` names them.
    pub deny: Vec<String>,
}

impl NetRules {
    /// Rules from the CLI's comma-separated `--allow-net` / `--deny-net` values.
    pub fn from_lists(allow: Option<&str>, deny: Option<&str>) -> Result<NetRules, String> {
        let split = |list: &str, flag: &str| -> Result<Vec<String>, String> {
            let hosts: Vec<String> = list
                .split(',')
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(String::from)
                .collect();
            if hosts.is_empty() {
                return Err(format!("{flag} needs at least one HOST[:PORT]"));
            }
            Ok(hosts)
        };
        let rules = NetRules {
            allow: allow.map(|l| split(l, "--allow-net")).transpose()?,
            deny: deny
                .map(|l| split(l, "--deny-net"))
                .transpose()?
                .unwrap_or_default(),
        };
        // parse now, so a typo is an error before the run rather than a refusal in it
        container(&rules, &[])?;
        Ok(rules)
    }
}

/// The permission container of one run: `net` as given, file reads below `reads`.
pub fn container(net: &NetRules, reads: &[PathBuf]) -> Result<PermissionsContainer, String> {
    let parser = Arc::new(NoEscapeParser {
        inner: RuntimePermissionDescriptorParser::new(sys_traits::impls::RealSys),
        roots: reads
            .iter()
            .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| lexical(p)))
            .collect(),
    });
    let options = PermissionsOptions {
        // `Some(empty)` means "every host" to deno_permissions
        allow_net: Some(net.allow.clone().unwrap_or_default()),
        deny_net: (!net.deny.is_empty()).then(|| net.deny.clone()),
        // `None` grants nothing; `ignore_env: Some(empty)` makes a refused variable read as
        // undefined instead of throwing, which is what fnhost's allow-list does
        allow_env: None,
        ignore_env: Some(Vec::new()),
        allow_sys: Some(vec!["ca".into()]),
        // `Some(empty)` would grant every path: no grants is `None`
        allow_read: (!reads.is_empty()).then(|| {
            reads
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect()
        }),
        allow_write: None,
        allow_run: None,
        allow_ffi: None,
        allow_import: None,
        prompt: false,
        ..Default::default()
    };
    let permissions = Permissions::from_options(&*parser, &options)
        .map_err(|e| format!("invalid network rule: {e}"))?;
    Ok(PermissionsContainer::new(parser, permissions))
}

/// Deno's descriptor parser, plus the check deno_permissions leaves out: it compares the path
/// as written with the grants, so a symbolic link inside a granted directory would lead
/// anywhere (`package/link -> /etc/passwd`). A path that is inside a grant as written but
/// whose real path is outside every grant is refused here (`PermissionDenied`, naming both).
#[derive(Debug)]
struct NoEscapeParser {
    inner: RuntimePermissionDescriptorParser<sys_traits::impls::RealSys>,
    /// The read grants, as real paths.
    roots: Vec<PathBuf>,
}

impl NoEscapeParser {
    fn inside(&self, path: &Path) -> bool {
        self.roots.iter().any(|root| path.starts_with(root))
    }

    fn check_no_escape(&self, path: &Path) -> Result<(), PathResolveError> {
        let absolute = match std::env::current_dir() {
            Ok(cwd) if path.is_relative() => cwd.join(path),
            _ => path.to_path_buf(),
        };
        let written = lexical(&absolute);
        if !self.inside(&written) {
            return Ok(()); // not granted as written: the permission check refuses it
        }
        match std::fs::canonicalize(&written) {
            Ok(real) if !self.inside(&real) => Err(PathResolveError::Canonicalize(
                std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    format!(
                        "access to {} refused: it leads to {}, outside the directories this run may read",
                        written.display(),
                        real.display()
                    ),
                ),
            )),
            _ => Ok(()),
        }
    }
}

impl PermissionDescriptorParser for NoEscapeParser {
    fn parse_read_descriptor(&self, text: &str) -> Result<ReadDescriptor, PathResolveError> {
        self.inner.parse_read_descriptor(text)
    }
    fn parse_write_descriptor(&self, text: &str) -> Result<WriteDescriptor, PathResolveError> {
        self.inner.parse_write_descriptor(text)
    }
    fn parse_net_descriptor(&self, text: &str) -> Result<NetDescriptor, NetDescriptorParseError> {
        self.inner.parse_net_descriptor(text)
    }
    fn parse_net_descriptor_from_url(
        &self,
        url: &Url,
    ) -> Result<NetDescriptor, NetDescriptorFromUrlParseError> {
        self.inner.parse_net_descriptor_from_url(url)
    }
    fn parse_import_descriptor(
        &self,
        text: &str,
    ) -> Result<ImportDescriptor, NetDescriptorParseError> {
        self.inner.parse_import_descriptor(text)
    }
    fn parse_import_descriptor_from_url(
        &self,
        url: &Url,
    ) -> Result<ImportDescriptor, NetDescriptorFromUrlParseError> {
        self.inner.parse_import_descriptor_from_url(url)
    }
    fn parse_env_descriptor(&self, text: &str) -> Result<EnvDescriptor, EnvDescriptorParseError> {
        self.inner.parse_env_descriptor(text)
    }
    fn parse_sys_descriptor(&self, text: &str) -> Result<SysDescriptor, SysDescriptorParseError> {
        self.inner.parse_sys_descriptor(text)
    }
    fn parse_allow_run_descriptor(
        &self,
        text: &str,
    ) -> Result<AllowRunDescriptorParseResult, RunDescriptorParseError> {
        self.inner.parse_allow_run_descriptor(text)
    }
    fn parse_deny_run_descriptor(&self, text: &str) -> Result<DenyRunDescriptor, PathResolveError> {
        self.inner.parse_deny_run_descriptor(text)
    }
    fn parse_ffi_descriptor(&self, text: &str) -> Result<FfiDescriptor, PathResolveError> {
        self.inner.parse_ffi_descriptor(text)
    }
    fn parse_path_query<'a>(
        &self,
        path: Cow<'a, Path>,
    ) -> Result<PathQueryDescriptor<'a>, PathResolveError> {
        self.check_no_escape(&path)?;
        self.inner.parse_path_query(path)
    }
    fn parse_special_file_descriptor<'a>(
        &self,
        path: PathQueryDescriptor<'a>,
    ) -> Result<SpecialFilePathQueryDescriptor<'a>, PathResolveError> {
        self.inner.parse_special_file_descriptor(path)
    }
    fn parse_net_query(&self, text: &str) -> Result<NetDescriptor, NetDescriptorParseError> {
        self.inner.parse_net_query(text)
    }
    fn parse_run_query<'a>(
        &self,
        requested: &'a str,
    ) -> Result<RunQueryDescriptor<'a>, RunDescriptorParseError> {
        self.inner.parse_run_query(requested)
    }
}

/// `path` with `.` and `..` resolved by name (no file-system access).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_become_rules_and_bad_hosts_are_errors() {
        let rules = NetRules::from_lists(Some("example.com, 127.0.0.1:8080"), None).unwrap();
        assert_eq!(
            rules.allow,
            Some(vec![
                "example.com".to_string(),
                "127.0.0.1:8080".to_string()
            ])
        );
        assert!(NetRules::from_lists(Some(""), None).is_err());
        assert!(NetRules::from_lists(None, Some("exa mple.com:99999")).is_err());
    }
}
