//! Test helpers: run chosen transforms on a source and compare the output
//! with expected JavaScript after normalising both through oxc, so tests
//! check structure rather than kit's (recast's) formatting.

use oxc::allocator::Allocator;
use oxc::codegen::{Codegen, CodegenOptions, CommentOptions};
use oxc::parser::{ParseOptions, Parser};
use oxc::span::SourceType;

use super::position::LineIndex;
use super::{parse, transform, CompileError, CompileOptions, OperationInfo, Transforms};

/// Parses and reprints `js` without comments: the canonical form used to
/// compare generated and expected code.
pub(crate) fn normalize(js: &str) -> String {
    let allocator = Allocator::default();
    let options = ParseOptions {
        preserve_parens: false,
        ..ParseOptions::default()
    };
    let ret = Parser::new(&allocator, js, SourceType::mjs())
        .with_options(options)
        .parse();
    assert!(
        !ret.diagnostics.has_errors() && !ret.panicked,
        "not valid JavaScript: {js}\n{:?}",
        ret.diagnostics
    );
    let options = CodegenOptions {
        comments: CommentOptions::disabled(),
        ..CodegenOptions::default()
    };
    Codegen::new()
        .with_options(options)
        .build(&ret.program)
        .code
}

/// Runs the chosen transforms on `src`; returns printed code and operations.
pub(crate) fn run_with(
    src: &str,
    which: Transforms,
    opts: &CompileOptions,
) -> Result<(String, Vec<OperationInfo>), CompileError> {
    let allocator = Allocator::default();
    let src = parse::prepare_source(src);
    let index = LineIndex::new(src);
    let mut program = parse::parse(&allocator, src, &index)?;
    let operations = transform(&mut program, &allocator, &index, opts, which)?;
    let code = Codegen::new().build(&program).code;
    Ok((code, operations))
}

/// Asserts that the transforms turn `src` into code equivalent to `expected`.
pub(crate) fn assert_js_with(src: &str, which: Transforms, opts: &CompileOptions, expected: &str) {
    let (code, _) =
        run_with(src, which, opts).unwrap_or_else(|e| panic!("{src:?} failed to compile: {e}"));
    let actual = normalize(&code);
    let expected = normalize(expected);
    assert_eq!(actual, expected, "\nsource: {src}\ngenerated: {code}");
}

/// [`assert_js_with`] with default options (no adaptors).
pub(crate) fn assert_js(src: &str, which: Transforms, expected: &str) {
    assert_js_with(src, which, &CompileOptions::default(), expected);
}

/// Runs the transforms and expects a compile error.
pub(crate) fn run_err(src: &str, which: Transforms) -> CompileError {
    run_err_with(src, which, &CompileOptions::default())
}

/// [`run_err`] with options.
pub(crate) fn run_err_with(src: &str, which: Transforms, opts: &CompileOptions) -> CompileError {
    match run_with(src, which, opts) {
        Ok((code, _)) => panic!("{src:?} should not compile, got:\n{code}"),
        Err(e) => e,
    }
}
