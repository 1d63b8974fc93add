//! Every compiled job is a module whose default export is its operation
//! list: like kit's `ensure-exports.ts`, append `export default [];` unless
//! the source already has a default export (then it is taken as compiled).

use oxc::ast::ast::{Program, Statement};
use oxc::ast::builder::AstBuilder;

use super::nodes::export_default_array;

/// Appends `export default [];` to a program without a default export.
pub(crate) fn transform<'a>(program: &mut Program<'a>, builder: &AstBuilder<'a>) {
    let has_default_export = program
        .body
        .iter()
        .any(|s| matches!(s, Statement::ExportDefaultDeclaration(_)));
    if !has_default_export {
        program.body.push(export_default_array(builder));
    }
}

#[cfg(test)]
mod tests {
    use crate::compile::test_util::assert_js;
    use crate::compile::Transforms;

    const ENSURE: Transforms = Transforms {
        ensure_exports: true,
        ..Transforms::NONE
    };

    fn ensure(src: &str, expected: &str) {
        assert_js(src, ENSURE, expected);
    }

    // kit: packages/compiler/test/transforms/ensure-exports.test.ts

    #[test]
    fn add_exports_to_empty_source() {
        ensure("", "export default [];");
    }

    #[test]
    fn add_empty_exports_to_source_with_only_variable_declarations() {
        ensure("const x  = 10;", "const x = 10; export default [];");
    }

    #[test]
    fn add_empty_exports_to_source_with_a_single_function_call() {
        ensure("fn();", "fn(); export default [];");
    }

    #[test]
    fn add_empty_exports_to_source_with_multiple_statements() {
        ensure(
            "\nconst x  = 10;\nconst fn  =  () => 2;\nfn();",
            "const x = 10; const fn = () => 2; fn(); export default [];",
        );
    }

    #[test]
    fn do_not_change_source_with_a_default_export() {
        ensure("export default [];", "export default [];");
        ensure("export default [a]; fn();", "export default [a]; fn();");
        ensure(
            "export default function () {}",
            "export default function () {}",
        );
    }

    #[test]
    fn do_change_source_with_named_exports() {
        ensure(
            "const x = 10; export { x };",
            "const x = 10; export { x }; export default [];",
        );
        ensure(
            "export const x = 10;",
            "export const x = 10; export default [];",
        );
        ensure(
            "const x = 10; export { x as y };",
            "const x = 10; export { x as y }; export default [];",
        );
        ensure(
            r#"export * from "foo";"#,
            r#"export * from "foo"; export default [];"#,
        );
    }
}
