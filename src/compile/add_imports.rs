//! Jobs call adaptor functions (`fn`, `each`, `get`…) without importing
//! them. Like kit's `add-imports.ts`, every identifier that is used but never
//! declared is imported from the adaptor that exports it, and the adaptor is
//! re-exported with `export * from "<adaptor>"`.
//!
//! "Used but never declared" follows kit's `findAllDanglingIdentifiers`
//! exactly, quirks included: every ESTree `Identifier` counts (labels,
//! class member names, `import.meta`'s parts, exported names…) except
//! imported names, `undefined`/`NaN`, property names in member chains (also
//! identifiers inside a computed property's object chain), object keys and
//! values spelled like their key, names declared in an enclosing
//! `ast-types` scope, and anything in a top-level `const x = { … }` object.
//!
//! For an adaptor with a list of exports, the used exports are imported in
//! the order of that list; for an adaptor without one, every dangling
//! identifier not matching kit's globals pattern is imported. Names kit
//! ignores or looks up in plain objects — the `ignore` list and
//! `Object.prototype`'s properties such as `constructor` — are never
//! imported. Each adaptor's import goes to the top of the program (so later
//! adaptors come first).

use std::collections::HashSet;

use oxc::allocator::{Address, GetAddress, UnstableAddress};
use oxc::ast::ast::*;
use oxc::ast::builder::AstBuilder;
use oxc::ast::AstKind;
use oxc::ast_visit::{walk, Visit};

use super::estree::{is_ignored_object, kind_address, ScopeModel, CATCH_WITHOUT_BINDING};
use super::nodes::{export_all, import};
use super::position::LineIndex;
use super::{CompileError, CompileErrorKind, CompileOptions};

/// kit's list of globals that are never imported from an adaptor without an
/// exports list.
const GLOBALS: &[&str] = &[
    "AggregateError",
    "Array",
    "ArrayBuffer",
    "AsyncFuction",
    "AsyncGenerator",
    "atob",
    "Atomics",
    "BigInt",
    "BigInt64Array",
    "BigUint64Array",
    "Blob",
    "Boolean",
    "btoa",
    "Buffer",
    "clearInterval",
    "clearTimeout",
    "console",
    "DataView",
    "Date",
    "decodeURI",
    "decodeURIComponent",
    "encodeURI",
    "encodeURIComponent",
    "Error",
    "eval",
    "EvalError",
    "Event",
    "exports",
    "FinalizationRegistry",
    "Float32Array",
    "Float64Array",
    "Function",
    "Generator",
    "global",
    "Infinity",
    "Int16Array",
    "Int32Array",
    "Int8Array",
    "isFinite",
    "isNaN",
    "JSON",
    "Map",
    "Math",
    "module",
    "Number",
    "Object",
    "parseFloat",
    "parseInt",
    "process",
    "Promise",
    "Proxy",
    "RangeError",
    "ReferenceError",
    "Reflect",
    "RegExp",
    "require",
    "Set",
    "setInterval",
    "setTimeout",
    "SharedArrayBuffer",
    "state",
    "String",
    "Symbol",
    "TypedArray",
    "Uint16Array",
    "Uint32Array",
    "Uint8Array",
    "Uint8ClampedArray",
    "URIError",
    "URL",
    "WeakMap",
    "WeakRef",
    "WeakSet",
];

/// Names kit never imports because it looks them up in plain objects
/// (`ignore[name]`), where `Object.prototype`'s properties are always set.
const OBJECT_PROTOTYPE: &[&str] = &[
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
    "__proto__",
    "constructor",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "toString",
    "valueOf",
];

/// kit tests names against `new RegExp('^' + globals.join('|') + '$')`, in
/// which the anchors bind only to the first and last alternatives: a name
/// matches if it starts with `AggregateError`, ends with `WeakSet`, or
/// contains any other global (so `toArray` or `upstate` match too).
fn matches_globals_pattern(name: &str) -> bool {
    let (first, rest) = GLOBALS.split_first().expect("globals list is not empty");
    let (last, middle) = rest.split_last().expect("globals list has several names");
    name.starts_with(first) || name.ends_with(last) || middle.iter().any(|g| name.contains(g))
}

/// Adds adaptor imports (and re-exports) for the identifiers `program` uses
/// without declaring.
pub(crate) fn transform<'a>(
    program: &mut Program<'a>,
    builder: &AstBuilder<'a>,
    index: &LineIndex,
    opts: &CompileOptions,
) -> Result<(), CompileError> {
    if opts.adaptors.is_empty() {
        return Ok(());
    }
    let dangling = find_dangling_identifiers(program).map_err(|offset| {
        CompileError::plain(
            CompileErrorKind::Unsupported,
            index,
            offset,
            CATCH_WITHOUT_BINDING.to_string(),
        )
    })?;
    let is_dangling: HashSet<&str> = dangling.iter().map(String::as_str).collect();
    let ignored: HashSet<&str> = opts
        .ignore
        .iter()
        .map(String::as_str)
        .chain(OBJECT_PROTOTYPE.iter().copied())
        .collect();

    for adaptor in &opts.adaptors {
        if adaptor.specifier.is_empty() {
            continue;
        }
        let used: Vec<&str> = if adaptor.exports.is_empty() {
            dangling
                .iter()
                .map(String::as_str)
                .filter(|name| !ignored.contains(name) && !matches_globals_pattern(name))
                .collect()
        } else {
            adaptor
                .exports
                .iter()
                .map(String::as_str)
                .filter(|name| !ignored.contains(name) && is_dangling.contains(name))
                .collect()
        };
        if used.is_empty() {
            continue;
        }
        let names: Vec<(&str, &str)> = used.iter().map(|n| (*n, *n)).collect();
        program
            .body
            .insert(0, import(builder, &names, &adaptor.specifier));
        if opts.export_all {
            program
                .body
                .insert(1, export_all(builder, &adaptor.specifier));
        }
    }
    Ok(())
}

/// kit's `findAllDanglingIdentifiers`: names in first-use order, or the
/// offset of a `catch` clause without a binding that kit fails on.
pub(crate) fn find_dangling_identifiers(program: &Program) -> Result<Vec<String>, u32> {
    let mut finder = Finder {
        stack: Vec::new(),
        scopes: ScopeModel::default(),
        found: Vec::new(),
        seen: HashSet::new(),
        crash: None,
    };
    finder.visit_program(program);
    match finder.crash {
        Some(offset) => Err(offset),
        None => Ok(finder.found),
    }
}

struct Finder<'a> {
    stack: Vec<AstKind<'a>>,
    scopes: ScopeModel,
    found: Vec<String>,
    seen: HashSet<String>,
    crash: Option<u32>,
}

impl<'a> Visit<'a> for Finder<'a> {
    fn enter_node(&mut self, kind: AstKind<'a>) {
        self.stack.push(kind);
        match kind {
            AstKind::IdentifierReference(id) => self.check(id.name.as_str(), true),
            AstKind::BindingIdentifier(id) => self.check(id.name.as_str(), true),
            AstKind::IdentifierName(id) => self.check(id.name.as_str(), true),
            AstKind::LabelIdentifier(id) => self.check(id.name.as_str(), true),
            // ESTree: MetaProperty { meta: Identifier, property: Identifier }
            AstKind::ImportMeta(_) => {
                self.check("import", false);
                self.check("meta", false);
            }
            AstKind::NewTarget(_) => {
                self.check("new", false);
                self.check("target", false);
            }
            _ => {}
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

    // ast-types does not know acorn's import attributes and never visits them
    fn visit_with_clause(&mut self, _it: &WithClause<'a>) {}

    // ast-types visits a class's superclass after its body
    fn visit_class(&mut self, it: &Class<'a>) {
        let kind = AstKind::Class(self.alloc(it));
        self.enter_node(kind);
        self.visit_decorators(&it.decorators);
        if let Some(id) = &it.id {
            self.visit_binding_identifier(id);
        }
        self.visit_class_body(&it.body);
        if let Some(heritage) = &it.heritage {
            self.visit_class_heritage(heritage);
        }
        self.leave_node(kind);
    }
}

impl Finder<'_> {
    /// Records `name` unless kit's rules exclude it. `on_stack` says whether
    /// the identifier is the node on top of the stack (otherwise it is a
    /// part of the node on top, like `import` in `import.meta`).
    fn check(&mut self, name: &str, on_stack: bool) {
        // every occurrence is checked, even of names already found: kit's
        // scope lookup may fail on any of them
        if self.crash.is_some() || name == "undefined" || name == "NaN" {
            return;
        }
        let n = self.stack.len();
        let (id_address, parent_index) = if on_stack {
            (Some(kind_address(&self.stack[n - 1])), n.checked_sub(2))
        } else {
            (None, Some(n - 1))
        };
        if let (Some(id_address), Some(pi)) = (id_address, parent_index) {
            if self.excluded_by_parent(id_address, pi, name) {
                return;
            }
        }
        let scope_end = if on_stack { n - 1 } else { n };
        match self
            .scopes
            .is_declared(&self.stack[..scope_end], name, true)
        {
            Ok(true) => return,
            Ok(false) => {}
            Err(offset) => {
                self.crash = Some(offset);
                return;
            }
        }
        if self.seen.insert(name.to_string()) {
            self.found.push(name.to_string());
        }
    }

    /// kit's checks on the identifier's parent node.
    fn excluded_by_parent(&self, id: Address, parent_index: usize, name: &str) -> bool {
        let parent = self.stack[parent_index];
        match parent {
            AstKind::ImportSpecifier(_) => true,
            AstKind::StaticMemberExpression(m) => {
                m.property.unstable_address() == id || self.in_computed_property_chain(parent_index)
            }
            AstKind::ComputedMemberExpression(m) => {
                m.expression.address() == id || self.in_computed_property_chain(parent_index)
            }
            AstKind::PrivateFieldExpression(_) => self.in_computed_property_chain(parent_index),
            AstKind::ObjectProperty(p) => key_name(&p.key) == Some(name),
            AstKind::BindingProperty(p) => key_name(&p.key) == Some(name),
            AstKind::AssignmentTargetPropertyProperty(p) => key_name(&p.name) == Some(name),
            // `{a} = …` is `{a: a}` in ESTree (both excluded), but
            // `{a = 1} = …` is `{a: AssignmentPattern(a, 1)}`
            AstKind::AssignmentTargetPropertyIdentifier(p) => p.init.is_none(),
            _ => false,
        }
    }

    /// Whether the member at `index` is, through a chain of member objects,
    /// the computed property of an enclosing member (`b` in `a[b.c]`).
    fn in_computed_property_chain(&self, index: usize) -> bool {
        let mut target = kind_address(&self.stack[index]);
        let mut i = index;
        while i > 0 {
            i -= 1;
            match self.stack[i] {
                AstKind::ComputedMemberExpression(m) => {
                    if m.expression.address() == target {
                        return true;
                    }
                }
                AstKind::StaticMemberExpression(_) | AstKind::PrivateFieldExpression(_) => {}
                _ => return false,
            }
            target = kind_address(&self.stack[i]);
        }
        false
    }
}

/// The identifier name of a property key (static or computed), as ESTree's
/// `Property.key.name`.
fn key_name<'a>(key: &PropertyKey<'a>) -> Option<&'a str> {
    match key {
        PropertyKey::StaticIdentifier(id) => Some(id.name.as_str()),
        PropertyKey::Identifier(id) => Some(id.name.as_str()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{find_dangling_identifiers, matches_globals_pattern};
    use crate::compile::position::LineIndex;
    use crate::compile::test_util::assert_js_with;
    use crate::compile::{parse, AdaptorInfo, CompileErrorKind, CompileOptions, Transforms};
    use oxc::allocator::Allocator;

    const IMPORTS: Transforms = Transforms {
        add_imports: true,
        ..Transforms::NONE
    };

    fn dangling(src: &str) -> Vec<String> {
        let allocator = Allocator::default();
        let index = LineIndex::new(src);
        let program = parse::parse(&allocator, src, &index).unwrap();
        find_dangling_identifiers(&program).expect("no catch without binding")
    }

    fn options(adaptors: Vec<AdaptorInfo>) -> CompileOptions {
        CompileOptions {
            adaptors,
            export_all: false,
            ..CompileOptions::default()
        }
    }

    fn imports(src: &str, opts: &CompileOptions, expected: &str) {
        assert_js_with(src, IMPORTS, opts, expected);
    }

    // kit: packages/compiler/test/transforms/add-imports.test.ts

    #[test]
    fn find_dangling_identifiers_kit_cases() {
        let cases: &[(&str, &[&str])] = &[
            ("x;", &["x"]),
            ("x();", &["x"]),
            ("x = x;", &["x"]),
            ("x = y;", &["x", "y"]),
            ("x;y();", &["x", "y"]),
            ("x.y;", &["x"]),
            ("x.y.z;", &["x"]),
            ("x.y();", &["x"]),
            ("x().y;", &["x"]),
            ("x.y().z;", &["x"]),
            ("x.y.z();", &["x"]),
            ("const x = 1;", &[]),
            ("let x = 1, y = 2;", &[]),
            ("const { x } = obj;", &["obj"]),
            ("const x = { a };", &[]),
            ("const x = { a: 10 };", &[]),
            ("const x = { a: b };", &[]),
            ("const a = {}; const x = { ...a };", &[]),
            ("export default (a) => a;", &[]),
            ("export default () => a;", &["a"]),
            ("function f(a) { a; };", &[]),
            (r#"import { fn } from "fn"; fn;"#, &[]),
            (r#"import * as fn from "fn"; fn;"#, &[]),
            ("const x = undefined;", &[]),
            ("const x = true | false | null | NaN;", &[]),
        ];
        for (src, expected) in cases {
            assert_eq!(dangling(src), *expected, "{src}");
        }
    }

    #[test]
    fn find_dangling_identifiers_ignores_top_level_object_declarations() {
        let src = r#"
const bigObj = {name: "ignore-me", age: bank};
fn(state=> {
    const update = {
      name: "pick-me",
      age: foo
    }
    return update
})
    "#;
        assert_eq!(dangling(src), ["fn", "foo"]);
    }

    #[test]
    fn find_dangling_identifiers_nested_scoping() {
        let src = "fn((a) => {
    const x = 1;
    a;
    const f = () => {
      x;
      a;
      z; // dangling
    };
  })";
        assert_eq!(dangling(src), ["fn", "z"]);
    }

    #[test]
    fn add_imports_for_a_test_module() {
        let opts = options(vec![AdaptorInfo::new("test-adaptor", ["x", "y", "z"])]);
        imports(
            "x; y;",
            &opts,
            r#"import { x, y } from "test-adaptor"; x; y;"#,
        );
    }

    #[test]
    fn only_add_used_imports_for_a_test_module() {
        let opts = options(vec![AdaptorInfo::new("test-adaptor", ["x", "y"])]);
        imports("x;", &opts, r#"import { x } from "test-adaptor"; x;"#);
    }

    #[test]
    fn do_not_add_imports_if_nothing_is_used() {
        let opts = options(vec![AdaptorInfo::new("test-adaptor", ["x", "y"])]);
        imports("", &opts, "");
    }

    #[test]
    fn add_imports_for_multiple_adaptors() {
        let opts = options(vec![
            AdaptorInfo::new("adaptor-a", ["x"]),
            AdaptorInfo::new("adaptor-b", ["y"]),
        ]);
        // the second adaptor's import ends up first
        imports(
            "x; y;",
            &opts,
            r#"import { y } from "adaptor-b"; import { x } from "adaptor-a"; x; y;"#,
        );
    }

    #[test]
    fn do_not_import_if_a_variable_is_declared_with_the_same_name() {
        let opts = options(vec![AdaptorInfo::new("test-adaptor", ["x"])]);
        imports("const x = 1;", &opts, "const x = 1;");
    }

    #[test]
    fn dumbly_add_imports_for_an_adaptor_with_empty_exports() {
        let opts = options(vec![AdaptorInfo::new("test-adaptor", Vec::<String>::new())]);
        imports(
            "x; y;",
            &opts,
            r#"import { x, y } from "test-adaptor"; x; y;"#,
        );
    }

    #[test]
    fn do_not_auto_add_imports_for_node_globals() {
        let globals = [
            "atob",
            "Blob",
            "btoa",
            "Buffer",
            "clearInterval",
            "clearTimeout",
            "console",
            "Date",
            "Error",
            "Event",
            "exports",
            "isNaN",
            "global",
            "JSON",
            "Map",
            "module",
            "NaN",
            "parseFloat",
            "parseInt",
            "process",
            "Promise",
            "require",
            "Set",
            "setInterval",
            "setTimeout",
            "state",
            "URL",
        ];
        let src = format!("x;\n{}", globals.map(|g| format!("{g};")).join("\n"));
        let opts = options(vec![AdaptorInfo::new("test-adaptor", Vec::<String>::new())]);
        imports(
            &src,
            &opts,
            &format!("import {{ x }} from \"test-adaptor\";\n{src}"),
        );
    }

    #[test]
    fn do_not_add_imports_for_ignored_identifiers() {
        let opts = CompileOptions {
            ignore: vec!["x".to_string()],
            ..options(vec![AdaptorInfo::new("test-adaptor", Vec::<String>::new())])
        };
        imports("x; y;", &opts, r#"import { y } from "test-adaptor"; x; y;"#);
        // the ignore list applies to adaptors with exports too
        let opts = CompileOptions {
            ignore: vec!["x".to_string()],
            ..options(vec![AdaptorInfo::new("test-adaptor", ["x", "y"])])
        };
        imports("x; y;", &opts, r#"import { y } from "test-adaptor"; x; y;"#);
    }

    #[test]
    fn do_not_add_imports_from_import_specifiers() {
        let opts = options(vec![AdaptorInfo::new("test-adaptor", Vec::<String>::new())]);
        let src = r#"import { x, y as _y } from "@openfn/runtime";"#;
        imports(src, &opts, src);
    }

    #[test]
    fn export_everything_from_an_adaptor() {
        let opts = CompileOptions {
            export_all: true,
            ..options(vec![AdaptorInfo::new("test-adaptor", Vec::<String>::new())])
        };
        imports(
            "x;",
            &opts,
            r#"import { x } from "test-adaptor"; export * from "test-adaptor"; x;"#,
        );
        // with several adaptors, each re-export follows its import
        let opts = CompileOptions {
            export_all: true,
            ..options(vec![
                AdaptorInfo::new("adaptor-a", ["x"]),
                AdaptorInfo::new("adaptor-b", ["y"]),
            ])
        };
        imports(
            "x; y;",
            &opts,
            r#"import { y } from "adaptor-b"; export * from "adaptor-b";
               import { x } from "adaptor-a"; export * from "adaptor-a"; x; y;"#,
        );
    }

    // Further cases, checked against kit's compiler

    #[test]
    fn imports_follow_the_order_of_the_exports_list() {
        let opts = options(vec![AdaptorInfo::new("a", ["each", "fn", "get"])]);
        imports(
            "get(); fn(); each();",
            &opts,
            r#"import { each, fn, get } from "a"; get(); fn(); each();"#,
        );
    }

    #[test]
    fn globals_pattern_is_unanchored_in_the_middle() {
        assert!(matches_globals_pattern("toArray"));
        assert!(matches_globals_pattern("upstate"));
        assert!(matches_globals_pattern("AggregateErrorX"));
        assert!(matches_globals_pattern("fooWeakSet"));
        assert!(matches_globals_pattern("retrieval")); // contains "eval"
        assert!(!matches_globals_pattern("fn"));
        assert!(!matches_globals_pattern("each"));
        assert!(!matches_globals_pattern("xAggregate"));
        let opts = options(vec![AdaptorInfo::new("a", Vec::<String>::new())]);
        imports(
            "toArray(x); upstate(y); myDate(z); fn(q);",
            &opts,
            r#"import { x, y, z, fn, q } from "a"; toArray(x); upstate(y); myDate(z); fn(q);"#,
        );
    }

    #[test]
    fn dangling_identifier_quirks() {
        // computed property chains, class members and labels
        assert_eq!(
            dangling("fn(x[y]); a[b.c]; class A { foo() {} }; loop: for(;;) { break loop }"),
            ["fn", "x", "a", "foo", "loop"]
        );
        // meta properties, `arguments`, class expression names, export names
        assert_eq!(
            dangling(
                "import.meta.url; fn(function() { return arguments }); const c = class K { m() { K } }; export { c as cc }; export * as ns from 'm'"
            ),
            ["import", "meta", "fn", "arguments", "K", "m", "cc", "ns"]
        );
        // only top-level `const x = {}` objects are skipped
        assert_eq!(dangling("const x = {a: b}; export const y = {c: d}"), ["d"]);
        // destructuring assignments
        assert_eq!(
            dangling("({e} = f); ({g = 1} = h); ({i: j} = k)"),
            ["f", "g", "h", "j", "k"]
        );
        // ast-types hoists block declarations to the function scope, and a
        // catch body's declarations to the enclosing scope
        assert_eq!(
            dangling("fn(state => { if (x) { const q = 1 } return q; }); try {} catch (e) { var w = 1 } w; e;"),
            ["fn", "x", "e"]
        );
        // superclasses come after the class body; attributes are not visited
        assert_eq!(dangling("class A extends B { m() { C } }"), ["m", "C", "B"]);
        assert_eq!(
            dangling(r#"import x from "y" with { type: "json" }; fn(x)"#),
            ["fn"]
        );
    }

    #[test]
    fn catch_without_binding_fails_like_kit() {
        // kit's scope lookup fails on `catch {}` once it reaches that scope
        let opts = options(vec![AdaptorInfo::new("a", ["fn"])]);
        let e = crate::compile::test_util::run_err_with(
            "fn(1); try { a() } catch { b() }",
            IMPORTS,
            &opts,
        );
        assert_eq!(e.message, "null does not match type Pattern");
        assert_eq!((e.line, e.column), (1, 20));
        // also for names seen before
        let e = crate::compile::test_util::run_err_with(
            "fn(1); try {} catch { fn(2) }",
            IMPORTS,
            &opts,
        );
        assert_eq!(e.kind, CompileErrorKind::Unsupported);
        // names declared inside it are found before reaching it
        imports(
            "try {} catch { (function (b) { b; })() }",
            &opts,
            "try {} catch { (function (b) { b; })() }",
        );
        // without adaptors there is no lookup
        assert_js_with(
            "try { a() } catch { b() }",
            IMPORTS,
            &CompileOptions::default(),
            "try { a() } catch { b() }",
        );
    }

    #[test]
    fn object_prototype_names_are_never_imported() {
        let opts = options(vec![AdaptorInfo::new("a", Vec::<String>::new())]);
        imports(
            "class Foo { constructor(x) {} } fn(toString(x));",
            &opts,
            r#"import { fn, x } from "a"; class Foo { constructor(x) {} } fn(toString(x));"#,
        );
        let opts = options(vec![AdaptorInfo::new("a", ["valueOf", "fn"])]);
        imports(
            "fn(valueOf());",
            &opts,
            r#"import { fn } from "a"; fn(valueOf());"#,
        );
    }

    #[test]
    fn already_imported_names_are_not_imported_again() {
        let opts = options(vec![AdaptorInfo::new(
            "@openfn/language-common",
            ["fn", "each"],
        )]);
        imports(
            "import { fn } from '@openfn/language-common'; fn(); each();",
            &opts,
            r#"import { each } from "@openfn/language-common"; import { fn } from '@openfn/language-common'; fn(); each();"#,
        );
    }
}
