//! End-to-end tests of [`compile_job`], mirroring kit's `compile.test.ts`,
//! plus source map lookups and error reporting.

use super::test_util::normalize;
use super::{
    compile_job, AdaptorInfo, CompileErrorKind, CompileOptions, CompiledJob, OperationInfo,
};

fn compile(src: &str, opts: &CompileOptions) -> CompiledJob {
    compile_job(src, opts).unwrap_or_else(|e| panic!("{src:?} failed to compile: {e}"))
}

fn assert_compiles_to(src: &str, opts: &CompileOptions, expected: &str) {
    let job = compile(src, opts);
    assert_eq!(
        normalize(&job.code),
        normalize(expected),
        "\nsource: {src}\ngenerated: {}",
        job.code
    );
}

fn no_adaptors() -> CompileOptions {
    CompileOptions::default()
}

fn common(exports: &[&str], export_all: bool) -> CompileOptions {
    CompileOptions {
        adaptors: vec![AdaptorInfo::new(
            "@openfn/language-common",
            exports.iter().copied(),
        )],
        export_all,
        ..CompileOptions::default()
    }
}

fn op(name: &str, line: u32, order: u32) -> OperationInfo {
    OperationInfo {
        name: name.to_string(),
        line,
        order,
    }
}

/// 1-based (line, column) of the first occurrence of `needle` in `text`.
fn position_of(text: &str, needle: &str) -> (u32, u32) {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in:\n{text}"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap().encode_utf16().count() + 1;
    (line as u32, column as u32)
}

// kit: packages/compiler/test/compile.test.ts

#[test]
fn generate_a_source_map() {
    let job = compile("fn();", &no_adaptors());
    let map: serde_json::Value = serde_json::from_str(&job.source_map).unwrap();
    assert_eq!(map["sources"], serde_json::json!(["src.js"]));
    assert_eq!(map["file"], "src.map.js");
    assert_eq!(map["sourcesContent"], serde_json::json!(["fn();"]));
}

#[test]
fn generate_a_source_map_with_operations() {
    let job = compile("fn();", &no_adaptors());
    assert_eq!(job.operations, [op("fn", 1, 1)]);
}

#[test]
fn generate_a_named_source_map_if_a_file_name_is_passed() {
    let opts = CompileOptions {
        name: Some("job".to_string()),
        ..CompileOptions::default()
    };
    let job = compile("fn();", &opts);
    let map: serde_json::Value = serde_json::from_str(&job.source_map).unwrap();
    assert_eq!(map["sources"], serde_json::json!(["job.js"]));
    assert_eq!(map["file"], "job.map.js");
}

#[test]
fn ensure_default_exports_is_created() {
    assert_compiles_to("", &no_adaptors(), "export default [];");
}

#[test]
fn do_not_add_default_exports_if_default_exports_exist() {
    assert_compiles_to(
        "export const x = 10;export default [];",
        &no_adaptors(),
        "export const x = 10;export default [];",
    );
}

#[test]
fn compile_operations() {
    assert_compiles_to("fn();", &no_adaptors(), "export default [fn()];");
    assert_compiles_to(
        "http.get();",
        &no_adaptors(),
        "export default [http.get()];",
    );
    assert_compiles_to(
        "const x = dateFns.parse()",
        &no_adaptors(),
        "const x = dateFns.parse()\nexport default [];",
    );
    assert_compiles_to("fn()", &no_adaptors(), "export default [fn()];");
    assert_compiles_to(
        "fn();fn();fn();",
        &no_adaptors(),
        "export default [fn(), fn(), fn()];",
    );
}

#[test]
fn add_imports() {
    assert_compiles_to(
        "fn();",
        &common(&["fn"], false),
        r#"import { fn } from "@openfn/language-common"; export default [fn()];"#,
    );
}

#[test]
fn do_not_add_imports() {
    assert_compiles_to(
        "import { fn } from '@openfn/language-common'; fn();",
        &common(&["fn"], false),
        "import { fn } from '@openfn/language-common'; export default [fn()];",
    );
}

#[test]
fn dumbly_add_imports() {
    assert_compiles_to(
        "import { jam } from '@openfn/language-common'; jam(state);",
        &common(&[], false),
        "import { jam } from '@openfn/language-common'; export default [jam(state)];",
    );
}

#[test]
fn add_imports_with_export_all() {
    assert_compiles_to(
        "fn();",
        &common(&["fn"], true),
        r#"import { fn } from "@openfn/language-common";
export * from "@openfn/language-common";
export default [fn()];"#,
    );
}

#[test]
fn no_export_all_without_an_import() {
    assert_compiles_to(
        "x = 1;",
        &common(&["fn"], true),
        "x = 1; export default [];",
    );
}

#[test]
fn multi_operation_job() {
    let src = r#"import { fn, each, combine } from '@openfn/language-common';
import { fetchItems } from '@openfn/language-example';

// load the items
fetchItems(() => state.config.user);

// split items into new and old
each(
  '$.data.items[*]',
  combine(
    fn((state) => {
      console.log(state.data.id);
      return state;
    }),
    fn((state) => {
      const { id, isNew } = state.data;
      if (isNew) {
        state.result.fresh.push(id);
      } else {
        state.result.stale.push(id);
      }
      return state;
    })
  )
);

// report
fn((state) => {
  console.log(`${state.result.fresh.length} new items`);
  return state.result;
});
"#;
    let expected = r#"import { fn, each, combine } from '@openfn/language-common';
import { fetchItems } from '@openfn/language-example';
export default [fetchItems(() => state.config.user), each(
  '$.data.items[*]',
  combine(
    fn((state) => {
      console.log(state.data.id);
      return state;
    }),
    fn((state) => {
      const { id, isNew } = state.data;
      if (isNew) {
        state.result.fresh.push(id);
      } else {
        state.result.stale.push(id);
      }
      return state;
    })
  )
), fn((state) => {
  console.log(`${state.result.fresh.length} new items`);
  return state.result;
})];"#;
    let opts = common(&["fn", "each", "combine"], true);
    assert_compiles_to(src, &opts, expected);
    let job = compile(src, &opts);
    assert_eq!(
        job.operations,
        [op("fetchItems", 5, 1), op("each", 8, 2), op("fn", 28, 3)]
    );
}

#[test]
fn compile_with_optional_chaining_and_nullish_coalescence() {
    assert_compiles_to(
        "fn(a.b?.c);",
        &no_adaptors(),
        "export default [fn(a.b?.c)];",
    );
    assert_compiles_to(
        "fn(a ?? b);",
        &no_adaptors(),
        "export default [fn(a ?? b)];",
    );
}

#[test]
fn compile_a_lazy_state_expression() {
    assert_compiles_to(
        "get($.data.endpoint);",
        &no_adaptors(),
        "export default [get(state => state.data.endpoint)];",
    );
}

#[test]
fn compile_a_lazy_state_expression_with_dumb_imports() {
    assert_compiles_to(
        "get($.data.endpoint);",
        &common(&[], true),
        r#"import { get } from "@openfn/language-common";
export * from "@openfn/language-common";
export default [get(state => state.data.endpoint)];"#,
    );
}

#[test]
fn compile_simple_promise_chain() {
    let src = "get($.data.endpoint).then((s => { console.log(s.data); return state;} ));";
    let expected = r#"import { defer as _defer } from "@openfn/runtime";
export default [_defer(
  get(state => state.data.endpoint),
  p => p.then((s => { console.log(s.data); return state;} ))
)];"#;
    assert_compiles_to(src, &no_adaptors(), expected);
    // kit records the deferred operation as `_defer` (at line -1); here it
    // keeps the line of the chain
    assert_eq!(
        compile(src, &no_adaptors()).operations,
        [op("_defer", 1, 1)]
    );
}

#[test]
fn compile_simple_promise_chain_with_each() {
    let src = r#"each(
  "$.data[*]",
  post("/upsert", (state) => state.data).then((s) => s)
)"#;
    let expected = r#"import { defer as _defer } from "@openfn/runtime";
export default [each(
  "$.data[*]",
  _defer(post("/upsert", (state) => state.data), p => p.then((s) => s))
)];"#;
    assert_compiles_to(src, &no_adaptors(), expected);
}

#[test]
fn try_picking_dangling_identifiers_from_adaptor() {
    assert_compiles_to(
        "fn(state=> doSomething(state))",
        &common(&[], false),
        r#"import { fn, doSomething } from "@openfn/language-common"; export default [fn(state=> doSomething(state))];"#,
    );
}

#[test]
fn respect_ignore_list_when_exports_not_provided() {
    let opts = CompileOptions {
        ignore: vec!["doSomething".to_string()],
        ..common(&[], false)
    };
    assert_compiles_to(
        "fn(state=> doSomething(state))",
        &opts,
        r#"import { fn } from "@openfn/language-common"; export default [fn(state=> doSomething(state))];"#,
    );
}

// Transforms working together

#[test]
fn all_transforms_together() {
    let src = "fn($.a);\nget($.url).catch(e => e);\nconst x = 1;\n";
    assert_compiles_to(
        src,
        &common(&["fn", "get", "each"], true),
        r#"import { fn, get } from "@openfn/language-common";
export * from "@openfn/language-common";
import { defer as _defer } from "@openfn/runtime";
const x = 1;
export default [fn(state => state.a), _defer(get(state => state.url), undefined, e => e)];"#,
    );
}

#[test]
fn lazy_state_in_a_promise_callback_is_an_error() {
    // kit only allows `$` directly inside operation arguments
    let e = compile_job(
        "fn().then(() => { get($.x) }).catch(() => $.y)",
        &no_adaptors(),
    )
    .unwrap_err();
    assert_eq!(e.kind, CompileErrorKind::LazyStateError);
    assert_eq!(e.message, "Lazy State Error: parent has wrong arity (1:36)");
}

#[test]
fn imports_several_adaptors_like_kit() {
    // each adaptor is matched against the same dangling names, so a name
    // exported by two adaptors is imported from both (as kit does)
    let opts = CompileOptions {
        adaptors: vec![
            AdaptorInfo::new("@openfn/language-http", ["get", "fn"]),
            AdaptorInfo::new("@openfn/language-common", ["fn", "each"]),
        ],
        export_all: false,
        ..CompileOptions::default()
    };
    assert_compiles_to(
        "get('/'); each('$', fn(s => s));",
        &opts,
        r#"import { fn, each } from "@openfn/language-common";
import { get, fn } from "@openfn/language-http";
export default [get('/'), each('$', fn(s => s))];"#,
    );
}

// Errors

#[test]
fn syntax_errors_have_positions_and_frames() {
    let e = compile_job("fn(state => {\n  return state.\n});", &no_adaptors()).unwrap_err();
    assert_eq!(e.kind, CompileErrorKind::SyntaxError);
    assert_eq!((e.line, e.column), (3, 1));
    assert_eq!(e.frame, "});\n^");
    let shown = e.to_string();
    assert!(
        shown.starts_with(&e.message) && shown.ends_with(&e.frame),
        "{shown}"
    );
}

#[test]
fn lazy_state_errors_have_positions_and_frames() {
    let e = compile_job("fn();\nconst x = $.data;", &no_adaptors()).unwrap_err();
    assert_eq!(e.kind, CompileErrorKind::LazyStateError);
    assert_eq!(
        e.message,
        "Lazy State Error: Must be inside an operation (2:10)"
    );
    assert_eq!((e.line, e.column), (2, 11));
    assert_eq!(e.frame, "const x = $.data;\n          ^");
    assert!(e
        .to_string()
        .contains("The Lazy State operation must be used inside"));
}

// Source positions

#[test]
fn maps_generated_positions_back_to_the_source() {
    let src = "// a job\n\nfn(state => {\n  const value = state.data.items.length;\n  return value;\n});\n";
    let job = compile(src, &no_adaptors());
    let generated = position_of(&job.code, "state.data.items");
    assert_eq!(
        job.original_position(generated.0, generated.1),
        Some(position_of(src, "state.data.items"))
    );
    let generated = position_of(&job.code, "value;");
    assert_eq!(
        job.original_position(generated.0, generated.1),
        Some(position_of(src, "value;"))
    );
}

#[test]
fn maps_lazy_state_back_to_the_dollar() {
    let src = "fn();\nget(  $.data.url  );";
    let job = compile(src, &no_adaptors());
    let generated = position_of(&job.code, "state.data.url");
    assert_eq!(
        job.original_position(generated.0, generated.1),
        Some((2, 7))
    );
}

#[test]
fn maps_moved_operations_back_to_their_lines() {
    let src = "const a = 1;\n\nfn(a);\n\n\neach(x, fn(y));\n";
    let job = compile(src, &no_adaptors());
    let generated = position_of(&job.code, "each(");
    assert_eq!(
        job.original_position(generated.0, generated.1),
        Some((6, 1))
    );
    let generated = position_of(&job.code, "fn(y)");
    assert_eq!(
        job.original_position(generated.0, generated.1),
        Some((6, 9))
    );
    // before anything on the first line there is nothing to map
    assert_eq!(job.original_position(1, 1).map(|(l, _)| l), Some(1));
    assert_eq!(job.original_position(1000, 1), None);
}

#[test]
fn columns_count_utf16_units() {
    let src = "fn('😀', é.x.y);";
    let job = compile(src, &no_adaptors());
    let generated = position_of(&job.code, "é.x.y");
    assert_eq!(
        job.original_position(generated.0, generated.1),
        Some(position_of(src, "é.x.y"))
    );
    assert_eq!(position_of(src, "é.x.y"), (1, 10));
}

#[test]
fn reproduces_recorded_openfn_compile_failures() {
    // messages as the OpenFn CLI printed them for the same jobs
    let e = compile_job(
        "// A syntax error\nfn((state) => {\n  return state\n);\n",
        &no_adaptors(),
    )
    .unwrap_err();
    assert_eq!(e.message, "Unexpected token (4:0)");

    let e = compile_job(
        "// Quirk\nfn((state) => {\n  state.data.big = 10n;\n  return state;\n});\n",
        &no_adaptors(),
    )
    .unwrap_err();
    assert_eq!(e.kind, CompileErrorKind::Unsupported);
    assert_eq!(e.message, "Line 3: Unexpected token ILLEGAL");

    let e = compile_job(
        "// Lazy state outside an operation\nconst items = $.data.items;\nfn((state) => state);\n",
        &no_adaptors(),
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "Lazy State Error: Must be inside an operation (2:14)"
    );
    assert_eq!(
        e.details.as_deref(),
        Some("The Lazy State operation must be used inside a top-level operation, like fn(). It cannot be used inside a regular JavaScript statement because no valid state reference is available.")
    );
}
