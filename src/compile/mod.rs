//! The job compiler: turns an OpenFn job source into an ES module the runtime
//! can execute, with the semantics of OpenFn's `@openfn/compiler`.
//!
//! OpenFn jobs are written as a list of top-level operation calls
//! (`get(...); each(...);`) with implicit adaptor imports and the `$` lazy
//! state shorthand. The runtime needs a module whose default export is the
//! array of operations. Like kit, compilation runs these transforms in order:
//!
//! 1. `lazy_state`: `$.a.b` inside an operation argument becomes
//!    `state => state.a.b`;
//! 2. `promises`: `op().then(...)` chains become `_defer(op(), p => ...)`;
//! 3. `ensure_exports`: an `export default [];` is added;
//! 4. `top_level_operations`: top-level calls move into that array;
//! 5. `add_imports`: adaptor functions the job uses are imported.
//!
//! The result is printed with oxc's codegen together with a source map, so
//! runtime errors can be reported at positions of the user's own source.
//!
//! kit's behaviour is reproduced down to its quirks, checked against kit's
//! own compiler on its test suite and many more jobs: the same code comes
//! out (up to formatting), and the same jobs fail, with kit's messages —
//! including valid code kit cannot compile (see [`CompileErrorKind`]).

mod add_imports;
pub mod declared_exports;
mod ensure_exports;
mod estree;
mod lazy_state;
mod nodes;
mod parse;
mod position;
mod promises;
mod source_map;
mod top_level_operations;

#[cfg(test)]
mod test_util;

use std::fmt;

use oxc::allocator::Allocator;
use oxc::ast::ast::Program;
use oxc::ast::builder::AstBuilder;

use position::LineIndex;
use source_map::Mapping;

/// An adaptor whose exports may be imported automatically into a job.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdaptorInfo {
    /// Module specifier to import from, e.g. `@openfn/language-common`
    /// (kit strips any `@version` suffix before compiling).
    pub specifier: String,
    /// Names the adaptor exports. When empty, kit's fallback applies: every
    /// undeclared identifier in the job, except JavaScript/Node globals, is
    /// imported from this adaptor.
    pub exports: Vec<String>,
}

impl AdaptorInfo {
    /// An adaptor with the given specifier and export names.
    pub fn new(
        specifier: impl Into<String>,
        exports: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            specifier: specifier.into(),
            exports: exports.into_iter().map(Into::into).collect(),
        }
    }
}

/// Options for [`compile_job`], mirroring kit's compiler options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileOptions {
    /// Adaptors to auto-import from, in order (kit's `add-imports.adaptors`).
    pub adaptors: Vec<AdaptorInfo>,
    /// Identifiers never to auto-import (kit's `add-imports.ignore`; the CLI
    /// fills it with the exports of a workflow's globals).
    pub ignore: Vec<String>,
    /// Add `export * from "<adaptor>"` next to each adaptor import, as the
    /// OpenFn CLI and engine do (`exportAll: true`). Default `true`.
    pub export_all: bool,
    /// Job name used for the source map's file names (`<name>.js`);
    /// kit's default is `src`.
    pub name: Option<String>,
}

impl Default for CompileOptions {
    fn default() -> Self {
        Self {
            adaptors: Vec::new(),
            ignore: Vec::new(),
            export_all: true,
            name: None,
        }
    }
}

/// One top-level operation of a compiled job, as recorded by kit in
/// `sourceMap.operations` (used to attribute adaptor errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationInfo {
    /// Callee name (`fn` for `fn(...)`); empty when the callee is not a
    /// plain identifier (e.g. `http.get(...)`), where kit has `undefined`.
    /// Promise chains compiled to `_defer(...)` are named `_defer`, as in kit.
    pub name: String,
    /// 1-based line of the operation in the original source.
    pub line: u32,
    /// 1-based position of the operation in the exported array (kit's `order`).
    pub order: u32,
}

/// A compiled job: module code, operation index and source map.
#[derive(Debug, Clone)]
pub struct CompiledJob {
    /// The ES module source to execute.
    pub code: String,
    /// The job's top-level operations, in execution order.
    pub operations: Vec<OperationInfo>,
    /// Source map (v3 JSON) from `code` back to the original job source.
    pub source_map: String,
    mappings: Vec<Mapping>,
}

impl CompiledJob {
    /// Maps a position in the compiled `code` (1-based line, 1-based column,
    /// as in V8 stack traces) to the position in the original job source
    /// (1-based line, 1-based column). Columns count UTF-16 code units.
    ///
    /// Returns `None` when no mapping on that line starts at or before the
    /// column.
    pub fn original_position(&self, line: u32, col: u32) -> Option<(u32, u32)> {
        source_map::lookup(&self.mappings, line, col)
    }
}

/// What kind of compile error occurred (kit's error class name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompileErrorKind {
    /// The source is not a valid ES module.
    SyntaxError,
    /// A `$` lazy state reference cannot be compiled.
    LazyStateError,
    /// Valid JavaScript that OpenFn's compiler fails on, reproduced here:
    /// what its tokenizer (esprima 4) cannot lex — BigInt literals, numeric
    /// separators, private names, hashbangs — and what its AST library
    /// (ast-types) cannot walk — class fields, `catch` without a binding.
    /// A plain `Error` in kit.
    Unsupported,
}

impl CompileErrorKind {
    /// kit's name for the error class (`SyntaxError`, `LazyStateError`,
    /// or `Error` for unsupported code).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SyntaxError => "SyntaxError",
            Self::LazyStateError => "LazyStateError",
            Self::Unsupported => "Error",
        }
    }
}

/// A job that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// Error message in OpenFn's wording and format, as the OpenFn CLI
    /// prints it. Syntax and lazy state errors end in `(line:column)` where —
    /// as in acorn and kit — the line is 1-based and the column is
    /// **0-based**, e.g. `Lazy State Error: Must be inside an operation (1:10)`
    /// or `Unexpected token (4:0)`; tokenizer errors read
    /// `Line 3: Unexpected token ILLEGAL`; other unsupported code gets kit's
    /// crash message (e.g. `did not recognize object of type "PropertyDefinition"`).
    pub message: String,
    /// 1-based line of the error in the original source.
    pub line: u32,
    /// 1-based column (UTF-16 code units) of the error in the original source.
    pub column: u32,
    /// The offending source line, then a line with a caret under the column.
    pub frame: String,
    /// kit's error class.
    pub kind: CompileErrorKind,
    /// Extra explanation, as kit attaches to some lazy state errors.
    pub details: Option<String>,
}

impl CompileError {
    /// Builds an error at a byte offset of the source, appending OpenFn's
    /// `(line:column)` suffix to `message`.
    pub(crate) fn at(
        kind: CompileErrorKind,
        index: &LineIndex,
        offset: u32,
        message: String,
    ) -> Self {
        let (line, col0) = index.line_col(offset);
        Self::plain(kind, index, offset, format!("{message} ({line}:{col0})"))
    }
}

impl CompileError {
    /// Builds an error at a byte offset of the source with `message` as is.
    pub(crate) fn plain(
        kind: CompileErrorKind,
        index: &LineIndex,
        offset: u32,
        message: String,
    ) -> Self {
        let (line, col0) = index.line_col(offset);
        Self {
            message,
            line,
            column: col0 + 1,
            frame: index.frame(line, col0),
            kind,
            details: None,
        }
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n{}", self.message, self.frame)?;
        if let Some(details) = &self.details {
            write!(f, "\n{details}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CompileError {}

/// Compiles an OpenFn job source into an ES module.
///
/// Errors are syntax errors, lazy state (`$`) errors and code OpenFn's
/// compiler cannot handle, positioned in the original source.
pub fn compile_job(source: &str, opts: &CompileOptions) -> Result<CompiledJob, CompileError> {
    let allocator = Allocator::default();
    let source = parse::prepare_source(source);
    let index = LineIndex::new(source);
    let mut program = parse::parse(&allocator, source, &index)?;
    let operations = transform(&mut program, &allocator, &index, opts, Transforms::ALL)?;
    let name = opts.name.as_deref().unwrap_or("src");
    let printed = source_map::print(&program, name);
    Ok(CompiledJob {
        code: printed.code,
        operations,
        source_map: printed.json,
        mappings: printed.mappings,
    })
}

/// Which transforms to run; kit can disable each one individually.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Transforms {
    /// kit's `lazy-state`.
    pub lazy_state: bool,
    /// kit's `promises`.
    pub promises: bool,
    /// kit's `ensure-exports`.
    pub ensure_exports: bool,
    /// kit's `top-level-operations`.
    pub top_level_operations: bool,
    /// kit's `add-imports`.
    pub add_imports: bool,
}

impl Transforms {
    /// Every transform, as `compile_job` runs them.
    pub const ALL: Self = Self {
        lazy_state: true,
        promises: true,
        ensure_exports: true,
        top_level_operations: true,
        add_imports: true,
    };
    /// No transform at all.
    #[cfg(test)]
    pub const NONE: Self = Self {
        lazy_state: false,
        promises: false,
        ensure_exports: false,
        top_level_operations: false,
        add_imports: false,
    };
}

/// Runs the enabled transforms in kit's order and returns the operations
/// index written by `top-level-operations`.
pub(crate) fn transform<'a>(
    program: &mut Program<'a>,
    allocator: &'a Allocator,
    index: &LineIndex,
    opts: &CompileOptions,
    which: Transforms,
) -> Result<Vec<OperationInfo>, CompileError> {
    let builder = AstBuilder::new(allocator);
    if which.lazy_state {
        lazy_state::transform(program, &builder, index)?;
    }
    if which.promises {
        promises::transform(program, &builder);
    }
    if which.ensure_exports {
        ensure_exports::transform(program, &builder);
    }
    let mut operations = Vec::new();
    if which.top_level_operations {
        operations = top_level_operations::transform(program, &builder, index);
    }
    if which.add_imports {
        add_imports::transform(program, &builder, index, opts)?;
    }
    Ok(operations)
}

#[cfg(test)]
mod tests;
