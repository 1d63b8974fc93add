//! Parses job source the way @openfn/compiler does with acorn: as an ES module
//! with the latest syntax, rejecting any syntax error — including the early
//! errors acorn reports, such as redeclared bindings. Errors are worded and
//! positioned as acorn reports the common ones (`Unexpected token (4:0)`).
//!
//! kit also runs esprima's tokenizer over the source (recast does, when the
//! parser supplies no tokens), which rejects BigInt literals, numeric
//! separators and `#` (private names, hashbangs): such jobs fail to compile
//! in OpenFn with `Line N: Unexpected token ILLEGAL`, and so they do here.

use oxc::allocator::Allocator;
use oxc::ast::ast::{
    AccessorProperty, BigIntLiteral, Decorator, NumericLiteral, PrivateIdentifier, Program,
};
use oxc::ast_visit::{walk, Visit};
use oxc::diagnostics::OxcDiagnostic;
use oxc::parser::{ParseOptions, Parser};
use oxc::semantic::SemanticBuilder;
use oxc::span::{GetSpan, SourceType};

use super::position::LineIndex;
use super::{CompileError, CompileErrorKind};

/// Applies kit's only source pre-processing: a single trailing space at the
/// very end of the source is dropped (`source.replace(/\ $/, '')`).
pub(crate) fn prepare_source(source: &str) -> &str {
    source.strip_suffix(' ').unwrap_or(source)
}

/// Parses `source` into an oxc [`Program`], or reports the earliest syntax
/// error as a [`CompileError`].
///
/// Parentheses are not kept as nodes (acorn drops them too), so the tree has
/// the same shape kit's transforms see.
pub(crate) fn parse<'a>(
    allocator: &'a Allocator,
    source: &'a str,
    index: &LineIndex,
) -> Result<Program<'a>, CompileError> {
    let options = ParseOptions {
        parse_regular_expression: true,
        preserve_parens: false,
        ..ParseOptions::default()
    };
    let ret = Parser::new(allocator, source, SourceType::mjs())
        .with_options(options)
        .parse();
    if let Some(err) = earliest(ret.diagnostics.errors()) {
        return Err(syntax_error(err, index));
    }
    if ret.panicked {
        return Err(CompileError::at(
            CompileErrorKind::SyntaxError,
            index,
            0,
            "Unexpected token".to_string(),
        ));
    }
    let program = ret.program;
    let semantic = SemanticBuilder::new()
        .with_check_syntax_error(true)
        .build(&program);
    if let Some(err) = earliest(semantic.diagnostics.errors()) {
        return Err(syntax_error(err, index));
    }
    drop(semantic);
    if let Some((offset, message)) = first_acorn_only_error(&program) {
        return Err(CompileError::at(
            CompileErrorKind::SyntaxError,
            index,
            offset,
            message.to_string(),
        ));
    }
    if let Some(offset) = first_illegal_token(&program) {
        let line = index.line_col(offset).0;
        let message = format!("Line {line}: Unexpected token ILLEGAL");
        return Err(CompileError::plain(
            CompileErrorKind::Unsupported,
            index,
            offset,
            message,
        ));
    }
    Ok(program)
}

/// Syntax oxc accepts in JavaScript but acorn does not: decorators and
/// `accessor` class members.
fn first_acorn_only_error(program: &Program) -> Option<(u32, &'static str)> {
    #[derive(Default)]
    struct Finder(Option<(u32, &'static str)>);
    impl<'a> Visit<'a> for Finder {
        fn visit_decorator(&mut self, it: &Decorator<'a>) {
            if self.0.is_none_or(|(o, _)| it.span.start < o) {
                self.0 = Some((it.span.start, "Unexpected character '@'"));
            }
        }
        fn visit_accessor_property(&mut self, it: &AccessorProperty<'a>) {
            let key = it.key.span().start;
            if self.0.is_none_or(|(o, _)| key < o) {
                self.0 = Some((key, "Unexpected token"));
            }
            walk::walk_accessor_property(self, it);
        }
    }
    let mut finder = Finder::default();
    finder.visit_program(program);
    finder.0
}

/// Offset of the first character esprima 4's tokenizer cannot lex: the
/// hashbang, a private name's `#`, a numeric separator or a BigInt's `n`.
fn first_illegal_token(program: &Program) -> Option<u32> {
    struct Finder(Option<u32>);
    impl Finder {
        fn found(&mut self, offset: u32) {
            self.0 = Some(self.0.map_or(offset, |o| o.min(offset)));
        }
        fn number(&mut self, start: u32, raw: &str) {
            if let Some(i) = raw.find(['_', 'n']) {
                self.found(start + super::position::to_u32(i));
            }
        }
    }
    impl<'a> Visit<'a> for Finder {
        fn visit_numeric_literal(&mut self, it: &NumericLiteral<'a>) {
            if let Some(raw) = it.raw {
                self.number(it.span.start, &raw);
            }
        }
        fn visit_big_int_literal(&mut self, it: &BigIntLiteral<'a>) {
            match it.raw {
                Some(raw) => self.number(it.span.start, &raw),
                None => self.found(it.span.end.saturating_sub(1)),
            }
        }
        fn visit_private_identifier(&mut self, it: &PrivateIdentifier<'a>) {
            self.found(it.span.start);
        }
    }
    if program.hashbang.is_some() {
        return Some(0);
    }
    let mut finder = Finder(None);
    finder.visit_program(program);
    finder.0
}

/// The diagnostic whose primary position comes first in the source.
fn earliest<'d>(errors: impl Iterator<Item = &'d OxcDiagnostic>) -> Option<&'d OxcDiagnostic> {
    errors.min_by_key(|e| offset_of(e))
}

/// Where a diagnostic points: its primary label, or else its last label
/// (oxc lists "first declared here" before "redeclared here", while acorn
/// reports the redeclaration).
fn offset_of(err: &OxcDiagnostic) -> u32 {
    err.labels
        .iter()
        .find(|l| l.primary())
        .or_else(|| err.labels.last())
        .map_or(0, |l| l.offset())
}

fn syntax_error(err: &OxcDiagnostic, index: &LineIndex) -> CompileError {
    let (message, offset) = acorn_wording(err, index.source());
    CompileError::at(CompileErrorKind::SyntaxError, index, offset, message)
}

/// Rewords oxc's most common syntax errors as acorn words them, at acorn's
/// position; other errors keep oxc's message.
fn acorn_wording(err: &OxcDiagnostic, source: &str) -> (String, u32) {
    let message: &str = &err.message;
    let offset = offset_of(err);
    let at = |o: u32| source.as_bytes().get(o as usize).copied();
    // acorn points at the next token where oxc points after the last one
    let next_token = |o: u32| {
        let rest = source.get(o as usize..).unwrap_or("");
        o + super::position::to_u32(rest.len() - rest.trim_start().len())
    };
    let unexpected = "Unexpected token".to_string();
    if message.starts_with("Expected a semicolon") || message == "Unexpected end of file" {
        return (unexpected, next_token(offset));
    }
    if message.starts_with("Expected ") && message.contains(" but found ") {
        return (unexpected, offset);
    }
    if message == "Missing initializer in const declaration" {
        let end = err.labels.first().map_or(offset, |l| l.offset() + l.len());
        return (unexpected, next_token(end));
    }
    let reworded = match message {
        "Unterminated string" if at(offset) == Some(b'`') => {
            return ("Unterminated template".to_string(), offset + 1)
        }
        "Unterminated string" => "Unterminated string constant",
        "Unterminated regular expression" => return (message.to_string(), offset + 1),
        "Unterminated multiline comment" => "Unterminated comment",
        "A 'return' statement can only be used within a function body." => {
            "'return' outside of function"
        }
        "Cannot assign to this expression" => "Assigning to rvalue",
        "'with' statements are not allowed" => "'with' in strict mode",
        "Illegal break statement" => "Unsyntactic break",
        "Unexpected new.target expression" => {
            "'new.target' can only be used in functions and class static block"
        }
        "`await` is only allowed within async functions and at the top levels of modules" => {
            "Cannot use keyword 'await' outside an async function"
        }
        "Decimals with leading zeros are not allowed in strict mode" => "Invalid number",
        "'0'-prefixed octal literals and octal escape sequences are deprecated"
            if at(offset).is_some_and(|b| b.is_ascii_digit()) =>
        {
            "Invalid number"
        }
        _ if message.starts_with("Identifier `")
            && message.ends_with("` has already been declared") =>
        {
            return (message.replace('`', "'"), offset);
        }
        _ if message.starts_with("Illegal continue statement") => "Unsyntactic continue",
        _ if message.starts_with("Private identifier '")
            && message.ends_with("' is not allowed outside class bodies") =>
        {
            let name = &message["Private identifier '".len()
                ..message.len() - "' is not allowed outside class bodies".len()];
            return (
                format!("Private field '{name}' must be declared in an enclosing class"),
                offset,
            );
        }
        _ => message,
    };
    (reworded.to_string(), offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_err(src: &str) -> CompileError {
        let allocator = Allocator::default();
        let index = LineIndex::new(src);
        parse(&allocator, src, &index).expect_err("expected a syntax error")
    }

    fn parses(src: &str) {
        let allocator = Allocator::default();
        let index = LineIndex::new(src);
        if let Err(e) = parse(&allocator, src, &index) {
            panic!("{src:?} should parse: {e}");
        }
    }

    #[test]
    fn trailing_space_is_stripped_once() {
        assert_eq!(prepare_source("fn() "), "fn()");
        assert_eq!(prepare_source("fn()  "), "fn() ");
        assert_eq!(prepare_source("fn()\n"), "fn()\n");
    }

    #[test]
    fn parses_modules_like_acorn() {
        // kit's parse tests: statements, ESM, CJS-looking code, operations
        parses("const x = 10;");
        parses("import foo from 'bar'; export const x = 10;");
        parses("module.exports = 10;");
        parses("fn();fn();fn();");
        // latest syntax and top-level await are accepted
        parses("const x = a?.b ?? 1; x ??= await x; const r = /x/dgsv;");
    }

    #[test]
    fn reports_position_and_frame_of_syntax_error() {
        let e = parse_err("fn();\nconst x = ;\n");
        assert_eq!(e.kind, CompileErrorKind::SyntaxError);
        assert_eq!((e.line, e.column), (2, 11));
        assert_eq!(e.frame, "const x = ;\n          ^");
        // the message carries OpenFn's `(line:column)` suffix, 0-based column
        assert!(e.message.ends_with("(2:10)"), "{}", e.message);
    }

    #[test]
    fn reports_unterminated_call() {
        let e = parse_err("fn(x");
        assert_eq!(e.line, 1);
        assert!(e.column >= 4, "{}", e.column);
    }

    #[test]
    fn words_errors_like_acorn() {
        // (source, acorn's message as kit reports it)
        let cases = [
            (
                "fn((state) => {\n  return state\n);",
                "Unexpected token (3:0)",
            ),
            ("fn(a b)", "Unexpected token (1:5)"),
            ("fn(a,", "Unexpected token (1:5)"),
            ("fn('abc)", "Unterminated string constant (1:3)"),
            ("fn(`abc)", "Unterminated template (1:4)"),
            ("fn(/abc)", "Unterminated regular expression (1:4)"),
            ("/* unterminated", "Unterminated comment (1:0)"),
            (
                "let a = 1; let a = 2;",
                "Identifier 'a' has already been declared (1:15)",
            ),
            ("return 1;", "'return' outside of function (1:0)"),
            ("fn(a)}", "Unexpected token (1:5)"),
            (
                "fn(a => { await x })",
                "Cannot use keyword 'await' outside an async function (1:10)",
            ),
            ("1 = 2;", "Assigning to rvalue (1:0)"),
            (
                "fn({ a: 1, b })\nfn({ a: 1 b: 2 })",
                "Unexpected token (2:10)",
            ),
            ("if (x { }", "Unexpected token (1:6)"),
            ("fn(x) fn(y)", "Unexpected token (1:6)"),
            ("const x;", "Unexpected token (1:7)"),
            ("fn(01)", "Invalid number (1:3)"),
            ("fn(state => { break; })", "Unsyntactic break (1:14)"),
            ("fn(a ? b)", "Unexpected token (1:8)"),
            ("fn(1)) ", "Unexpected token (1:5)"),
            ("with (a) {}", "'with' in strict mode (1:0)"),
            ("let let = 1;", "The keyword 'let' is reserved (1:4)"),
            ("fn(x) => y", "Unexpected token (1:6)"),
            // decorators and accessors are not JavaScript to acorn
            ("@dec class A {}\nfn(1)", "Unexpected character '@' (1:0)"),
            ("class A { @dec m() {} }", "Unexpected character '@' (1:10)"),
            ("class A { accessor x = 1 }", "Unexpected token (1:19)"),
            (
                "fn(state => state.#x)",
                "Private field '#x' must be declared in an enclosing class (1:18)",
            ),
        ];
        for (src, expected) in cases {
            assert_eq!(parse_err(src).message, expected, "{src}");
        }
    }

    #[test]
    fn rejects_what_kits_tokenizer_rejects() {
        let cases = [
            ("fn(() => {\n  x = 10n;\n});", (2, 9)),
            ("fn(1_000)", (1, 5)),
            ("fn(0xFFn)", (1, 8)),
            ("class A { #x = 1 }", (1, 11)),
            ("#!/usr/bin/env node\nfn()", (1, 1)),
            ("fn(1); fn(2n); fn(3_0)", (1, 12)),
        ];
        for (src, (line, column)) in cases {
            let e = parse_err(src);
            assert_eq!(e.kind, CompileErrorKind::Unsupported, "{src}");
            assert_eq!(
                e.message,
                format!("Line {line}: Unexpected token ILLEGAL"),
                "{src}"
            );
            assert_eq!((e.line, e.column), (line, column), "{src}");
        }
        // but not inside strings, comments or regexes
        parses("fn('10n #x 1_0'); // 10n\nfn(/#1_0n/)");
    }

    #[test]
    fn reports_early_errors() {
        let e = parse_err("let a = 1; let a = 2;");
        assert_eq!((e.line, e.column), (1, 16));
        // acorn: "Export 'zz' is not defined (1:9)"
        let e = parse_err("export { zz as yy };");
        assert_eq!((e.line, e.column), (1, 10));
        // modules are strict: no `with`, and no `return` outside functions
        parse_err("with (a) { b }");
        parse_err("return 1;");
    }
}
