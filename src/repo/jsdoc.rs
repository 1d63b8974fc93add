//! An adaptor's documentation read from the JSDoc of its source (`src/index.ts` or `.js` and the
//! files it re-exports), for adaptors that have no `ast.json` yet: a package run from source
//! (`--from-source`, the monorepo) is documented before it is ever built.
//!
//! Followed: `export function`, `export const f = (…) => …`, `export { a, b }` of documented
//! local functions, `export { a } from './x'` and `export * from './x'` (relative paths only).
//! A function is documented when its JSDoc block has `@public` or `@function` and no `@private`,
//! as for `ast.json`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use oxc::allocator::Allocator;
use oxc::ast::ast::{
    BindingPattern, Declaration, ExportSpecifier, Expression, FormalParameters,
    ImportDeclarationSpecifier, Program, Statement,
};
use oxc::parser::Parser;
use oxc::span::SourceType;

use super::docs::{ExampleDoc, FunctionDoc, ParameterDoc};

/// Documented functions exported by the module at `entry` (following relative re-exports).
pub fn functions_from_source(entry: &Path) -> Result<Vec<FunctionDoc>, String> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    collect(entry, None, &mut out, &mut seen)?;
    Ok(out)
}

/// Adds the documented exports of `file` (only `names`, when given) to `out`.
fn collect(
    file: &Path,
    names: Option<&[String]>,
    out: &mut Vec<FunctionDoc>,
    seen: &mut HashSet<(PathBuf, Option<Vec<String>>)>,
) -> Result<(), String> {
    if !seen.insert((file.to_path_buf(), names.map(<[String]>::to_vec))) || seen.len() > 256 {
        return Ok(());
    }
    let source = std::fs::read_to_string(file)
        .map_err(|e| format!("Cannot read {}: {e}", file.display()))?;
    let allocator = Allocator::default();
    let source_type = if crate::runtime::from_source::is_typescript(file) {
        SourceType::ts()
    } else {
        SourceType::mjs()
    };
    let parsed = Parser::new(&allocator, &source, source_type).parse();
    if parsed.panicked {
        return Err(format!("Cannot parse {}", file.display()));
    }
    let program = parsed.program;
    let wanted = |name: &str| names.is_none_or(|n| n.iter().any(|x| x == name));
    let mut local: Vec<FunctionDoc> = Vec::new();
    let mut exported: Vec<FunctionDoc> = Vec::new();
    let mut follow: Vec<(String, Option<Vec<String>>)> = Vec::new();
    // local name, source, imported name (a local `export { x }` may re-export an import)
    let mut imports: Vec<(String, String, String)> = Vec::new();
    for statement in &program.body {
        let doc = jsdoc_before(&program, &source, statement_start(statement));
        match statement {
            Statement::ExportDeclaration(export) => {
                if let Some(f) = declared_function(&export.declaration, doc.as_deref(), &source) {
                    if wanted(&f.name) {
                        exported.push(f);
                    }
                }
            }
            Statement::ExportFromDeclaration(export) => {
                let names = exported_names(&export.specifiers)
                    .into_iter()
                    .filter(|n| wanted(n))
                    .collect();
                follow.push((export.source.value.to_string(), Some(names)));
            }
            Statement::ExportNamedDeclaration(export) => {
                for name in exported_names(&export.specifiers)
                    .into_iter()
                    .filter(|n| wanted(n))
                {
                    if let Some(f) = local.iter().find(|f| f.name == name) {
                        exported.push(f.clone());
                    } else if let Some((from, imported)) =
                        imports.iter().find(|i| i.0 == name).map(|i| (&i.1, &i.2))
                    {
                        follow.push((from.clone(), Some(vec![imported.clone()])));
                    }
                }
            }
            Statement::ExportAllDeclaration(all) if all.exported.is_none() => {
                follow.push((all.source.value.to_string(), names.map(<[String]>::to_vec)));
            }
            Statement::ImportDeclaration(import) => {
                for spec in import.specifiers.iter().flatten() {
                    if let ImportDeclarationSpecifier::ImportSpecifier(s) = spec {
                        imports.push((
                            s.local.name.to_string(),
                            import.source.value.to_string(),
                            s.imported.name().to_string(),
                        ));
                    }
                }
            }
            Statement::FunctionDeclaration(_) | Statement::VariableDeclaration(_) => {
                if let Some(decl) = statement.as_declaration() {
                    if let Some(f) = declared_function(decl, doc.as_deref(), &source) {
                        local.push(f);
                    }
                }
            }
            _ => {}
        }
    }
    for f in exported {
        if !out.iter().any(|o| o.name == f.name) {
            out.push(f);
        }
    }
    let dir = file.parent().unwrap_or(Path::new("."));
    for (specifier, names) in follow {
        if !specifier.starts_with('.') {
            continue;
        }
        if let Some(target) = resolve_relative(dir, &specifier) {
            collect(&target, names.as_deref(), out, seen)?;
        }
    }
    Ok(())
}

fn statement_start(statement: &Statement) -> u32 {
    use oxc::span::GetSpan;
    statement.span().start
}

/// The JSDoc block attached to the token at `start`, without its delimiters.
fn jsdoc_before(program: &Program, source: &str, start: u32) -> Option<String> {
    program
        .comments
        .iter()
        .rfind(|c| c.attached_to == start && c.is_jsdoc())
        .map(|c| {
            let text = &source[c.span.start as usize..c.span.end as usize];
            text.trim_start_matches("/**")
                .trim_end_matches("*/")
                .to_string()
        })
}

fn exported_names(specifiers: &[ExportSpecifier]) -> Vec<String> {
    specifiers
        .iter()
        .map(|s| s.exported.name().to_string())
        .collect()
}

/// A function declaration (or `const f = () => …`) with a public JSDoc.
fn declared_function(decl: &Declaration, doc: Option<&str>, source: &str) -> Option<FunctionDoc> {
    let doc = parse_jsdoc(doc?);
    if doc.private || !doc.public {
        return None;
    }
    let (name, params) = match decl {
        Declaration::FunctionDeclaration(f) => (f.id.as_ref()?.name.to_string(), &f.params),
        Declaration::VariableDeclaration(v) => {
            let d = v.declarations.first()?;
            let BindingPattern::BindingIdentifier(id) = &d.id else {
                return None;
            };
            let params = match d.init.as_ref()? {
                Expression::ArrowFunctionExpression(a) => &a.params,
                Expression::FunctionExpression(f) => &f.params,
                _ => return None,
            };
            (id.name.to_string(), params)
        }
        _ => return None,
    };
    let names = param_names(params, source, &doc.params);
    let parameters = names
        .into_iter()
        .map(|name| {
            let tag = doc.params.iter().find(|p| p.name == name);
            ParameterDoc {
                ty: tag.and_then(|t| t.ty.clone()),
                optional: tag.is_some_and(|t| t.optional),
                description: tag.and_then(|t| t.description.clone()),
                name,
            }
        })
        .collect();
    Some(FunctionDoc {
        name,
        description: doc.description,
        parameters,
        examples: doc.examples,
        returns: doc.returns,
    })
}

/// Parameter names from the signature; a destructured parameter takes the documented name
/// in its position.
fn param_names(params: &FormalParameters, source: &str, tags: &[ParameterDoc]) -> Vec<String> {
    let top: Vec<&ParameterDoc> = tags.iter().filter(|t| !t.name.contains('.')).collect();
    let mut names: Vec<String> = params
        .items
        .iter()
        .enumerate()
        .map(|(i, p)| match &p.pattern {
            BindingPattern::BindingIdentifier(id) => id.name.to_string(),
            BindingPattern::AssignmentPattern(a) => match &a.left {
                BindingPattern::BindingIdentifier(id) => id.name.to_string(),
                _ => top.get(i).map(|t| t.name.clone()).unwrap_or_default(),
            },
            _ => top.get(i).map(|t| t.name.clone()).unwrap_or_default(),
        })
        .collect();
    if let Some(rest) = &params.rest {
        use oxc::span::GetSpan;
        let span = rest.span();
        names.push(
            source[span.start as usize..span.end as usize]
                .trim_start_matches("...")
                .split(':')
                .next()
                .unwrap_or("")
                .trim()
                .to_string(),
        );
    }
    names
}

/// What a JSDoc block says.
#[derive(Default)]
struct JsDoc {
    description: String,
    public: bool,
    private: bool,
    params: Vec<ParameterDoc>,
    examples: Vec<ExampleDoc>,
    returns: Option<String>,
}

/// Parses the text between `/**` and `*/`.
fn parse_jsdoc(block: &str) -> JsDoc {
    // strip each line's leading `*` (and the one space after it)
    let lines: Vec<&str> = block
        .lines()
        .map(|l| {
            let t = l.trim_start();
            match t.strip_prefix('*') {
                Some(rest) => rest.strip_prefix(' ').unwrap_or(rest),
                None => t,
            }
        })
        .collect();
    let mut doc = JsDoc::default();
    let mut description = Vec::new();
    let mut tags: Vec<(String, Vec<&str>)> = Vec::new();
    for line in lines {
        let trimmed = line.trim_start();
        if let Some(tag) = trimmed.strip_prefix('@') {
            let (name, rest) = tag.split_once(char::is_whitespace).unwrap_or((tag, ""));
            tags.push((name.to_string(), vec![rest]));
        } else if let Some((_, body)) = tags.last_mut() {
            body.push(line);
        } else {
            description.push(line);
        }
    }
    doc.description = description.join("\n").trim().to_string();
    for (tag, body) in tags {
        match tag.as_str() {
            "public" | "function" => doc.public = true,
            "private" => doc.private = true,
            "example" => doc.examples.push(example(&body)),
            "param" | "arg" | "argument" => {
                if let Some(p) = param(&body.join("\n")) {
                    doc.params.push(p);
                }
            }
            "returns" | "return" => doc.returns = braced(body[0].trim()).map(|(t, _)| t),
            _ => {}
        }
    }
    doc
}

fn example(body: &[&str]) -> ExampleDoc {
    let text = body.join("\n");
    let text = text.trim_end();
    let first = text.trim_start();
    if let Some(rest) = first.strip_prefix("<caption>") {
        if let Some((caption, code)) = rest.split_once("</caption>") {
            return ExampleDoc {
                caption: Some(caption.trim().to_string()),
                code: trim_lines(code),
            };
        }
    }
    ExampleDoc {
        caption: None,
        code: trim_lines(text),
    }
}

/// Drops leading and trailing blank lines, keeping the code's indentation.
fn trim_lines(code: &str) -> String {
    let lines: Vec<&str> = code.lines().collect();
    let start = lines
        .iter()
        .position(|l| !l.trim().is_empty())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(start, |e| e + 1);
    lines[start..end].join("\n")
}

/// `{Type} name description`, `{Type} [name] …` or `{Type} [name=default] …`.
fn param(text: &str) -> Option<ParameterDoc> {
    let text = text.trim();
    let (ty, rest) = braced(text).unwrap_or((String::new(), text.to_string()));
    let rest = rest.trim_start();
    let (name, optional, description) = if let Some(inner) = rest.strip_prefix('[') {
        let (name, after) = inner.split_once(']')?;
        (name.split('=').next()?.trim().to_string(), true, after)
    } else {
        let (name, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        (name.to_string(), false, after)
    };
    let description = description.trim().trim_start_matches("- ").trim();
    Some(ParameterDoc {
        name,
        ty: (!ty.is_empty()).then_some(ty),
        optional,
        description: (!description.is_empty()).then(|| description.to_string()),
    })
}

/// `{Type} rest` → (`Type`, `rest`), braces nested.
fn braced(text: &str) -> Option<(String, String)> {
    let inner = text.strip_prefix('{')?;
    let mut depth = 1;
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((inner[..i].trim().to_string(), inner[i + 1..].to_string()));
                }
            }
            _ => {}
        }
    }
    None
}

fn resolve_relative(dir: &Path, specifier: &str) -> Option<PathBuf> {
    let base = dir.join(specifier);
    let stem = specifier.strip_suffix(".js").map(|s| dir.join(s));
    let mut candidates = vec![base.clone()];
    for ext in ["ts", "mts", "js", "mjs"] {
        candidates.push(PathBuf::from(format!("{}.{ext}", base.display())));
        candidates.push(base.join(format!("index.{ext}")));
    }
    if let Some(stem) = stem {
        candidates.insert(1, stem.with_extension("ts"));
    }
    candidates.into_iter().find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsdoc_tags_are_read() {
        let doc = parse_jsdoc(
            "\n * Gets a thing.\n * Second line.\n * @public\n * @example <caption>Simple</caption>\n * get('/a', {\n *   q: 1\n * });\n * @param {string} path - Where\n * @param {Object} [options={}] Options\n * @returns {Operation}\n ",
        );
        assert!(doc.public && !doc.private);
        assert_eq!(doc.description, "Gets a thing.\nSecond line.");
        assert_eq!(doc.examples[0].caption.as_deref(), Some("Simple"));
        assert_eq!(doc.examples[0].code, "get('/a', {\n  q: 1\n});");
        assert_eq!(doc.params[0].name, "path");
        assert_eq!(doc.params[0].description.as_deref(), Some("Where"));
        assert_eq!(doc.params[1].name, "options");
        assert!(doc.params[1].optional);
        assert_eq!(doc.returns.as_deref(), Some("Operation"));
    }
}
