//! Turns the node extension's sources into what V8 runs: TypeScript (its polyfills, deno_telemetry's
//! files) to JavaScript
//! (deno_ast, already linked by deno_node), Node's version filled in, and the `Deno` namespace
//! the polyfills read bound per file instead of taken from the global scope; and a few corrections
//! where Deno's polyfills answer differently from Node (`FIXES`).
//!
//! Deno's polyfills read members of an ambient `Deno` (`Deno.errors`, `Deno.env`, `Deno.build`)
//! when they are called. fnhost removes `Deno` from the global scope before any adaptor runs:
//! libraries probe for it to switch to Deno code paths, and its `core` would hand job code every
//! op. So each polyfill that names `Deno` gets a file-local binding to fnhost's op-free stand-in
//! (`internals.fnhostDeno`, filled by `js/09_node_host.js`), which adaptor code cannot reach.
//!
//! Used by `build.rs` (the snapshot and the lazily loaded sources it leaves out) and by a
//! runtime started without the snapshot.

use deno_core::{ModuleCodeString, ModuleName, SourceMapData};
use deno_error::JsErrorBox;

/// The `extension_transpiler` for every extension source (only the node extension's change).
pub fn transpile(
    name: ModuleName,
    source: ModuleCodeString,
) -> Result<(ModuleCodeString, Option<SourceMapData>), JsErrorBox> {
    let specifier = name.as_str();
    let is_node = specifier.starts_with("node:") || specifier.starts_with("ext:deno_node/");
    // `node:x` names carry no extension: TypeScript is a superset of the JavaScript files too
    let is_ts =
        specifier.starts_with("node:") || specifier.ends_with(".ts") || specifier.ends_with(".mts");
    if !is_node && !is_ts {
        return Ok((source, None));
    }
    let mut code = source.as_str().to_string();
    if specifier.ends_with("deno_node/_process/process.ts") {
        code = code.replace("__NODE_VERSION__", deno_node::NODE_VERSION);
    }
    code = apply_fixes(specifier, code)?;
    if is_ts {
        code = strip_types(specifier, code)?;
    }
    if is_node {
        code = bind_deno(code);
    }
    Ok((code.into(), None))
}

/// Where Deno's polyfills answer differently from Node, fnhost's corrections: (file, text in
/// Deno's source, replacement). Each is checked by a case in tests/builtins (expected from
/// Node). A fix whose text is missing fails the build, so a new deno_node is looked at again.
const FIXES: &[(&str, &str, &str)] = &[
    // The range in ERR_OUT_OF_RANGE for writeBigInt64*: Node prints `< 2n ** 63n`.
    (
        "ext:deno_node/internal/buffer.mjs",
        "and < 2 ** ${",
        "and < 2${n} ** ${",
    ),
    // swap16/32/64 on a buffer of the wrong size: Node's error has code ERR_INVALID_BUFFER_SIZE.
    (
        "ext:deno_node/internal/buffer.mjs",
        "throw new RangeError(\"Buffer size must be a multiple of ",
        "throw new (core.loadExtScript(\"ext:deno_node/internal/errors.ts\").NodeRangeError)(\"ERR_INVALID_BUFFER_SIZE\", \"Buffer size must be a multiple of ",
    ),
    // `node:url` and `node:util` are not modules in fnhost (deno_node's "synthetic ESM" mapping
    // is dropped, see node_host.rs): these lazy loads take the scripts behind them instead.
    (
        "ext:deno_node/internal/url.ts",
        "core.createLazyLoader(\"node:url\")",
        "(() => core.loadExtScript(\"ext:deno_node/url.ts\"))",
    ),
    (
        "node:process",
        "core.createLazyLoader<typeof utilModule>(\n  \"node:util\",\n)",
        "(() => core.loadExtScript(\"ext:deno_node/util.ts\"))",
    ),
];

fn apply_fixes(specifier: &str, mut code: String) -> Result<String, JsErrorBox> {
    for (file, from, to) in FIXES.iter().filter(|(file, _, _)| *file == specifier) {
        if !code.contains(from) {
            return Err(JsErrorBox::generic(format!(
                "fnhost's fix to {file} no longer applies: {from:?} is not in it"
            )));
        }
        code = code.replace(from, to);
    }
    Ok(code)
}

fn strip_types(specifier: &str, code: String) -> Result<String, JsErrorBox> {
    let url = deno_core::url::Url::parse(specifier).map_err(JsErrorBox::from_err)?;
    let parsed = deno_ast::parse_module(deno_ast::ParseParams {
        specifier: url,
        text: code.into(),
        media_type: deno_ast::MediaType::TypeScript,
        capture_tokens: false,
        scope_analysis: false,
        maybe_syntax: None,
    })
    .map_err(|e| JsErrorBox::generic(format!("{specifier}: {e}")))?;
    let emitted = parsed
        .transpile(
            &deno_ast::TranspileOptions {
                imports_not_used_as_values: deno_ast::ImportsNotUsedAsValues::Remove,
                ..Default::default()
            },
            &deno_ast::TranspileModuleOptions::default(),
            &deno_ast::EmitOptions {
                source_map: deno_ast::SourceMapOption::None,
                ..Default::default()
            },
        )
        .map_err(|e| JsErrorBox::generic(format!("{specifier}: {e}")))?
        .into_source();
    Ok(emitted.text)
}

/// Whether `code` names the identifier `Deno` as a value (`Deno.x`, `Deno?.x`, `Deno[x]`).
fn names_deno(code: &str) -> bool {
    let bytes = code.as_bytes();
    let mut from = 0;
    while let Some(i) = code[from..].find("Deno") {
        let at = from + i;
        let before = if at == 0 { b' ' } else { bytes[at - 1] };
        let after = &code[at + 4..];
        // not part of a longer name, a property, or a string such as "Deno.customInspect"
        let standalone = !(before.is_ascii_alphanumeric()
            || matches!(before, b'_' | b'$' | b'.' | b'"' | b'\'' | b'`'));
        if standalone
            && (after.starts_with('.') || after.starts_with("?.") || after.starts_with('['))
        {
            return true;
        }
        from = at + 4;
    }
    false
}

/// Gives a polyfill that reads `Deno` a file-local binding to fnhost's stand-in.
fn bind_deno(code: String) -> String {
    if !names_deno(&code) {
        return code;
    }
    // lazily loaded scripts are one IIFE run with a `__bootstrap` parameter (deno_core wraps
    // them in `return (...)`): the binding goes inside the function
    let at = code.len() - skip_prologue(&code).len();
    if code[at..].starts_with("(function") {
        if let Some(brace) = code[at..].find('{') {
            let open = at + brace + 1;
            return format!(
                "{}\nconst Deno = (__bootstrap.internals.fnhostDeno ??= {{ __proto__: null }});{}",
                &code[..open],
                &code[open..]
            );
        }
    }
    format!(
        "import {{ internals as __fnhostInternals }} from \"ext:core/mod.js\";\nconst Deno = (__fnhostInternals.fnhostDeno ??= {{ __proto__: null }});\n{code}"
    )
}

/// `code` after its leading comments, blank space and `"use strict";` directives.
fn skip_prologue(mut code: &str) -> &str {
    loop {
        code = code.trim_start();
        if let Some(rest) = code.strip_prefix("//") {
            code = rest.find('\n').map_or("", |i| &rest[i..]);
        } else if let Some(rest) = code.strip_prefix("/*") {
            code = rest.find("*/").map_or("", |i| &rest[i + 2..]);
        } else if let Some(rest) = code
            .strip_prefix("\"use strict\";")
            .or_else(|| code.strip_prefix("'use strict';"))
        {
            code = rest;
        } else {
            return code;
        }
    }
}

/// Residual lazily loaded sources must be ASCII (deno_core reads them as one-byte strings):
/// other characters become `\uXXXX` escapes, which mean the same inside strings, templates,
/// regular expressions and identifiers.
pub fn to_ascii(code: &str) -> String {
    if code.is_ascii() {
        return code.to_string();
    }
    let mut ascii = String::with_capacity(code.len() + 64);
    for ch in code.chars() {
        if ch.is_ascii() {
            ascii.push(ch);
        } else {
            let mut units = [0u16; 2];
            for unit in ch.encode_utf16(&mut units) {
                ascii.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    ascii
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_deno_only_where_it_is_read() {
        assert!(names_deno("x = Deno.env.get('A')"));
        assert!(names_deno("if (Deno?.cwd) {}"));
        assert!(!names_deno("Symbol.for(\"Deno.customInspect\")"));
        assert!(!names_deno("const DenoThing = 1; a.Deno.x"));
        let script = "// c\n(function () {\n  return Deno.build;\n})();\n";
        let bound = bind_deno(script.to_string());
        assert!(bound.starts_with("// c\n(function () {\nconst Deno = (__bootstrap"));
        let bound = bind_deno("/** doc\n */\n(function() { Deno.x })()".to_string());
        assert!(bound.starts_with("/** doc\n */\n(function() {\nconst Deno"));
        let module = bind_deno("export const a = () => Deno.pid;".to_string());
        assert!(module.starts_with("import { internals as __fnhostInternals }"));
    }

    #[test]
    fn escapes_non_ascii() {
        assert_eq!(to_ascii("a\u{e9}b\u{1F600}"), "a\\u00e9b\\ud83d\\ude00");
    }
}
