//! Adaptors run from their source: `src/index.ts` or `src/index.js` of a package folder, with
//! TypeScript types stripped by oxc's transformer (no build step, no `dist/`).
//!
//! [`source_entry`] finds the entry an adaptor folder runs from; [`strip_types`] turns one
//! TypeScript file into JavaScript with an inline source map, so stack traces point at the
//! `.ts` file's own lines, and reports a syntax error as `file:line:column`.

use std::path::{Path, PathBuf};

use oxc::allocator::Allocator;
use oxc::codegen::{Codegen, CodegenOptions};
use oxc::parser::Parser;
use oxc::semantic::SemanticBuilder;
use oxc::span::SourceType;
use oxc::transformer::{TransformOptions, Transformer};

use super::loader::NodeModules;

/// Source files an adaptor may start from, in the order they are tried.
const ENTRIES: &[&str] = &[
    "src/index.ts",
    "src/index.mts",
    "src/index.js",
    "src/index.mjs",
];

/// The source entry of the adaptor package in `dir`, when it has one.
pub fn source_entry(dir: &Path) -> Option<PathBuf> {
    ENTRIES.iter().map(|e| dir.join(e)).find(|p| p.is_file())
}

/// The module an adaptor package folder runs from: its build (`package.json`'s entry) unless
/// `from_source` is set or the build is missing, else its source entry.
pub fn adaptor_entry(
    modules: &NodeModules,
    dir: &Path,
    from_source: bool,
) -> Result<PathBuf, String> {
    if !from_source {
        match modules.package_entry(dir) {
            Ok(entry) if entry.is_file() => return Ok(entry),
            _ if source_entry(dir).is_some() => {}
            built => return built,
        }
    }
    source_entry(dir).ok_or_else(|| {
        format!(
            "adaptor {} has no source to run from: none of {} exists",
            dir.display(),
            ENTRIES.join(", ")
        )
    })
}

/// Where the adaptors monorepo at `root` keeps the adaptor `name`: OpenFn's CLI maps
/// `@openfn/language-common` to `<root>/packages/common`.
pub fn monorepo_package(root: &Path, name: &str) -> PathBuf {
    let short = name.strip_prefix("@openfn/language-").unwrap_or(name);
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    root.join("packages").join(short)
}

/// A `workspace:` dependency of the package that `referrer` belongs to, resolved to the
/// sibling package of that name (a folder beside the package's own, as pnpm lays out a
/// monorepo): its source entry when it has one, else its build. `None` when `specifier` is
/// not such a dependency.
pub fn resolve_workspace_dependency(
    modules: &NodeModules,
    specifier: &str,
    referrer_dir: &Path,
) -> Option<PathBuf> {
    let (package_dir, manifest) = nearest_manifest(referrer_dir)?;
    let declared = ["dependencies", "devDependencies", "peerDependencies"]
        .iter()
        .filter_map(|field| manifest.get(field)?.get(specifier)?.as_str())
        .any(|range| range.starts_with("workspace:"));
    if !declared {
        return None;
    }
    let siblings = package_dir.parent()?;
    for entry in std::fs::read_dir(siblings).ok()?.flatten() {
        let dir = entry.path();
        let Ok(text) = std::fs::read_to_string(dir.join("package.json")) else {
            continue;
        };
        let name = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|m| m.get("name")?.as_str().map(str::to_string));
        if name.as_deref() == Some(specifier) {
            return source_entry(&dir).or_else(|| modules.package_entry(&dir).ok());
        }
    }
    None
}

/// The nearest folder at or above `dir` with a `package.json`, and that manifest.
fn nearest_manifest(dir: &Path) -> Option<(PathBuf, serde_json::Value)> {
    let mut dir = Some(dir);
    while let Some(d) = dir {
        if let Ok(text) = std::fs::read_to_string(d.join("package.json")) {
            return Some((d.to_path_buf(), serde_json::from_str(&text).ok()?));
        }
        dir = d.parent();
    }
    None
}

/// Does the file at `path` need its types stripped before it runs?
pub fn is_typescript(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("ts" | "mts")
    )
}

/// Why a TypeScript file could not be turned into JavaScript.
#[derive(Debug, thiserror::Error)]
pub enum StripError {
    /// The file does not parse; `message` already names `file:line:column`.
    #[error("{message}")]
    Syntax {
        /// `SyntaxError: <what> (<file>:<line>:<column>)` followed by the source line and a caret.
        message: String,
    },
    /// JSX in a `.tsx` file: adaptors are never React components.
    #[error("{0}: JSX is not supported in adaptor source")]
    Jsx(String),
}

/// Strips the types from the TypeScript module at `path` (whose text is `source`), lowering
/// what TypeScript alone adds (`enum`, parameter properties, `namespace`) to JavaScript.
/// The result ends with an inline source map back to `path`.
pub fn strip_types(path: &Path, source: &str) -> Result<String, StripError> {
    let shown = path.display().to_string();
    if path.extension().and_then(|e| e.to_str()) == Some("tsx") {
        return Err(StripError::Jsx(shown));
    }
    let allocator = Allocator::default();
    let source_type = SourceType::ts();
    let parsed = Parser::new(&allocator, source, source_type).parse();
    let first = parsed
        .diagnostics
        .errors()
        .min_by_key(|e| e.labels.iter().map(|l| l.offset()).min().unwrap_or(0));
    if let Some(err) = first {
        let offset = err.labels.iter().map(|l| l.offset()).min().unwrap_or(0);
        return Err(syntax_error(&shown, source, offset as usize, &err.message));
    }
    if parsed.panicked {
        return Err(syntax_error(&shown, source, 0, "Unexpected token"));
    }
    let mut program = parsed.program;
    let semantic = SemanticBuilder::new()
        .with_excess_capacity(2.0)
        .with_enum_eval(true)
        .build(&program);
    let scoping = semantic.semantic.into_scoping();
    let options = TransformOptions::default();
    let transformed =
        Transformer::new(&allocator, path, &options).build_with_scoping(scoping, &mut program);
    if let Some(err) = transformed.diagnostics.iter().next() {
        let offset = err.labels.iter().map(|l| l.offset()).min().unwrap_or(0);
        return Err(syntax_error(&shown, source, offset as usize, &err.message));
    }
    let printed = Codegen::new()
        .with_options(CodegenOptions {
            source_map_path: Some(path.to_path_buf()),
            ..CodegenOptions::default()
        })
        .with_source_text(source)
        .build(&program);
    let mut code = printed.code;
    if let Some(map) = printed.map {
        code.push_str("\n//# sourceMappingURL=");
        code.push_str(&map.to_data_url());
        code.push('\n');
    }
    Ok(code)
}

/// `SyntaxError: <message> (<file>:<line>:<column>)`, the offending line and a caret.
fn syntax_error(file: &str, source: &str, offset: usize, message: &str) -> StripError {
    let offset = offset.min(source.len());
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    let text = source[line_start..].lines().next().unwrap_or("");
    let caret = " ".repeat(column - 1);
    StripError::Syntax {
        message: format!(
            "SyntaxError: {message} ({file}:{line}:{column})\n\n{line} | {text}\n{pad} | {caret}^",
            pad = " ".repeat(line.to_string().len()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_stripped_and_enums_lowered() {
        let source = "import type { X } from './x';\nexport enum Color { Red = 'red', Blue = 'blue' }\nexport function f(a: number, b?: X): string { return String(a as number); }\ninterface Y { a: string }\n";
        let code = strip_types(Path::new("/p/src/index.ts"), source).unwrap();
        assert!(!code.contains("import type"), "{code}");
        assert!(!code.contains("./x"), "{code}");
        assert!(!code.contains("interface"), "{code}");
        assert!(code.contains("Color[\"Red\"] = \"red\""), "{code}");
        assert!(code.contains("function f(a, b)"), "{code}");
        assert!(code.contains("//# sourceMappingURL=data:application/json"));
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let source = "export const a = 1;\nexport function f( {\n";
        let err = strip_types(Path::new("/p/src/bad.ts"), source).unwrap_err();
        let message = err.to_string();
        assert!(message.starts_with("SyntaxError: "), "{message}");
        assert!(message.contains("(/p/src/bad.ts:"), "{message}");
    }

    #[test]
    fn tsx_is_refused() {
        let err = strip_types(Path::new("/p/a.tsx"), "export const a = <div/>;").unwrap_err();
        assert!(err.to_string().contains("JSX"));
    }
}
