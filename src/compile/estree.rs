//! kit's transforms are written against ESTree nodes (acorn) walked with
//! `ast-types`; this module gives oxc's AST that same view: which nodes count
//! as statements, kit's "ignore top-level objects" rule, property names as
//! kit reads them, and `ast-types`' (non block-scoped) model of scopes.

use std::collections::{HashMap, HashSet};

use oxc::allocator::{Address, GetAddress};
use oxc::ast::ast::*;
use oxc::ast::AstKind;

/// Address of the node an [`AstKind`] refers to; equal to
/// [`oxc::allocator::GetAddress::address`] of the `Box` holding it.
pub(crate) fn kind_address(kind: &AstKind) -> Address {
    kind.address()
}

/// Whether a node is a `Statement` or `Declaration` in `ast-types`' type
/// system (which is what kit's lazy state transform checks when it walks up
/// from a `$` reference). Function bodies are `BlockStatement`s there; class
/// bodies and class members are `Declaration`s.
pub(crate) fn is_statement_like(kind: &AstKind) -> bool {
    match kind {
        AstKind::Function(f) => f.r#type == FunctionType::FunctionDeclaration,
        AstKind::Class(c) => c.r#type == ClassType::ClassDeclaration,
        AstKind::BlockStatement(_)
        | AstKind::FunctionBody(_)
        | AstKind::EmptyStatement(_)
        | AstKind::ExpressionStatement(_)
        | AstKind::Directive(_)
        | AstKind::IfStatement(_)
        | AstKind::DoWhileStatement(_)
        | AstKind::WhileStatement(_)
        | AstKind::ForStatement(_)
        | AstKind::ForInStatement(_)
        | AstKind::ForOfStatement(_)
        | AstKind::ContinueStatement(_)
        | AstKind::BreakStatement(_)
        | AstKind::ReturnStatement(_)
        | AstKind::WithStatement(_)
        | AstKind::SwitchStatement(_)
        | AstKind::LabeledStatement(_)
        | AstKind::ThrowStatement(_)
        | AstKind::TryStatement(_)
        | AstKind::DebuggerStatement(_)
        | AstKind::VariableDeclaration(_)
        | AstKind::ImportDeclaration(_)
        | AstKind::ExportDeclaration(_)
        | AstKind::ExportNamedDeclaration(_)
        | AstKind::ExportFromDeclaration(_)
        | AstKind::ExportDefaultDeclaration(_)
        | AstKind::ExportAllDeclaration(_)
        | AstKind::ClassBody(_)
        | AstKind::MethodDefinition(_)
        | AstKind::PropertyDefinition(_)
        | AstKind::AccessorProperty(_)
        | AstKind::StaticBlock(_) => true,
        _ => false,
    }
}

/// kit's `transform-ignore` rule: an object literal that initialises a
/// variable declared directly at the top level of the program is not
/// visited by any transform (`const config = { ... }`).
///
/// `ancestors` is the stack of nodes above the object (not including it).
pub(crate) fn is_ignored_object(ancestors: &[AstKind]) -> bool {
    let n = ancestors.len();
    n >= 3
        && matches!(ancestors[n - 1], AstKind::VariableDeclarator(_))
        && matches!(ancestors[n - 2], AstKind::VariableDeclaration(_))
        && matches!(ancestors[n - 3], AstKind::Program(_))
}

/// The name kit reads as `member.property.name`: the identifier after the
/// dot, an identifier used as a computed key (`a[then]`), or a private name.
pub(crate) fn member_property_name<'a>(expr: &Expression<'a>) -> Option<&'a str> {
    match expr {
        Expression::StaticMemberExpression(m) => Some(m.property.name.as_str()),
        Expression::ComputedMemberExpression(m) => match &m.expression {
            Expression::Identifier(id) => Some(id.name.as_str()),
            _ => None,
        },
        Expression::PrivateFieldExpression(m) => Some(m.field.name.as_str()),
        _ => None,
    }
}

/// The object of a member expression (any of oxc's three kinds).
pub(crate) fn member_object<'b, 'a>(expr: &'b Expression<'a>) -> Option<&'b Expression<'a>> {
    match expr {
        Expression::StaticMemberExpression(m) => Some(&m.object),
        Expression::ComputedMemberExpression(m) => Some(&m.object),
        Expression::PrivateFieldExpression(m) => Some(&m.object),
        _ => None,
    }
}

/// Mutable access to the object of a member expression.
pub(crate) fn member_object_mut<'b, 'a>(
    expr: &'b mut Expression<'a>,
) -> Option<&'b mut Expression<'a>> {
    match expr {
        Expression::StaticMemberExpression(m) => Some(&mut m.object),
        Expression::ComputedMemberExpression(m) => Some(&mut m.object),
        Expression::PrivateFieldExpression(m) => Some(&mut m.object),
        _ => None,
    }
}

/// The object of a member expression node seen through an [`AstKind`].
pub(crate) fn kind_member_object<'a>(kind: &AstKind<'a>) -> Option<&'a Expression<'a>> {
    match *kind {
        AstKind::StaticMemberExpression(m) => Some(&m.object),
        AstKind::ComputedMemberExpression(m) => Some(&m.object),
        AstKind::PrivateFieldExpression(m) => Some(&m.object),
        _ => None,
    }
}

/// Whether an expression is the start of an optional chain whose `?.` parts
/// are not enclosed in a `ChainExpression` of their own — true once such an
/// expression has been moved out of its chain, and then it must be wrapped in
/// a new `ChainExpression` to be a valid oxc tree.
pub(crate) fn has_open_optional(expr: &Expression) -> bool {
    match expr {
        Expression::StaticMemberExpression(m) => m.optional || has_open_optional(&m.object),
        Expression::ComputedMemberExpression(m) => m.optional || has_open_optional(&m.object),
        Expression::PrivateFieldExpression(m) => m.optional || has_open_optional(&m.object),
        Expression::CallExpression(c) => c.optional || has_open_optional(&c.callee),
        _ => false,
    }
}

/// Scopes as `ast-types` models them: only programs, functions and catch
/// clauses have scopes, and every `var`/`let`/`const`/function/class
/// declaration inside a function body (blocks included) belongs to the
/// function's scope. Binding sets are computed lazily and cached per node.
#[derive(Default)]
pub(crate) struct ScopeModel {
    bindings: HashMap<Address, HashSet<String>>,
}

impl ScopeModel {
    /// Whether `kind` establishes an `ast-types` scope that can hold bindings.
    /// (Classes also establish scopes there, but never with bindings.)
    pub(crate) fn is_scope(kind: &AstKind) -> bool {
        matches!(
            kind,
            AstKind::Program(_)
                | AstKind::Function(_)
                | AstKind::ArrowFunctionExpression(_)
                | AstKind::CatchClause(_)
        )
    }

    /// Whether the scope established by `kind` declares `name`.
    pub(crate) fn declares(&mut self, kind: &AstKind, name: &str) -> bool {
        let address = kind_address(kind);
        self.bindings
            .entry(address)
            .or_insert_with(|| scope_bindings(kind))
            .contains(name)
    }

    /// Whether any scope among `ancestors` declares `name`, searching from
    /// the innermost scope out; with `include_program == false` the program
    /// (global) scope is skipped, as kit's lazy state transform does.
    ///
    /// Reaching the scope of a `catch` clause without a binding is where kit
    /// crashes ([`CATCH_WITHOUT_BINDING`]); the error is the clause's offset.
    pub(crate) fn is_declared(
        &mut self,
        ancestors: &[AstKind],
        name: &str,
        include_program: bool,
    ) -> Result<bool, u32> {
        for kind in ancestors.iter().rev() {
            if !Self::is_scope(kind) || (!include_program && matches!(kind, AstKind::Program(_))) {
                continue;
            }
            if let AstKind::CatchClause(clause) = kind {
                if clause.param.is_none() {
                    return Err(clause.span.start);
                }
            }
            if self.declares(kind, name) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// kit's error when ast-types scans the scope of `catch {}` (no binding).
pub(crate) const CATCH_WITHOUT_BINDING: &str = "null does not match type Pattern";

/// `ast-types`' `scanScope` for one scope node.
fn scope_bindings(kind: &AstKind) -> HashSet<String> {
    let mut out = HashSet::new();
    match *kind {
        AstKind::Program(p) => scan_statements(&p.body, &mut out),
        AstKind::Function(f) => {
            add_params(&f.params, &mut out);
            if let Some(body) = &f.body {
                // the name of a function expression is bound inside it
                if f.r#type == FunctionType::FunctionExpression {
                    if let Some(id) = &f.id {
                        out.insert(id.name.to_string());
                    }
                }
                scan_statements(&body.statements, &mut out);
            }
        }
        AstKind::ArrowFunctionExpression(a) => {
            add_params(&a.params, &mut out);
            if let ArrowFunctionBody::FunctionBody(body) = &a.body {
                scan_statements(&body.statements, &mut out);
            }
        }
        AstKind::CatchClause(c) => {
            if let Some(param) = &c.param {
                add_pattern(&param.pattern, &mut out);
            }
        }
        _ => {}
    }
    out
}

fn add_params(params: &FormalParameters, out: &mut HashSet<String>) {
    for item in &params.items {
        add_pattern(&item.pattern, out);
    }
    if let Some(rest) = &params.rest {
        add_pattern(&rest.rest.argument, out);
    }
}

/// `ast-types`' `addPattern`: every identifier bound by a pattern.
pub(crate) fn add_pattern(pattern: &BindingPattern, out: &mut HashSet<String>) {
    match pattern {
        BindingPattern::BindingIdentifier(id) => {
            out.insert(id.name.to_string());
        }
        BindingPattern::ObjectPattern(p) => {
            for prop in &p.properties {
                add_pattern(&prop.value, out);
            }
            if let Some(rest) = &p.rest {
                add_pattern(&rest.argument, out);
            }
        }
        BindingPattern::ArrayPattern(p) => {
            for el in p.elements.iter().flatten() {
                add_pattern(el, out);
            }
            if let Some(rest) = &p.rest {
                add_pattern(&rest.argument, out);
            }
        }
        BindingPattern::AssignmentPattern(p) => add_pattern(&p.left, out),
    }
}

fn scan_statements(stmts: &[Statement], out: &mut HashSet<String>) {
    for stmt in stmts {
        scan_statement(stmt, out);
    }
}

/// `ast-types`' `recursiveScanChild` for statements: collects declarations
/// without entering expressions (so not nested functions either).
fn scan_statement(stmt: &Statement, out: &mut HashSet<String>) {
    match stmt {
        Statement::VariableDeclaration(d) => scan_var(d, out),
        Statement::FunctionDeclaration(f) => add_function_decl(f, out),
        Statement::ClassDeclaration(c) => add_class_decl(c, out),
        Statement::BlockStatement(b) => scan_statements(&b.body, out),
        Statement::IfStatement(s) => {
            scan_statement(&s.consequent, out);
            if let Some(alt) = &s.alternate {
                scan_statement(alt, out);
            }
        }
        Statement::ForStatement(s) => {
            if let Some(ForStatementInit::VariableDeclaration(d)) = &s.init {
                scan_var(d, out);
            }
            scan_statement(&s.body, out);
        }
        Statement::ForInStatement(s) => {
            if let ForStatementLeft::VariableDeclaration(d) = &s.left {
                scan_var(d, out);
            }
            scan_statement(&s.body, out);
        }
        Statement::ForOfStatement(s) => {
            if let ForStatementLeft::VariableDeclaration(d) = &s.left {
                scan_var(d, out);
            }
            scan_statement(&s.body, out);
        }
        Statement::WhileStatement(s) => scan_statement(&s.body, out),
        Statement::DoWhileStatement(s) => scan_statement(&s.body, out),
        Statement::LabeledStatement(s) => scan_statement(&s.body, out),
        Statement::WithStatement(s) => scan_statement(&s.body, out),
        Statement::SwitchStatement(s) => {
            for case in &s.cases {
                scan_statements(&case.consequent, out);
            }
        }
        Statement::TryStatement(s) => {
            scan_statements(&s.block.body, out);
            if let Some(handler) = &s.handler {
                scan_catch(handler, out);
            }
            if let Some(finalizer) = &s.finalizer {
                scan_statements(&finalizer.body, out);
            }
        }
        Statement::ImportDeclaration(d) => {
            for spec in d.specifiers.iter().flatten() {
                let local = match spec {
                    ImportDeclarationSpecifier::ImportSpecifier(s) => &s.local,
                    ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => &s.local,
                    ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => &s.local,
                };
                out.insert(local.name.to_string());
            }
        }
        Statement::ExportDeclaration(d) => match &d.declaration {
            Declaration::VariableDeclaration(v) => scan_var(v, out),
            Declaration::FunctionDeclaration(f) => add_function_decl(f, out),
            Declaration::ClassDeclaration(c) => add_class_decl(c, out),
            _ => {}
        },
        Statement::ExportDefaultDeclaration(d) => match &d.declaration {
            ExportDefaultDeclarationKind::FunctionDeclaration(f) => add_function_decl(f, out),
            ExportDefaultDeclarationKind::ClassDeclaration(c) => add_class_decl(c, out),
            _ => {}
        },
        _ => {}
    }
}

fn scan_var(decl: &VariableDeclaration, out: &mut HashSet<String>) {
    for d in &decl.declarations {
        add_pattern(&d.id, out);
    }
}

fn add_function_decl(f: &Function, out: &mut HashSet<String>) {
    if let Some(id) = &f.id {
        out.insert(id.name.to_string());
    }
}

fn add_class_decl(c: &Class, out: &mut HashSet<String>) {
    if let Some(id) = &c.id {
        out.insert(id.name.to_string());
    }
}

/// A catch clause with a plain identifier parameter lends its body's
/// declarations to the enclosing scope (except the parameter's own name);
/// with a destructured or missing parameter, `ast-types` skips the body.
fn scan_catch(handler: &CatchClause, out: &mut HashSet<String>) {
    let Some(param) = &handler.param else { return };
    let BindingPattern::BindingIdentifier(id) = &param.pattern else {
        return;
    };
    let name = id.name.as_str();
    let had = out.contains(name);
    scan_statements(&handler.body.body, out);
    if !had {
        out.remove(name);
    }
}
