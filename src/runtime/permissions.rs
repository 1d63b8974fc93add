//! What a run may touch through Deno's node extension: the `deno_permissions` container every
//! one of its ops checks before it opens a socket, reads a file or a variable.
//!
//! fnhost's rules, per run: network allowed by default (as in OpenFn) and restrictable with
//! [`NetRules`]; no file reads or writes through these ops (adaptors' modules are read by
//! fnhost's own loader, inside the packages the run was given); no environment (fnhost's
//! `process.env` is the run's allow-list, not the host's); no subprocesses, no FFI. Loading the
//! system's root certificates (`sys: "ca"`) is allowed so `https` verifies servers as Node does.

use std::sync::Arc;

use deno_permissions::{
    Permissions, PermissionsContainer, PermissionsOptions, RuntimePermissionDescriptorParser,
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
        container(&rules)?;
        Ok(rules)
    }
}

/// The permission container of one run.
pub fn container(net: &NetRules) -> Result<PermissionsContainer, String> {
    let parser = Arc::new(RuntimePermissionDescriptorParser::new(
        sys_traits::impls::RealSys,
    ));
    let options = PermissionsOptions {
        // `Some(empty)` means "every host" to deno_permissions
        allow_net: Some(net.allow.clone().unwrap_or_default()),
        deny_net: (!net.deny.is_empty()).then(|| net.deny.clone()),
        // `None` grants nothing; `ignore_env: Some(empty)` makes a refused variable read as
        // undefined instead of throwing, which is what fnhost's allow-list does
        allow_env: None,
        ignore_env: Some(Vec::new()),
        allow_sys: Some(vec!["ca".into()]),
        allow_read: None,
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
