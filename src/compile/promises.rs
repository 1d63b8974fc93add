//! Promise chains on operations: an operation returns a function of state,
//! not a promise, so `get(x).then(fn)` cannot run as written. Like kit's
//! `promises.ts`, such chains become
//! `_defer(get(x), p => p.then(fn), catchFn)` with
//! `import { defer as _defer } from "@openfn/runtime"`.
//!
//! Every call `….then(…)` / `….catch(…)` that is not inside a function or
//! block is rewritten (including ones nested in another operation's
//! arguments): walking down the chain finds the operation (the first call
//! whose callee is a plain identifier or a method other than then/catch),
//! which is replaced by `p` inside the chain. A `.catch` directly on the
//! operation becomes `_defer`'s third argument and is cut from the chain.

use std::collections::HashMap;

use oxc::allocator::{Address, ArenaBox, ArenaVec, TakeIn, UnstableAddress};
use oxc::ast::ast::*;
use oxc::ast::builder::AstBuilder;
use oxc::ast::AstKind;
use oxc::ast_visit::{walk, walk_mut, Visit, VisitMut};

use super::estree::{
    is_ignored_object, kind_member_object, member_object, member_object_mut, member_property_name,
};
use super::nodes::{arrow, close_optional_chain, ident, import};

const RUNTIME: &str = "@openfn/runtime";

/// Rewrites top-level promise chains in `program` (see the module docs).
pub(crate) fn transform<'a>(program: &mut Program<'a>, builder: &AstBuilder<'a>) {
    let mut analysis = Analysis {
        stack: Vec::new(),
        chains: HashMap::new(),
    };
    analysis.visit_program(program);
    if analysis.chains.is_empty() {
        return;
    }
    let mut apply = Apply {
        builder,
        chains: analysis.chains,
    };
    apply.visit_program(program);
    inject_defer_import(program, builder);
}

fn is_then_or_catch(name: Option<&str>) -> bool {
    matches!(name, Some("then" | "catch"))
}

/// Finds the calls kit rewrites: then/catch calls outside functions and
/// blocks. Their insides are not searched further, as in kit.
struct Analysis<'a> {
    stack: Vec<AstKind<'a>>,
    /// Each chain to rewrite, with whether its parent is a member expression
    /// whose object is the chain (which changes kit's output for `.catch`).
    chains: HashMap<Address, bool>,
}

impl<'a> Visit<'a> for Analysis<'a> {
    fn enter_node(&mut self, kind: AstKind<'a>) {
        self.stack.push(kind);
    }

    fn leave_node(&mut self, _kind: AstKind<'a>) {
        self.stack.pop();
    }

    fn visit_object_expression(&mut self, it: &ObjectExpression<'a>) {
        if !is_ignored_object(&self.stack) {
            walk::walk_object_expression(self, it);
        }
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if is_then_or_catch(member_property_name(&it.callee)) && self.is_top_scope() {
            let address = it.unstable_address();
            let parent_is_member_of_it = self
                .stack
                .last()
                .and_then(kind_member_object)
                .is_some_and(|object| oxc::allocator::GetAddress::address(object) == address);
            self.chains.insert(address, parent_is_member_of_it);
            return;
        }
        walk::walk_call_expression(self, it);
    }
}

impl Analysis<'_> {
    /// kit's `isTopScope`: no enclosing function or block.
    fn is_top_scope(&self) -> bool {
        !self.stack.iter().any(|kind| {
            matches!(
                kind,
                AstKind::ArrowFunctionExpression(_)
                    | AstKind::Function(_)
                    | AstKind::BlockStatement(_)
                    | AstKind::FunctionBody(_)
            )
        })
    }
}

struct Apply<'a, 'b> {
    builder: &'b AstBuilder<'a>,
    chains: HashMap<Address, bool>,
}

impl<'a> VisitMut<'a> for Apply<'a, '_> {
    fn visit_expression(&mut self, it: &mut Expression<'a>) {
        if let Expression::CallExpression(call) = it {
            if let Some(&parent_is_member) = self.chains.get(&call.unstable_address()) {
                let Expression::CallExpression(call) = it.take_in(self.builder) else {
                    unreachable!("just matched a call expression")
                };
                *it = Expression::CallExpression(rebuild(self.builder, call, parent_is_member));
                return;
            }
        }
        walk_mut::walk_expression(self, it);
    }

    fn visit_chain_element(&mut self, it: &mut ChainElement<'a>) {
        if let ChainElement::CallExpression(call) = it {
            if let Some(&parent_is_member) = self.chains.get(&call.unstable_address()) {
                let ChainElement::CallExpression(call) = it.take_in(self.builder) else {
                    unreachable!("just matched a call expression")
                };
                *it = ChainElement::CallExpression(rebuild(self.builder, call, parent_is_member));
                return;
            }
        }
        walk_mut::walk_chain_element(self, it);
    }
}

/// Depth of the operation in the chain below `chain` (0 is `chain` itself),
/// or `None` where kit's search never ends (e.g. `x.then()`, where the chain
/// does not start with a call); such chains are left as they are.
fn operation_depth(chain: &CallExpression) -> Option<usize> {
    let mut call = chain;
    let mut depth = 0;
    loop {
        match &call.callee {
            Expression::Identifier(_) => return Some(depth),
            callee => {
                let object = member_object(callee)?;
                if !is_then_or_catch(member_property_name(callee)) {
                    return Some(depth);
                }
                let Expression::CallExpression(next) = object else {
                    return None;
                };
                call = next;
                depth += 1;
            }
        }
    }
}

/// The call `depth` steps down the chain.
fn chain_call<'b, 'a>(
    chain: &'b mut CallExpression<'a>,
    depth: usize,
) -> &'b mut CallExpression<'a> {
    let mut call = chain;
    for _ in 0..depth {
        call = match member_object_mut(&mut call.callee) {
            Some(Expression::CallExpression(next)) => next,
            _ => unreachable!("operation_depth checked the chain"),
        };
    }
    call
}

/// kit's `rebuildPromiseChain`.
fn rebuild<'a>(
    b: &AstBuilder<'a>,
    mut chain: ArenaBox<'a, CallExpression<'a>>,
    parent_is_member: bool,
) -> ArenaBox<'a, CallExpression<'a>> {
    let Some(depth) = operation_depth(&chain) else {
        return chain;
    };
    let span = chain.span;
    // `above` is the call whose callee is `operation.then` / `operation.catch`
    let above = depth - 1;
    let above_call = chain_call(&mut chain, above);
    let catch_on_operation = member_property_name(&above_call.callee) == Some("catch");
    let object = member_object_mut(&mut above_call.callee).expect("chain callee is a member");
    let operation = std::mem::replace(object, ident(b, "p"));

    let mut args: ArenaVec<'a, Argument<'a>> = ArenaVec::new_in(b);
    args.push(Argument::from(close_optional_chain(b, operation)));
    if catch_on_operation {
        let catch_call = chain_call(&mut chain, above);
        if catch_call.arguments.is_empty() {
            // kit passes the `.catch()` call itself and drops the rest
            let catch_call = if above == 0 {
                Expression::CallExpression(chain)
            } else {
                let below = chain_call(&mut chain, above - 1);
                member_object_mut(&mut below.callee)
                    .expect("chain callee is a member")
                    .take_in(b)
            };
            args.push(Argument::from(ident(b, "undefined")));
            args.push(Argument::from(close_optional_chain(b, catch_call)));
        } else {
            let catch_fn = catch_call.arguments.remove(0);
            if above == 0 {
                // the whole chain is `operation.catch(fn)`; when it is itself
                // the object of a member (`op.catch(fn).finally(…)`), kit's
                // chain collapses to `p => p`
                let then = if parent_is_member {
                    arrow(b, "p", ident(b, "p"), span)
                } else {
                    ident(b, "undefined")
                };
                args.push(Argument::from(then));
            } else {
                // cut the catch out of the chain
                let below = chain_call(&mut chain, above - 1);
                *member_object_mut(&mut below.callee).expect("chain callee is a member") =
                    ident(b, "p");
                args.push(Argument::from(arrow(
                    b,
                    "p",
                    Expression::CallExpression(chain),
                    span,
                )));
            }
            args.push(catch_fn);
        }
    } else {
        args.push(Argument::from(arrow(
            b,
            "p",
            Expression::CallExpression(chain),
            span,
        )));
    }
    CallExpression::boxed(span, ident(b, "_defer"), None, args, false, b)
}

/// Adds `import { defer as _defer } from "@openfn/runtime"` after the
/// leading imports, unless anything is imported from `@openfn/runtime`.
fn inject_defer_import<'a>(program: &mut Program<'a>, b: &AstBuilder<'a>) {
    let has_runtime_import = program
        .body
        .iter()
        .any(|s| matches!(s, Statement::ImportDeclaration(d) if d.source.value == RUNTIME));
    if has_runtime_import {
        return;
    }
    let at = program
        .body
        .iter()
        .take_while(|s| matches!(s, Statement::ImportDeclaration(_)))
        .count();
    program
        .body
        .insert(at, import(b, &[("defer", "_defer")], RUNTIME));
}

#[cfg(test)]
mod tests {
    use crate::compile::test_util::assert_js;
    use crate::compile::Transforms;

    const PROMISES: Transforms = Transforms {
        promises: true,
        ..Transforms::NONE
    };
    const IMPORT: &str = r#"import { defer as _defer } from "@openfn/runtime";"#;

    fn promises(src: &str, expected: &str) {
        assert_js(src, PROMISES, &format!("{IMPORT}\n{expected}"));
    }

    // kit: packages/compiler/test/transforms/promises.test.ts

    #[test]
    fn wrap_then() {
        promises(
            "fn(x).then(() => {})",
            "_defer(fn(x), p => p.then(() => {}))",
        );
    }

    #[test]
    fn wrap_catch() {
        promises(
            "fn(x).catch((e) => e)",
            "_defer(fn(x), undefined, (e) => e)",
        );
    }

    #[test]
    fn wrap_then_then() {
        promises(
            "fn(x).then((e) => e).then((e) => e)",
            "_defer(fn(x), p => p.then((e) => e).then((e) => e))",
        );
    }

    #[test]
    fn wrap_catch_then() {
        promises(
            "fn(x).catch((e) => e).then((s) => s)",
            "_defer(fn(x), p => p.then((s) => s), (e) => e)",
        );
    }

    #[test]
    fn wrap_catch_then_then() {
        promises(
            "fn(x).catch((e) => e).then((s) => s).then(s => s)",
            "_defer(fn(x), p => p.then((s) => s).then(s => s), (e) => e)",
        );
    }

    #[test]
    fn wrap_catch_then_catch() {
        promises(
            "fn(x).catch((e) => e).then((s) => s).catch(e => e)",
            "_defer(fn(x), p => p.then((s) => s).catch(e => e), (e) => e)",
        );
    }

    #[test]
    fn only_import_once() {
        promises(
            "fn(x).then(s => s);\nfn(x).then(s => s);",
            "_defer(fn(x), p => p.then(s => s));\n_defer(fn(x), p => p.then(s => s));",
        );
    }

    #[test]
    fn insert_new_import_at_the_end_of_existing_imports() {
        assert_js(
            "import x from 'y';\nfn(x).then(s => s);",
            PROMISES,
            &format!("import x from 'y';\n{IMPORT}\n_defer(fn(x), p => p.then(s => s));"),
        );
    }

    #[test]
    fn keep_an_existing_runtime_import() {
        assert_js(
            "fn(x).then(s => s);\nimport { defer as _defer } from '@openfn/runtime';",
            PROMISES,
            "_defer(fn(x), p => p.then(s => s));\nimport { defer as _defer } from '@openfn/runtime';",
        );
    }

    #[test]
    fn nested_in_an_operation() {
        promises(
            "fn(get(x).then(s => s));",
            "fn(_defer(get(x), p => p.then(s => s)));",
        );
        promises(
            "fn(get(x).then(s => s), post(x).then(s => s));",
            "fn(_defer(get(x), p => p.then(s => s)), _defer(post(x), p => p.then(s => s)));",
        );
    }

    #[test]
    fn ignore_promises_in_a_callback() {
        let src = "fn((state) => {\n    return get().then((s) => s)\n});";
        assert_js(src, PROMISES, src);
    }

    // Further cases, checked against kit's compiler

    #[test]
    fn method_operations() {
        promises("a.b().then(x)", "_defer(a.b(), p => p.then(x))");
        promises(
            "Promise.resolve().then(a)",
            "_defer(Promise.resolve(), p => p.then(a))",
        );
        promises(
            "a.then().b().then(x)",
            "_defer(a.then().b(), p => p.then(x))",
        );
        promises("a()[then](b)", "_defer(a(), p => p[then](b))");
        let src = r#"a()["then"](b)"#;
        assert_js(src, PROMISES, src);
    }

    #[test]
    fn longer_chains() {
        promises("fn(x).then(a, b)", "_defer(fn(x), p => p.then(a, b))");
        promises(
            "a().then(b).catch(c)",
            "_defer(a(), p => p.then(b).catch(c))",
        );
        promises(
            "fn().catch(e).then(a).catch(b).then(c)",
            "_defer(fn(), p => p.then(a).catch(b).then(c), e)",
        );
        promises(
            "fn().then(a).finally(b)",
            "_defer(fn(), p => p.then(a)).finally(b)",
        );
        promises(
            "fn().catch(e).finally(f)",
            "_defer(fn(), p => p, e).finally(f)",
        );
        promises("x[fn().catch(e)]", "x[_defer(fn(), undefined, e)]");
    }

    #[test]
    fn top_scope_is_outside_functions_and_blocks() {
        promises("if (x) a().then(b)", "if (x) _defer(a(), p => p.then(b))");
        promises(
            "const y = a().then(b)",
            "const y = _defer(a(), p => p.then(b))",
        );
        promises(
            "class A { static { a().then(b) } }",
            "class A { static { _defer(a(), p => p.then(b)) } }",
        );
        let src = "fn(() => a().then(b))";
        assert_js(src, PROMISES, src);
        let src = "if (x) { a().then(b) }";
        assert_js(src, PROMISES, src);
        let src = "const o = { x: a().then(b) }";
        assert_js(src, PROMISES, src);
    }

    #[test]
    fn optional_chains() {
        promises("fn()?.then(x)", "_defer(fn(), p => p?.then(x))");
        promises("fn?.().then(x)", "_defer(fn?.(), p => p.then(x))");
    }

    #[test]
    fn catch_without_arguments() {
        promises("fn().catch()", "_defer(fn(), undefined, p.catch())");
        promises("fn().catch().then(x)", "_defer(fn(), undefined, p.catch())");
    }

    #[test]
    fn chains_without_an_operation_are_left_alone() {
        // kit never finishes compiling these; the import is still added
        promises("x.then(() => {})", "x.then(() => {})");
        promises("(async () => {})().then(a)", "(async () => {})().then(a)");
    }
}
