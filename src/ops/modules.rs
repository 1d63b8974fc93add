//! Module resolution and source reading for the CommonJS `require` implemented in JavaScript.
//!
//! The host decides how specifiers resolve (it owns the Node resolver, the adaptor map and the
//! bridge modules); these ops only forward to it through [`ModuleHost`].

use deno_core::op2;
use deno_core::OpState;
use deno_error::JsErrorBox;
use serde::Serialize;

use super::host::HostHandle;

/// What a `require`/`import` specifier resolved to.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Resolved {
    /// A Node built-in module (`node:path` or `path`), served by the engine's own JS.
    Builtin { name: String },
    /// A file on disk: CommonJS, ES module or JSON.
    File { path: String, format: ModuleFormat },
    /// An engine-provided module addressed by URL (e.g. a bridge module).
    Url { url: String, format: ModuleFormat },
}

/// How a module file is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ModuleFormat {
    /// CommonJS, run with the module wrapper.
    Commonjs,
    /// ECMAScript module.
    Module,
    /// A JSON document.
    Json,
}

fn host(state: &OpState) -> Result<HostHandle, JsErrorBox> {
    state
        .try_borrow::<HostHandle>()
        .cloned()
        .ok_or_else(|| JsErrorBox::generic("the engine host is not installed"))
}

/// Resolves a specifier for `require` (or `import` when `for_require` is false).
#[op2]
#[serde]
pub fn op_module_resolve(
    state: &mut OpState,
    #[string] specifier: &str,
    #[string] referrer: &str,
    for_require: bool,
) -> Result<Resolved, JsErrorBox> {
    let host = host(state)?;
    host.0
        .resolve(specifier, referrer, for_require)
        .map_err(|message| JsErrorBox::new("Error", message))
}

/// Reads the source of a module file that was returned by [`op_module_resolve`].
#[op2]
#[string]
pub fn op_module_read(state: &mut OpState, #[string] path: &str) -> Result<String, JsErrorBox> {
    let host = host(state)?;
    host.0
        .read_source(path)
        .map_err(|message| JsErrorBox::new("Error", message))
}
