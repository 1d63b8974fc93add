//! The job's operations are its top-level calls: like kit's
//! `top-level-operations.ts`, every top-level expression statement that is a
//! call moves, in source order, into the `export default [...]` array that
//! ends the program, and is recorded (callee name and source line) in the
//! operations index the runtime uses to attribute errors.

use oxc::allocator::ArenaVec;
use oxc::ast::ast::*;
use oxc::ast::builder::AstBuilder;

use super::position::{to_u32, LineIndex};
use super::OperationInfo;

/// Moves top-level calls into the final `export default [...]`, if the
/// program ends with one; otherwise leaves the program alone.
pub(crate) fn transform<'a>(
    program: &mut Program<'a>,
    builder: &AstBuilder<'a>,
    index: &LineIndex,
) -> Vec<OperationInfo> {
    let ends_with_array_export = matches!(
        program.body.last(),
        Some(Statement::ExportDefaultDeclaration(d))
            if matches!(d.declaration, ExportDefaultDeclarationKind::ArrayExpression(_))
    );
    if !ends_with_array_export {
        return Vec::new();
    }

    let body = std::mem::replace(&mut program.body, ArenaVec::new_in(builder));
    let mut operations = Vec::new();
    let mut calls = Vec::new();
    for statement in body {
        match statement {
            Statement::ExpressionStatement(s)
                if matches!(s.expression, Expression::CallExpression(_)) =>
            {
                let expression = s.unbox().expression;
                if let Expression::CallExpression(call) = &expression {
                    let name = match &call.callee {
                        Expression::Identifier(id) => id.name.to_string(),
                        _ => String::new(),
                    };
                    operations.push(OperationInfo {
                        name,
                        line: index.line_col(call.span.start).0,
                        order: to_u32(operations.len() + 1),
                    });
                }
                calls.push(expression);
            }
            other => program.body.push(other),
        }
    }
    if let Some(Statement::ExportDefaultDeclaration(export)) = program.body.last_mut() {
        if let ExportDefaultDeclarationKind::ArrayExpression(array) = &mut export.declaration {
            array
                .elements
                .extend(calls.into_iter().map(ArrayExpressionElement::from));
        }
    }
    operations
}

#[cfg(test)]
mod tests {
    use crate::compile::test_util::{assert_js, run_with};
    use crate::compile::{CompileOptions, OperationInfo, Transforms};

    const TOP: Transforms = Transforms {
        top_level_operations: true,
        ..Transforms::NONE
    };

    fn top(src: &str, expected: &str) {
        assert_js(src, TOP, expected);
    }

    fn operations(src: &str) -> Vec<(String, u32, u32)> {
        let (_, ops) = run_with(src, TOP, &CompileOptions::default()).unwrap();
        ops.into_iter()
            .map(|OperationInfo { name, line, order }| (name, line, order))
            .collect()
    }

    // kit: packages/compiler/test/transforms/top-level-operations.test.ts

    #[test]
    fn moves_an_operation_into_the_exports_array() {
        top("fn(); export default [];", "export default [fn()];");
    }

    #[test]
    fn moves_multiple_operations_into_the_exports_array() {
        top(
            "a(); b(); c(); export default [];",
            "export default [a(), b(), c()];",
        );
    }

    #[test]
    fn does_not_move_a_nested_operation() {
        top(
            "fn(() => fn()); export default [];",
            "export default [fn(() => fn())];",
        );
    }

    #[test]
    fn moves_a_method_call_into_the_exports_array() {
        top("a.b(); export default [];", "export default [a.b()];");
    }

    #[test]
    fn does_not_move_a_method_call_inside_an_assignment() {
        top(
            "const x = a.b(); export default [];",
            "const x = a.b(); export default [];",
        );
    }

    #[test]
    fn does_nothing_if_there_is_no_export_statement() {
        top("fn();", "fn();");
        top("fn(); export default []; x;", "fn(); export default []; x;");
        top("fn(); export default x;", "fn(); export default x;");
    }

    #[test]
    fn should_only_take_the_top_of_a_nested_operation_call() {
        top(
            "combine(fn()); export default [];",
            "export default [combine(fn())];",
        );
    }

    #[test]
    fn appends_an_operations_map_to_simple_operation() {
        assert_eq!(
            operations("fn(); export default [];"),
            [("fn".to_string(), 1, 1)]
        );
    }

    // Further cases, checked against kit's compiler

    #[test]
    fn only_calls_are_operations() {
        top(
            "x = 1; fn?.(); new F(); await g(); t``; h(); export default [];",
            "x = 1; fn?.(); new F(); await g(); t``; export default [h()];",
        );
    }

    #[test]
    fn operations_are_appended_to_an_existing_array() {
        top("fn(); export default [a];", "export default [a, fn()];");
    }

    #[test]
    fn operations_index_names_and_lines() {
        let src = "fn();\n\nhttp.get(1);\nconst x = 1;\n  each(\n    x);\nexport default [];";
        assert_eq!(
            operations(src),
            [
                ("fn".to_string(), 1, 1),
                (String::new(), 3, 2),
                ("each".to_string(), 5, 3)
            ]
        );
    }
}
