//! Deno's node extension (`deno_node`) hosted in fnhost: the Deno crates it needs, in Deno's
//! order, and what a host must give them.
//!
//! Node's network and crypto modules (`http`, `https`, `net`, `tls`, `dns`, the signing and
//! cipher half of `crypto`) come from Deno's node extension, implemented over Rust ops
//! (`deno_net`, `deno_tls`, `deno_node_crypto`) and tested by Deno against Node's own suite.
//! fnhost keeps its own module loading (the grants in [`super::loader`], the undici bridge) and
//! its job realm; `js/09_node_host.js` gives the extension's JavaScript what Deno's runtime
//! would (error classes, build info, the `Deno.*` members it reads, the process bootstrap).
//!
//! What a host must provide, and where it is here:
//! - the extensions in order ([`node_extensions`]), the same list in `build.rs` (the snapshot)
//!   and at run time;
//! - ops the polyfills import from crates fnhost does not use (`deno_runtime`, `deno_http`,
//!   `deno_napi`): [`fnhost_node_stubs`], each answering "not here";
//! - `ext:runtime/98_global_scope_shared.js`, imported by `node:console` ([`runtime`]);
//! - per run, in the op state: the [`deno_permissions::PermissionsContainer`] every op checks
//!   before it touches a socket, a file or a variable (see `super::permissions`), and a
//!   `deno_features::FeatureChecker` (`deno_net` asks it about unstable APIs; none are on);
//! - the TypeScript polyfills transpiled, once, at build time (`build.rs`), and the lazily loaded
//!   sources the snapshot did not evaluate as static tables (`RESIDUAL_*`, generated there).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use deno_core::url::Url;
use deno_core::v8;
use deno_core::OpState;

/// fnhost keeps its own CommonJS loader, so the node extension's `require` services are not
/// given (`None`); these types only name what it would ask for: "is this file in an npm
/// package?" and "where is package X?". Neither is asked without the services.
#[derive(Clone, Debug)]
pub struct NoNpm;

impl node_resolver::InNpmPackageChecker for NoNpm {
    fn in_npm_package(&self, _specifier: &Url) -> bool {
        false
    }
}

impl node_resolver::NpmPackageFolderResolver for NoNpm {
    fn resolve_package_folder_from_package(
        &self,
        specifier: &str,
        referrer: &node_resolver::UrlOrPathRef,
    ) -> Result<PathBuf, node_resolver::errors::PackageFolderResolveError> {
        use node_resolver::errors::{
            PackageFolderResolveError, PackageFolderResolveErrorKind, PackageNotFoundError,
        };
        Err(PackageFolderResolveError(Box::new(
            PackageFolderResolveErrorKind::PackageNotFound(PackageNotFoundError {
                package_name: specifier.to_string(),
                referrer: referrer.display(),
                referrer_extra: None,
            }),
        )))
    }

    fn resolve_types_package_folder(
        &self,
        _types_package_name: &str,
        _maybe_package_version: Option<&deno_semver::Version>,
        _maybe_referrer: Option<&node_resolver::UrlOrPathRef>,
    ) -> Option<PathBuf> {
        None
    }
}

// Ops the node polyfills import from `ext:core/ops` that live in Deno crates fnhost does not
// link (deno_runtime's worker host and bootstrap, deno_http, deno_napi). Each gives the answer
// of a host without that feature.

/// `process.cpuUsage()` of a worker thread (deno_runtime): fnhost reports none.
#[deno_core::op2(fast)]
fn op_current_thread_cpu_usage(#[buffer] out: &mut [f64]) {
    for v in out.iter_mut().take(2) {
        *v = 0.0;
    }
}

/// The terminal's colour depth (deno_runtime's bootstrap): runs have no terminal.
#[deno_core::op2(fast)]
fn op_bootstrap_color_depth() -> i32 {
    1
}

/// `process.dlopen` / native addons (deno_napi): never in fnhost.
#[deno_core::op2(fast)]
fn op_napi_open() -> Result<(), deno_error::JsErrorBox> {
    Err(deno_error::JsErrorBox::generic(
        "native addons are not supported in fnhost",
    ))
}

/// deno_http's listen-address override for `node:http` servers: none.
#[deno_core::op2]
fn op_http_serve_address_override() -> (u8, String, u32, bool) {
    (0, String::new(), 0, false)
}

/// deno_http's "a server is listening" notice: nobody to notify.
#[deno_core::op2(fast)]
fn op_http_notify_serving(#[smi] _kind: u32) {}

/// Does the code calling into a polyfill come from an npm package (Node warns about deprecated
/// calls such as `new Buffer()` only in the program's own code)? Replaces deno_node's op of the
/// same name, which asks Deno's npm resolver; fnhost's packages all live below a
/// `node_modules` directory, so the script path says it. Frames of the engine's own modules
/// (`ext:`, `node:`) are skipped; a call with no other frame counts as a dependency's.
#[deno_core::op2(fast)]
fn op_fnhost_call_is_from_dependency(scope: &mut v8::PinScope<'_, '_>) -> bool {
    let Some(trace) = v8::StackTrace::current_stack_trace(scope, 20) else {
        return false;
    };
    for i in 0..trace.get_frame_count() {
        let Some(frame) = trace.get_frame(scope, i) else {
            continue;
        };
        let Some(script) = frame.get_script_name(scope) else {
            continue;
        };
        let name = script.to_rust_string_lossy(scope);
        if name.starts_with("ext:") || name.starts_with("node:") {
            continue;
        }
        return name.contains("/node_modules/");
    }
    true
}

/// The environment variables a run may see (the `--env` allow-list with fnhost's values).
pub struct RunEnvironment(pub BTreeMap<String, String>);

/// Replaces deno_os's `op_get_env_no_permission_check`, which Deno's `http` (proxy variables)
/// and `tls` (`NODE_EXTRA_CA_CERTS`, certificate stores) call to read the host's environment
/// past the permission check: in fnhost they read the run's allow-list, like `process.env`.
#[deno_core::op2]
#[string]
fn op_fnhost_get_run_env(state: &mut OpState, #[string] key: &str) -> Option<String> {
    state
        .try_borrow::<RunEnvironment>()
        .and_then(|env| env.0.get(key).cloned())
}

/// The target `process.arch` and `os.platform()` report (Deno's runtime sets it at start).
#[deno_core::op2]
#[string]
fn op_fnhost_build_target() -> String {
    let os = std::env::consts::OS;
    let abi = if os == "linux" { "-gnu" } else { "" };
    format!("{}-unknown-{os}{abi}", std::env::consts::ARCH)
}

deno_core::extension!(
    fnhost_node_stubs,
    ops = [
        op_fnhost_build_target,
        op_current_thread_cpu_usage,
        op_bootstrap_color_depth,
        op_napi_open,
        op_http_serve_address_override,
        op_http_notify_serving,
    ],
);

// `node:console` imports this file of deno_runtime; fnhost's console is the global one.
deno_core::extension!(
    runtime,
    esm_entry_point = "ext:runtime/98_global_scope_shared.js",
    esm = ["ext:runtime/98_global_scope_shared.js" = {
        source = "export const windowOrWorkerGlobalScope = { console: { value: globalThis.console, writable: true, enumerable: false, configurable: true } };"
    }],
);

/// The Deno extensions behind Node's built-ins, in the order Deno's runtime registers them
/// (after deno_webidl and deno_web, before fnhost's own extension).
pub fn node_extensions() -> Vec<deno_core::Extension> {
    let fs: deno_fs::FileSystemRc = deno_fs::sync::MaybeArc::new(deno_fs::RealFs);
    let mut node =
        deno_node::deno_node::init::<NoNpm, NoNpm, sys_traits::impls::RealSys>(None, fs.clone());
    // deno_node maps `node:url`, `node:util`, `node:zlib` and `node:worker_threads` to its own
    // modules before any loader is asked ("synthetic ESM"); fnhost's loader decides what a
    // `node:` import is (src/runtime/loader.rs, `builtin_url`), so the mapping goes. Deno's
    // own modules reach those four through `loadExtScript`, not through these names.
    node.synthetic_esm_modules = std::borrow::Cow::Borrowed(&[]);
    // deno_node's `op_node_call_is_from_dependency` borrows Deno's npm resolver, which fnhost
    // has not: fnhost's own answer takes its place.
    node.middleware_fn = Some(Box::new(|op| {
        if op.name == "op_node_call_is_from_dependency" {
            op.with_implementation_from(&op_fnhost_call_is_from_dependency())
        } else {
            op
        }
    }));
    let mut os = deno_os::deno_os::init(Some(deno_os::ExitCode::default()));
    os.middleware_fn = Some(Box::new(|op| {
        if op.name == "op_get_env_no_permission_check" {
            op.with_implementation_from(&op_fnhost_get_run_env())
        } else {
            op
        }
    }));
    vec![
        deno_telemetry::deno_telemetry::init(),
        deno_crypto::deno_crypto::init(None),
        deno_net::deno_net::init(None, None),
        deno_tls::deno_tls::init(),
        deno_io::deno_io::init(Some(deno_io::Stdio::default())),
        deno_fs::deno_fs::init(fs.clone()),
        os,
        deno_process::deno_process::init(None),
        deno_node_crypto::deno_node_crypto::init(),
        node,
        runtime::init(),
        fnhost_node_stubs::init(),
    ]
}

/// Puts what the node extension's ops borrow from the op state of a fresh runtime.
pub fn install(
    state: &mut deno_core::OpState,
    permissions: deno_permissions::PermissionsContainer,
    env: &BTreeMap<String, String>,
) {
    state.put(permissions);
    state.put(RunEnvironment(env.clone()));
    state.put(Arc::new(deno_features::FeatureChecker::default()));
    // the file-system view some ops (TLS's root certificates) borrow; reads still go through
    // the permission check
    state.put(sys_traits::impls::RealSys);
}
