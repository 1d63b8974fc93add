//! The interface through which ops reach the embedding engine (resolver, compiler, job maps).
//!
//! Ops cannot name the engine's types directly (build.rs compiles them alone), so the runtime
//! installs an implementation of [`EngineHost`] in the `OpState` as a [`HostHandle`].

use std::rc::Rc;

use serde::Serialize;

use super::modules::Resolved;

/// An adaptor a job may auto-import from: its specifier and the names it exports.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct AdaptorExports {
    /// Module specifier, e.g. `@openfn/language-common`.
    pub specifier: String,
    /// Export names as the job sees them (after OpenFn's linker rules).
    pub exports: Vec<String>,
}

/// A job compiled for the job realm.
#[derive(Debug, Clone, Serialize)]
pub struct PreparedJob {
    /// Handle for [`EngineHost::map_position`].
    pub id: u32,
    /// A classic script evaluating to `async (namespaces, exports) => …`.
    pub script: String,
    /// Specifiers the job imports, in the order the script expects their namespaces.
    pub imports: Vec<String>,
    /// Export names bound from each of `imports` (see [`crate::runtime::job_script::JobScript`]).
    pub bindings: Vec<Vec<String>>,
    /// OpenFn's operation list: the callee name and 1-based source line of each operation.
    pub operations: Vec<OperationMeta>,
}

/// Name and line of one top-level operation.
#[derive(Debug, Clone, Serialize)]
pub struct OperationMeta {
    /// The callee's name, e.g. `fn`.
    pub name: String,
    /// 1-based line in the job's source.
    pub line: u32,
    /// 1-based position of the operation in the job.
    pub order: u32,
}

/// A position in the job's original source.
#[derive(Debug, Clone, Serialize)]
pub struct SourcePosition {
    /// 1-based line.
    pub line: u32,
    /// Column as OpenFn reports it.
    pub column: u32,
    /// The source line's text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src: Option<String>,
}

/// What the engine provides to its ops.
pub trait EngineHost {
    /// Resolves `specifier` as imported from the file `referrer` (`import` or `require` rules).
    fn resolve(
        &self,
        specifier: &str,
        referrer: &str,
        for_require: bool,
    ) -> Result<Resolved, String>;
    /// Reads a module file's source text.
    fn read_source(&self, path: &str) -> Result<String, String>;
    /// Prepares a job source for the job realm: compiled with OpenFn's rules, or taken as an
    /// ES module as it is when `compile` is false (`--no-compile`).
    fn compile_job(
        &self,
        source: &str,
        adaptors: &[AdaptorExports],
        name: &str,
        ignore: &[String],
        compile: bool,
    ) -> Result<PreparedJob, String>;
    /// Maps a generated position of a compiled job back to its source.
    fn map_position(&self, job: u32, line: u32, column: u32) -> Option<SourcePosition>;
}

/// Shared handle to the [`EngineHost`] stored in the `OpState`.
#[derive(Clone)]
pub struct HostHandle(pub Rc<dyn EngineHost>);
