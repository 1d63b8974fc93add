//! Static detection of a CommonJS module's export names, so `import { x } from "cjs-pkg"` works
//! as in Node (which uses cjs-module-lexer for the same purpose).
//!
//! Recognised shapes: `exports.x =`, `module.exports.x =`, `Object.defineProperty(exports, "x",
//! …)`, `module.exports = { … }`, re-exports `module.exports = require("…")` and TypeScript's /
//! esbuild's `__exportStar(require("…"), exports)` / `__export(target, { x: () => … })`.

use oxc::allocator::Allocator;
use oxc::ast::ast::{Argument, AssignmentTarget, CallExpression, Expression, ObjectPropertyKind};
use oxc::ast_visit::{walk, Visit};
use oxc::parser::Parser;
use oxc::span::SourceType;

/// Names a CommonJS file exports and the specifiers whose exports it re-exports.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CjsExports {
    /// Export names in first-seen order, without duplicates.
    pub names: Vec<String>,
    /// `require` specifiers re-exported wholesale.
    pub reexports: Vec<String>,
}

impl CjsExports {
    fn add(&mut self, name: &str) {
        if !self.names.iter().any(|n| n == name) {
            self.names.push(name.to_string());
        }
    }
}

/// Scans `source` (a CommonJS script) for its exports. Unparsable sources export nothing.
pub fn detect_cjs_exports(source: &str) -> CjsExports {
    let allocator = Allocator::default();
    let source_type = SourceType::cjs();
    let parsed = Parser::new(&allocator, source, source_type).parse();
    let mut finder = ExportFinder::default();
    if !parsed.panicked {
        finder.visit_program(&parsed.program);
    }
    finder.found
}

#[derive(Default)]
struct ExportFinder {
    found: CjsExports,
}

fn is_exports_object(expr: &Expression) -> bool {
    expr.is_specific_id("exports") || expr.is_specific_member_access("module", "exports")
}

fn require_specifier(expr: &Expression) -> Option<String> {
    if let Expression::CallExpression(call) = expr.without_parentheses() {
        if call.callee.is_specific_id("require") && call.arguments.len() == 1 {
            if let Argument::StringLiteral(s) = &call.arguments[0] {
                return Some(s.value.to_string());
            }
        }
    }
    None
}

fn string_arg(arg: &Argument) -> Option<String> {
    match arg {
        Argument::StringLiteral(s) => Some(s.value.to_string()),
        _ => None,
    }
}

impl ExportFinder {
    fn object_keys(&mut self, expr: &Expression) {
        if let Expression::ObjectExpression(obj) = expr.without_parentheses() {
            for prop in &obj.properties {
                match prop {
                    ObjectPropertyKind::ObjectProperty(p) => {
                        if let Some(name) = p.key.static_name() {
                            self.found.add(&name);
                        }
                    }
                    ObjectPropertyKind::SpreadProperty(spread) => {
                        if let Some(spec) = require_specifier(&spread.argument) {
                            self.found.reexports.push(spec);
                        }
                    }
                }
            }
        }
    }
}

impl<'a> Visit<'a> for ExportFinder {
    fn visit_assignment_expression(&mut self, it: &oxc::ast::ast::AssignmentExpression<'a>) {
        if let AssignmentTarget::StaticMemberExpression(member) = &it.left {
            if is_exports_object(&member.object) {
                self.found.add(member.property.name.as_str());
            } else if member.object.is_specific_id("module") && member.property.name == "exports" {
                if let Some(spec) = require_specifier(&it.right) {
                    self.found.reexports.push(spec);
                } else {
                    self.object_keys(&it.right);
                }
            }
        } else if let AssignmentTarget::ComputedMemberExpression(member) = &it.left {
            if is_exports_object(&member.object) {
                if let Expression::StringLiteral(s) = &member.expression {
                    self.found.add(s.value.as_str());
                }
            }
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_call_expression(&mut self, call: &CallExpression<'a>) {
        let callee = &call.callee;
        let args = &call.arguments;
        if callee.is_specific_member_access("Object", "defineProperty") && args.len() >= 2 {
            if let Some(target) = args[0].as_expression() {
                if is_exports_object(target) {
                    if let Some(name) = string_arg(&args[1]) {
                        self.found.add(&name);
                    }
                }
            }
        } else if let Some(name) = callee.get_identifier_reference().map(|i| i.name.as_str()) {
            // TypeScript: __exportStar(require("x"), exports) / __export(require("x"))
            if (name == "__exportStar" || name.ends_with("__exportStar") || name == "__export")
                && !args.is_empty()
            {
                if let Some(spec) = args[0].as_expression().and_then(require_specifier) {
                    self.found.reexports.push(spec);
                } else if name == "__export" && args.len() == 2 {
                    // esbuild: __export(target, { a: () => a, … })
                    if let Some(obj) = args[1].as_expression() {
                        self.object_keys(obj);
                    }
                }
            }
        }
        walk::walk_call_expression(self, call);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_assignment_and_define_property_exports() {
        let found = detect_cjs_exports(
            r#""use strict";
            Object.defineProperty(exports, "__esModule", { value: true });
            exports.fn = fn; module.exports.each = each; exports["weird-name"] = 1;
            function fn() {} function each() {}"#,
        );
        assert_eq!(found.names, vec!["__esModule", "fn", "each", "weird-name"]);
    }

    #[test]
    fn finds_object_literal_and_reexports() {
        let found = detect_cjs_exports(
            "module.exports = { a, b: 2, c() {}, ...require('./more') };\n__exportStar(require('./x'), exports);",
        );
        assert_eq!(found.names, vec!["a", "b", "c"]);
        assert_eq!(found.reexports, vec!["./more", "./x"]);
        let whole = detect_cjs_exports("module.exports = require('./impl');");
        assert_eq!(whole.reexports, vec!["./impl"]);
    }

    #[test]
    fn finds_esbuild_export_helper() {
        let found = detect_cjs_exports(
            "var x_exports = {}; __export(x_exports, { alpha: () => alpha, beta: () => beta }); module.exports = __toCommonJS(x_exports);",
        );
        assert_eq!(found.names, vec!["alpha", "beta"]);
    }
}
