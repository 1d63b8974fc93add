//! Constructors for the few synthetic nodes the transforms insert
//! (`state => …` / `p => …` arrows, identifiers, import and export
//! declarations), kept in one place so every transform builds them alike.

use oxc::allocator::ArenaVec;
use oxc::ast::ast::*;
use oxc::ast::builder::AstBuilder;
use oxc::span::{GetSpan, SPAN};
use oxc::str::Ident;

use super::estree::has_open_optional;

/// An identifier reference expression (e.g. `p`, `undefined`, `_defer`).
pub(crate) fn ident<'a>(b: &AstBuilder<'a>, name: &str) -> Expression<'a> {
    Expression::new_identifier(SPAN, Ident::from_str_in(name, b), b)
}

/// Wraps an expression that carries `?.` outside any `ChainExpression` (it
/// was moved out of its chain) in a chain of its own, as oxc requires.
pub(crate) fn close_optional_chain<'a>(b: &AstBuilder<'a>, expr: Expression<'a>) -> Expression<'a> {
    if !has_open_optional(&expr) {
        return expr;
    }
    let span = expr.span();
    match expr.into_chain_element() {
        Some(element) => Expression::new_chain_expression(span, element, b),
        None => unreachable!("an expression with an open optional chain is chainable"),
    }
}

/// `param => body`, spanning `span` (the wrapped code's position, so the
/// source map points at the user's expression).
pub(crate) fn arrow<'a>(
    b: &AstBuilder<'a>,
    param: &str,
    body: Expression<'a>,
    span: Span,
) -> Expression<'a> {
    let body = close_optional_chain(b, body);
    let id = BindingIdentifier::boxed(SPAN, Ident::from_str_in(param, b), b);
    let item = FormalParameter::new(
        SPAN,
        ArenaVec::new_in(b),
        BindingPattern::BindingIdentifier(id),
        None,
        None,
        false,
        None,
        false,
        false,
        b,
    );
    let mut items = ArenaVec::new_in(b);
    items.push(item);
    let params = FormalParameters::boxed(
        SPAN,
        FormalParameterKind::ArrowFormalParameters,
        items,
        None,
        b,
    );
    Expression::new_arrow_function_expression(
        span,
        false,
        None,
        params,
        None,
        ArrowFunctionBody::from(body),
        b,
    )
}

/// A string literal without raw text (printed with double quotes).
pub(crate) fn string<'a>(b: &AstBuilder<'a>, value: &str) -> StringLiteral<'a> {
    StringLiteral::new(SPAN, Ident::from_str_in(value, b).as_arena_str(), None, b)
}

/// `import { imported as local, … } from "source";`
pub(crate) fn import<'a>(
    b: &AstBuilder<'a>,
    names: &[(&str, &str)],
    source: &str,
) -> Statement<'a> {
    let mut specifiers = ArenaVec::new_in(b);
    for (imported, local) in names {
        specifiers.push(ImportDeclarationSpecifier::new_import_specifier(
            SPAN,
            ModuleExportName::new_identifier_name(SPAN, Ident::from_str_in(imported, b), b),
            BindingIdentifier::new(SPAN, Ident::from_str_in(local, b), b),
            ImportOrExportKind::Value,
            b,
        ));
    }
    Statement::new_import_declaration(
        SPAN,
        Some(specifiers),
        string(b, source),
        None,
        None,
        ImportOrExportKind::Value,
        b,
    )
}

/// `export * from "source";`
pub(crate) fn export_all<'a>(b: &AstBuilder<'a>, source: &str) -> Statement<'a> {
    Statement::new_export_all_declaration(
        SPAN,
        None,
        string(b, source),
        None,
        ImportOrExportKind::Value,
        b,
    )
}

/// `export default [];`
pub(crate) fn export_default_array<'a>(b: &AstBuilder<'a>) -> Statement<'a> {
    let array = ArrayExpression::boxed(SPAN, ArenaVec::new_in(b), b);
    Statement::new_export_default_declaration(
        SPAN,
        ExportDefaultDeclarationKind::ArrayExpression(array),
        b,
    )
}
