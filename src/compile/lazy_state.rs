//! Lazy state: `$.a.b` inside an operation's arguments is shorthand for a
//! function of state, so `get($.data)` compiles to `get(state => state.data)`.
//! This follows kit's `lazy-state.ts` rule for rule, including its quirks.
//!
//! kit visits member expressions top-down while rewriting the tree. For a
//! member chain rooted at an (unshadowed) `$`:
//!
//! * `$` is renamed to `state`;
//! * walking up, the nearest call expression is the operation; meeting a
//!   statement first is an error ("Must be inside an operation");
//! * the call's argument holding the reference is wrapped in
//!   `state => …` — or, when the reference is in the callee and the callee
//!   is `state.x`, the whole call (`$.fn(…)` → `state => state.fn(…)`);
//! * an argument that already is `state => …` is left alone, and any other
//!   arrow is an error (wrong parameter name or arity).
//!
//! `$` declared in a function or catch scope (as `ast-types` models scopes)
//! is left alone, and so are top-level `const x = { … }` objects.
//!
//! This is also the transform that walks the whole tree first, so it reports
//! the code kit's AST library fails on: class fields anywhere, and `$`
//! references whose scope lookup reaches a `catch` clause without a binding.
//!
//! The rewrite is done in two passes: an analysis over the untouched tree
//! that replays kit's decisions (tracking which nodes kit would already have
//! wrapped or renamed), then a mutation pass applying them.

use std::collections::{HashMap, HashSet};

use oxc::allocator::{Address, GetAddress, TakeIn, UnstableAddress};
use oxc::ast::ast::*;
use oxc::ast::builder::AstBuilder;
use oxc::ast::AstKind;
use oxc::ast_visit::{walk, walk_mut, Visit, VisitMut};
use oxc::span::GetSpan;
use oxc::str::Ident;

use super::estree::{
    is_ignored_object, is_statement_like, kind_address, kind_member_object, member_object,
    ScopeModel, CATCH_WITHOUT_BINDING,
};
use super::nodes::arrow;
use super::position::LineIndex;
use super::{CompileError, CompileErrorKind};

const MUST_BE_INSIDE_DETAILS: &str = "The Lazy State operation must be used inside a top-level operation, like fn(). It cannot be used inside a regular JavaScript statement because no valid state reference is available.";

/// Rewrites every `$` reference in `program` (see the module docs).
pub(crate) fn transform<'a>(
    program: &mut Program<'a>,
    builder: &AstBuilder<'a>,
    index: &LineIndex,
) -> Result<(), CompileError> {
    let mut analysis = Analysis {
        stack: Vec::new(),
        scopes: ScopeModel::default(),
        index,
        renamed: HashSet::new(),
        hidden_calls: HashSet::new(),
        open: HashSet::new(),
        wraps: HashMap::new(),
        error: None,
    };
    analysis.visit_program(program);
    if let Some(error) = analysis.error {
        return Err(error);
    }
    if analysis.renamed.is_empty() {
        return Ok(());
    }
    let mut apply = Apply {
        builder,
        renamed: analysis.renamed,
        wraps: analysis.wraps,
    };
    apply.visit_program(program);
    Ok(())
}

/// Replays kit's traversal over the original tree and records its edits.
struct Analysis<'a, 'i> {
    stack: Vec<AstKind<'a>>,
    scopes: ScopeModel,
    index: &'i LineIndex<'i>,
    /// `$` identifiers renamed to `state`.
    renamed: HashSet<Address>,
    /// Calls kit has wrapped in `state => …`: no longer seen as calls when
    /// walking up from references inside them.
    hidden_calls: HashSet<Address>,
    /// Nodes whose slot now holds a `state => …` arrow.
    open: HashSet<Address>,
    /// How many `state => …` wrappers to put around each node.
    wraps: HashMap<Address, u32>,
    error: Option<CompileError>,
}

impl<'a> Visit<'a> for Analysis<'a, '_> {
    fn enter_node(&mut self, kind: AstKind<'a>) {
        self.stack.push(kind);
        if let (None, AstKind::PropertyDefinition(def)) = (&self.error, kind) {
            // kit's AST library does not know class fields and fails on them
            self.error = Some(CompileError::plain(
                CompileErrorKind::Unsupported,
                self.index,
                def.span.start,
                "did not recognize object of type \"PropertyDefinition\"".to_string(),
            ));
        }
        if self.error.is_none()
            && matches!(
                kind,
                AstKind::StaticMemberExpression(_)
                    | AstKind::ComputedMemberExpression(_)
                    | AstKind::PrivateFieldExpression(_)
            )
        {
            if let Err(e) = self.visit_member() {
                self.error = Some(e);
            }
        }
    }

    fn leave_node(&mut self, _kind: AstKind<'a>) {
        self.stack.pop();
    }

    fn visit_object_expression(&mut self, it: &ObjectExpression<'a>) {
        if !is_ignored_object(&self.stack) {
            walk::walk_object_expression(self, it);
        }
    }
}

impl<'a> Analysis<'a, '_> {
    /// kit's visitor for the member expression on top of the stack.
    fn visit_member(&mut self) -> Result<(), CompileError> {
        let n = self.stack.len();
        let member = self.stack[n - 1];
        let member_address = kind_address(&member);

        // Only the top of a member chain is considered: kit renames the root
        // there, and the inner members then no longer start with `$`.
        if n >= 2 {
            if let Some(parent_object) = kind_member_object(&self.stack[n - 2]) {
                if parent_object.address() == member_address {
                    return Ok(());
                }
            }
        }
        let Some(mut root) = kind_member_object(&member) else {
            return Ok(());
        };
        while let Some(object) = member_object(root) {
            root = object;
        }
        let Expression::Identifier(root_ident) = root else {
            return Ok(());
        };
        if root_ident.name != "$" {
            return Ok(());
        }
        // `$` declared in an enclosing function or catch scope is a variable
        match self.scopes.is_declared(&self.stack[..n - 1], "$", false) {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(offset) => {
                return Err(CompileError::plain(
                    CompileErrorKind::Unsupported,
                    self.index,
                    offset,
                    CATCH_WITHOUT_BINDING.to_string(),
                ))
            }
        }
        self.renamed.insert(root.address());

        // Walk up to the operation this reference is an argument of.
        let mut call_index = None;
        for i in (0..n - 1).rev() {
            let ancestor = &self.stack[i];
            if let AstKind::CallExpression(_) = ancestor {
                if self.hidden_calls.contains(&kind_address(ancestor)) {
                    continue;
                }
                call_index = Some(i);
                break;
            }
            if is_statement_like(ancestor) {
                let mut error = self.error_at(member.span().start, "Must be inside an operation");
                error.details = Some(MUST_BE_INSIDE_DETAILS.to_string());
                return Err(error);
            }
        }
        let Some(ci) = call_index else {
            return Err(self.error_at(
                member.span().start,
                "must be passed as an argument to an operator",
            ));
        };
        let AstKind::CallExpression(call) = self.stack[ci] else {
            unreachable!("call_index points at a call expression")
        };
        let last = self.stack[ci + 1];
        let is_callee = call.callee.address() == kind_address(&last);
        let callee_on_state =
            !self.open.contains(&call.callee.address()) && self.is_state_member(&call.callee);

        let (target, target_is_call) = if is_callee && callee_on_state {
            (self.stack[ci], true)
        } else if callee_on_state {
            // kit wraps the call's argument list in an arrow here, making a
            // cyclic tree it then recurses through until the stack overflows
            return Err(CompileError::plain(
                CompileErrorKind::Unsupported,
                self.index,
                last.span().start,
                "Maximum call stack size exceeded".to_string(),
            ));
        } else {
            (last, false)
        };
        let target_address = kind_address(&target);
        if self.open.contains(&target_address) {
            return Ok(());
        }
        match target {
            AstKind::SpreadElement(spread) => {
                // kit fails to build an arrow whose body is a spread
                let (start, end) = (
                    self.index.utf16_offset(spread.span.start),
                    self.index.utf16_offset(spread.span.end),
                );
                Err(CompileError::plain(
                    CompileErrorKind::Unsupported,
                    self.index,
                    spread.span.start,
                    format!(
                        "{{ type: SpreadElement, start: {start}, end: {end}, loc: [object Object], argument: [object Object] }} does not match field \"body\": BlockStatement | Expression of type ArrowFunctionExpression"
                    ),
                ))
            }
            AstKind::ArrowFunctionExpression(arrow) => self.check_open_function(arrow),
            _ => {
                if target_is_call {
                    self.hidden_calls.insert(target_address);
                    // a call inside `a?.()` cannot be replaced by an arrow in
                    // oxc's tree; wrapping its chain prints the same code
                    if ci >= 1 {
                        if let AstKind::ChainExpression(_) = self.stack[ci - 1] {
                            *self
                                .wraps
                                .entry(kind_address(&self.stack[ci - 1]))
                                .or_default() += 1;
                            return Ok(());
                        }
                    }
                }
                self.open.insert(target_address);
                *self.wraps.entry(target_address).or_default() += 1;
                Ok(())
            }
        }
    }

    /// kit's `isOpenFunction` for an arrow that is already an argument.
    fn check_open_function(&self, arrow: &ArrowFunctionExpression) -> Result<(), CompileError> {
        let params = &arrow.params;
        let count = params.items.len() + usize::from(params.rest.is_some());
        if count != 1 {
            return Err(self.error_at(arrow.span.start, "parent has wrong arity"));
        }
        let name = match params.items.first() {
            Some(FormalParameter {
                pattern: BindingPattern::BindingIdentifier(id),
                initializer: None,
                ..
            }) => id.name.as_str(),
            _ => "undefined",
        };
        if name == "state" {
            Ok(())
        } else {
            Err(self.error_at(
                arrow.span.start,
                &format!("parameter \"{name}\" should be called \"state\""),
            ))
        }
    }

    /// Whether `callee` is `state.x` (with `state` written by the user or
    /// renamed from `$`).
    fn is_state_member(&self, callee: &Expression) -> bool {
        match member_object(callee) {
            Some(object @ Expression::Identifier(id)) => {
                id.name == "state" || self.renamed.contains(&object.address())
            }
            _ => false,
        }
    }

    fn error_at(&self, offset: u32, message: &str) -> CompileError {
        CompileError::at(
            CompileErrorKind::LazyStateError,
            self.index,
            offset,
            format!("Lazy State Error: {message}"),
        )
    }
}

/// Applies the recorded renames and wraps.
struct Apply<'a, 'b> {
    builder: &'b AstBuilder<'a>,
    renamed: HashSet<Address>,
    wraps: HashMap<Address, u32>,
}

impl<'a> VisitMut<'a> for Apply<'a, '_> {
    fn visit_identifier_reference(&mut self, it: &mut IdentifierReference<'a>) {
        if self.renamed.contains(&it.unstable_address()) {
            it.name = Ident::from("state");
        }
    }

    fn visit_expression(&mut self, it: &mut Expression<'a>) {
        walk_mut::walk_expression(self, it);
        if let Some(&count) = self.wraps.get(&it.address()) {
            for _ in 0..count {
                let inner = it.take_in(self.builder);
                let span = inner.span();
                *it = arrow(self.builder, "state", inner, span);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::compile::test_util::{assert_js, run_err};
    use crate::compile::{CompileError, CompileErrorKind, Transforms};

    const LAZY: Transforms = Transforms {
        lazy_state: true,
        ..Transforms::NONE
    };

    fn lazy_error(src: &str) -> CompileError {
        run_err(src, LAZY)
    }

    fn lazy(src: &str, expected: &str) {
        assert_js(src, LAZY, expected);
    }

    // kit: packages/compiler/test/transforms/lazy-state.test.ts

    #[test]
    fn convert_a_simple_dollar_reference() {
        lazy("get($.data)", "get(state => state.data)");
    }

    #[test]
    fn do_not_visit_top_level_object() {
        lazy(
            "const x = { x: $.data };\nfn($.data)",
            "const x = { x: $.data };\nfn(state => state.data)",
        );
    }

    #[test]
    fn convert_a_chained_dollar_reference() {
        lazy("get($.a.b.c.d)", "get(state => state.a.b.c.d)");
    }

    #[test]
    fn ignore_a_regular_chain_reference() {
        lazy("get(a.b.c.d)", "get(a.b.c.d)");
    }

    #[test]
    fn convert_a_template_literal() {
        lazy(
            "get(`hello ${$.data}`)",
            "get(state => `hello ${state.data}`)",
        );
    }

    #[test]
    fn convert_a_template_literal_with_two_refs() {
        lazy(
            "get(`hello ${$.firstname} ${$.lastname}`)",
            "get(state => `hello ${state.firstname} ${state.lastname}`)",
        );
    }

    #[test]
    fn convert_a_template_literal_with_a_pre_existing_parent_arrow() {
        lazy(
            "get(state => `hello ${$.data}`)",
            "get(state => `hello ${state.data}`)",
        );
    }

    #[test]
    fn throw_if_a_dollar_is_inside_an_arrow_with_another_param_name() {
        let e = lazy_error("get((s) => `hello ${$.data}`)");
        assert_eq!(
            e.message,
            "Lazy State Error: parameter \"s\" should be called \"state\" (1:4)"
        );
        assert_eq!((e.line, e.column), (1, 5));
        assert_eq!(e.frame, "get((s) => `hello ${$.data}`)\n    ^");
    }

    #[test]
    fn throw_if_a_dollar_is_inside_an_arrow_with_wrong_arity() {
        let e = lazy_error("get((state, b) => `hello ${$.data}`)");
        assert_eq!(e.message, "Lazy State Error: parent has wrong arity (1:4)");
        let e = lazy_error("get(() => $.data)");
        assert_eq!(e.message, "Lazy State Error: parent has wrong arity (1:4)");
    }

    #[test]
    fn throw_if_dollar_is_not_inside_an_operation() {
        let e = lazy_error("const x = $.data;");
        assert_eq!(
            e.message,
            "Lazy State Error: Must be inside an operation (1:10)"
        );
        assert_eq!((e.line, e.column), (1, 11));
        assert_eq!(e.frame, "const x = $.data;\n          ^");
        assert!(e
            .details
            .as_deref()
            .unwrap()
            .starts_with("The Lazy State operation"));
    }

    #[test]
    fn throw_if_dollar_is_on_the_left_hand_side_of_an_assignment() {
        let e = lazy_error("$.data = 20;");
        assert_eq!(
            e.message,
            "Lazy State Error: Must be inside an operation (1:0)"
        );
    }

    #[test]
    fn throw_if_dollar_is_on_the_left_hand_side_of_a_nested_assignment() {
        let e = lazy_error("fn(() => { $.data = 20; })");
        assert_eq!(
            e.message,
            "Lazy State Error: Must be inside an operation (1:11)"
        );
    }

    #[test]
    fn throw_if_dollar_is_on_the_left_hand_side_of_a_multi_assignment() {
        let e = lazy_error("const z = $.data = 20;");
        assert_eq!(
            e.message,
            "Lazy State Error: Must be inside an operation (1:10)"
        );
    }

    #[test]
    fn wrap_a_concatenation() {
        lazy(
            r#"get($.firstname + " " + $.lastname)"#,
            r#"get(state => state.firstname + " " + state.lastname)"#,
        );
    }

    #[test]
    fn wrap_a_dynamic_property_reference() {
        lazy(
            "get(city[$.location])",
            "get(state => city[state.location])",
        );
    }

    #[test]
    fn ignore_a_dollar_ref_in_a_string() {
        lazy(r#"get("$.a.b")"#, r#"get("$.a.b")"#);
    }

    #[test]
    fn convert_a_nested_dollar_reference() {
        lazy(
            "fn(() => {\n  get($.data)\n})",
            "fn(() => {\n  get(state => state.data)\n})",
        );
    }

    #[test]
    fn do_not_convert_a_dollar_var_param() {
        let src = "fn(($) => {\n    return $.a.b;\n  })";
        lazy(src, src);
    }

    #[test]
    fn do_not_convert_a_dollar_var_const() {
        let src = "fn((s) => {\n    const $ = 10;\n    s.data = $.a.b\n    return s;\n  })";
        lazy(src, src);
    }

    #[test]
    fn convert_an_optional_chained_simple_dollar_reference() {
        lazy("get($.a?.b.c.d)", "get(state => state.a?.b.c.d)");
    }

    #[test]
    fn convert_logical_not() {
        lazy("get(!$.data.x)", "get(state => !state.data.x)");
    }

    #[test]
    fn convert_function_call_on_state() {
        lazy("fn($.callMeMaybe())", "fn(state => state.callMeMaybe())");
    }

    #[test]
    fn convert_function_call_on_state_with_state_argument() {
        lazy(
            "fn($.callMeMaybe($.age))",
            "fn(state => state.callMeMaybe(state.age))",
        );
    }

    // Further cases, checked against kit's compiler

    #[test]
    fn wraps_each_argument_separately() {
        lazy(
            "fn(`${$.a}`, $.b)",
            "fn(state => `${state.a}`, state => state.b)",
        );
        lazy("fn(a ? $.b : c)", "fn(state => a ? state.b : c)");
        lazy("fn({ x: $.a })", "fn(state => ({ x: state.a }))");
        lazy("fn(new Foo($.a))", "fn(state => new Foo(state.a))");
        lazy("fn($.a = 1)", "fn(state => state.a = 1)");
        lazy("fn(delete $.a)", "fn(state => delete state.a)");
    }

    #[test]
    fn computed_members_and_calls_in_the_callee() {
        lazy("fn($.a[$.b])", "fn(state => state.a[state.b])");
        lazy("fn($[$.x]())", "fn(state => state[state.x]())");
        // only `state.x(...)` callees wrap the whole call; kit wraps deeper
        // callees on their own
        lazy(
            "fn($.a.b($.c))",
            "fn((state => state.a.b)(state => state.c))",
        );
    }

    #[test]
    fn optional_chains() {
        lazy("fn($?.a)", "fn(state => state?.a)");
        lazy("fn($.a?.())", "fn(state => state.a?.())");
        lazy("fn($.a?.b())", "fn((state => state.a?.b)())");
        // kit wraps twice here
        lazy("fn($.a?.($.b))", "fn(state => state => state.a?.(state.b))");
    }

    #[test]
    fn async_state_arrow_is_open() {
        lazy("fn(async state => $.a)", "fn(async state => state.a)");
    }

    #[test]
    fn dollar_is_not_a_member_chain() {
        lazy("fn($)", "fn($)");
        lazy("fn($`tag${$.a}`)", "fn(state => $`tag${state.a}`)");
    }

    #[test]
    fn top_level_declarations_of_dollar_do_not_shadow() {
        lazy("const $ = 1; fn($.a)", "const $ = 1; fn(state => state.a)");
    }

    #[test]
    fn dollar_declared_in_a_function_scope_is_a_variable() {
        let src = "fn(($) => get($.a))";
        lazy(src, src);
        // ast-types has no block scopes: `$` in a block shadows the function
        let src = "fn(() => { if (1) { let $; } get($.a) })";
        lazy(src, src);
        let src = "fn(function $() { get($.a) })";
        lazy(src, src);
        let src = "fn(() => { function $() {}; get($.a) })";
        lazy(src, src);
        let src = "try {} catch ($) { fn($.a) }";
        lazy(src, src);
    }

    #[test]
    fn more_errors() {
        let e = lazy_error("fn(x => $.a)");
        assert_eq!(
            e.message,
            "Lazy State Error: parameter \"x\" should be called \"state\" (1:3)"
        );
        let e = lazy_error("fn(({a}) => $.a)");
        assert_eq!(
            e.message,
            "Lazy State Error: parameter \"undefined\" should be called \"state\" (1:3)"
        );
        let e = lazy_error("fn(function(state) { return $.a })");
        assert_eq!(
            e.message,
            "Lazy State Error: Must be inside an operation (1:28)"
        );
        let e = lazy_error("$.foo($.a)");
        assert_eq!(
            e.message,
            "Lazy State Error: Must be inside an operation (1:6)"
        );
        let e = lazy_error("const x = [{a: $.b}]");
        assert_eq!(
            e.message,
            "Lazy State Error: Must be inside an operation (1:15)"
        );
        let e = lazy_error("export const x = {a: $.b}");
        assert_eq!(
            e.message,
            "Lazy State Error: Must be inside an operation (1:21)"
        );
        let e = lazy_error("let $ = 1; $.x = 1");
        assert_eq!(
            e.message,
            "Lazy State Error: Must be inside an operation (1:11)"
        );
        let e = lazy_error("fn(\n  1,\n  $.a.b\n);\nx = $.c;");
        assert_eq!(
            e.message,
            "Lazy State Error: Must be inside an operation (5:4)"
        );
        assert_eq!((e.line, e.column), (5, 5));
    }

    #[test]
    fn errors_where_kit_crashes() {
        let e = lazy_error("fn(state.get($.x))");
        assert_eq!(e.kind, CompileErrorKind::Unsupported);
        assert_eq!(e.message, "Maximum call stack size exceeded");
        assert_eq!((e.line, e.column), (1, 14));
        let e = lazy_error("fn(a, ...$.c.d)");
        assert_eq!(e.kind, CompileErrorKind::Unsupported);
        assert_eq!(
            e.message,
            "{ type: SpreadElement, start: 6, end: 14, loc: [object Object], argument: [object Object] } does not match field \"body\": BlockStatement | Expression of type ArrowFunctionExpression"
        );
        assert_eq!((e.line, e.column), (1, 7));
    }

    #[test]
    fn errors_where_kits_ast_library_fails() {
        let e = lazy_error("fn(1);\nclass A { x = 1 }");
        assert_eq!(e.kind, CompileErrorKind::Unsupported);
        assert_eq!(
            e.message,
            "did not recognize object of type \"PropertyDefinition\""
        );
        assert_eq!((e.line, e.column), (2, 11));
        // the first problem in traversal order wins
        let e = lazy_error("const x = $.a; class A { x = 1 }");
        assert_eq!(e.kind, CompileErrorKind::LazyStateError);
        // class fields inside a skipped top-level object are never visited
        lazy(
            "const o = { c: class { x = 1 } }",
            "const o = { c: class { x = 1 } }",
        );
        let e = lazy_error("try {} catch { fn($.a) }");
        assert_eq!(e.message, "null does not match type Pattern");
        assert_eq!((e.line, e.column), (1, 8));
        lazy(
            "try { fn(1) } catch { fn(2) }",
            "try { fn(1) } catch { fn(2) }",
        );
    }

    #[test]
    fn let_declared_objects_at_top_level_are_skipped_too() {
        lazy("let x = {a: $.b}", "let x = {a: $.b}");
    }
}
