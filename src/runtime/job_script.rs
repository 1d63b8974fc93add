//! Turns a compiled job module into a script for the job realm.
//!
//! The job realm is a separate V8 context, so its code cannot `import` from the main realm's
//! module graph. The module's `import` declarations become bindings read from an array of
//! namespaces the runtime passes in, and its `export`s become properties of an object the
//! runtime reads back. Lines are kept in place (imports are blanked, the wrapper sits on line 1)
//! so that positions in stack traces still point at the compiled module.

use oxc::allocator::Allocator;
use oxc::ast::ast::{
    BindingPattern, Declaration, ExportDefaultDeclarationKind, ImportDeclarationSpecifier,
    ModuleExportName, Statement,
};
use oxc::parser::Parser;
use oxc::span::{GetSpan, SourceType, Span};

/// The wrapper's parameter holding imported namespaces.
const NAMESPACES: &str = "__fnhost_ns";
/// The wrapper's parameter receiving exports.
const EXPORTS: &str = "__fnhost_exports";
/// The wrapper's parameter that receives the default export.
const SET_DEFAULT: &str = "__fnhost_default";

/// A compiled module rewritten as `async (namespaces, exports) => …`.
#[derive(Debug)]
pub struct JobScript {
    /// Script source evaluating to the async function.
    pub source: String,
    /// Specifiers whose namespaces the function expects, in order.
    pub imports: Vec<String>,
    /// For each of `imports`, the export names the module's `import` declarations bind
    /// (`default` for a default import), in source order: a name the namespace lacks is a link
    /// error, as in Node (`does not provide an export named …`).
    pub bindings: Vec<Vec<String>>,
    /// Characters added before the module's first line (subtract from line-1 columns).
    pub line1_offset: u32,
}

struct Edit {
    span: Span,
    replacement: String,
}

fn export_name(name: &ModuleExportName) -> String {
    match name {
        ModuleExportName::IdentifierName(n) => n.name.to_string(),
        ModuleExportName::IdentifierReference(n) => n.name.to_string(),
        ModuleExportName::StringLiteral(s) => s.value.to_string(),
    }
}

fn js_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn binding_names(pattern: &BindingPattern, out: &mut Vec<String>) {
    for id in pattern.get_binding_identifiers() {
        out.push(id.name.to_string());
    }
}

/// Rewrites `module_source` (an ES module) into a job-realm script.
pub fn module_to_job_script(module_source: &str) -> Result<JobScript, String> {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, module_source, SourceType::mjs()).parse();
    if let Some(err) = parsed.diagnostics.errors().next() {
        return Err(err.to_string());
    }
    let mut imports: Vec<String> = Vec::new();
    let mut bindings: Vec<Vec<String>> = Vec::new();
    let namespace_index = |spec: &str, imports: &mut Vec<String>| -> usize {
        if let Some(i) = imports.iter().position(|s| s == spec) {
            i
        } else {
            imports.push(spec.to_string());
            imports.len() - 1
        }
    };
    let mut prologue = String::new();
    let mut epilogue = String::new();
    let mut edits: Vec<Edit> = Vec::new();

    for stmt in &parsed.program.body {
        match stmt {
            Statement::ImportDeclaration(decl) => {
                let idx = namespace_index(decl.source.value.as_str(), &mut imports);
                if bindings.len() < imports.len() {
                    bindings.resize_with(imports.len(), Vec::new);
                }
                let ns = format!("{NAMESPACES}[{idx}]");
                let mut named = Vec::new();
                for spec in decl.specifiers.iter().flatten() {
                    match spec {
                        ImportDeclarationSpecifier::ImportSpecifier(s) => {
                            bindings[idx].push(export_name(&s.imported));
                            named.push(format!(
                                "{}: {}",
                                js_string(&export_name(&s.imported)),
                                s.local.name
                            ));
                        }
                        ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                            bindings[idx].push("default".into());
                            prologue.push_str(&format!("const {} = {ns}.default; ", s.local.name));
                        }
                        ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                            prologue.push_str(&format!("const {} = {ns}; ", s.local.name));
                        }
                    }
                }
                if !named.is_empty() {
                    prologue.push_str(&format!("const {{ {} }} = {ns}; ", named.join(", ")));
                }
                edits.push(Edit {
                    span: decl.span,
                    replacement: String::new(),
                });
            }
            Statement::ExportAllDeclaration(decl) => {
                let idx = namespace_index(decl.source.value.as_str(), &mut imports);
                let ns = format!("{NAMESPACES}[{idx}]");
                match &decl.exported {
                    Some(name) => epilogue.push_str(&format!("{EXPORTS}[{}] = {ns}; ", js_string(&export_name(name)))),
                    None => epilogue.push_str(&format!(
                        "for (const k of Object.keys({ns})) if (k !== \"default\" && !(k in {EXPORTS})) {EXPORTS}[k] = {ns}[k]; "
                    )),
                }
                edits.push(Edit {
                    span: decl.span,
                    replacement: String::new(),
                });
            }
            Statement::ExportDefaultDeclaration(decl) => match &decl.declaration {
                ExportDefaultDeclarationKind::FunctionDeclaration(f) if f.id.is_some() => {
                    let name =
                        f.id.as_ref()
                            .map(|i| i.name.to_string())
                            .unwrap_or_default();
                    edits.push(Edit {
                        span: Span::new(decl.span.start, f.span.start),
                        replacement: String::new(),
                    });
                    epilogue.push_str(&format!("{EXPORTS}.default = {name}; "));
                }
                ExportDefaultDeclarationKind::ClassDeclaration(c) if c.id.is_some() => {
                    let name =
                        c.id.as_ref()
                            .map(|i| i.name.to_string())
                            .unwrap_or_default();
                    edits.push(Edit {
                        span: Span::new(decl.span.start, c.span.start),
                        replacement: String::new(),
                    });
                    epilogue.push_str(&format!("{EXPORTS}.default = {name}; "));
                }
                other => {
                    // Passed through a call, not assigned: an assignment would make V8 name the
                    // operations after the target (`__fnhost_exports.default`) in stack frames,
                    // which OpenFn's adaptor-error detection reads.
                    let span = other.span();
                    edits.push(Edit {
                        span: Span::new(decl.span.start, span.start),
                        replacement: format!("{SET_DEFAULT}("),
                    });
                    edits.push(Edit {
                        span: Span::new(span.end, span.end),
                        replacement: ")".into(),
                    });
                }
            },
            Statement::ExportFromDeclaration(decl) => {
                let idx = namespace_index(decl.source.value.as_str(), &mut imports);
                for s in &decl.specifiers {
                    epilogue.push_str(&format!(
                        "{EXPORTS}[{}] = {NAMESPACES}[{idx}][{}]; ",
                        js_string(&export_name(&s.exported)),
                        js_string(&export_name(&s.local))
                    ));
                }
                edits.push(Edit {
                    span: decl.span,
                    replacement: String::new(),
                });
            }
            Statement::ExportDeclaration(decl) => {
                let declaration = &decl.declaration;
                let mut names = Vec::new();
                match declaration {
                    Declaration::VariableDeclaration(v) => {
                        for d in &v.declarations {
                            binding_names(&d.id, &mut names);
                        }
                    }
                    Declaration::FunctionDeclaration(f) => {
                        names.extend(f.id.as_ref().map(|i| i.name.to_string()))
                    }
                    Declaration::ClassDeclaration(c) => {
                        names.extend(c.id.as_ref().map(|i| i.name.to_string()))
                    }
                    _ => {}
                }
                for n in names {
                    epilogue.push_str(&format!("{EXPORTS}[{}] = {n}; ", js_string(&n)));
                }
                edits.push(Edit {
                    span: Span::new(decl.span.start, declaration.span().start),
                    replacement: String::new(),
                });
            }
            Statement::ExportNamedDeclaration(decl) => {
                for s in &decl.specifiers {
                    epilogue.push_str(&format!(
                        "{EXPORTS}[{}] = {}; ",
                        js_string(&export_name(&s.exported)),
                        export_name(&s.local)
                    ));
                }
                edits.push(Edit {
                    span: decl.span,
                    replacement: String::new(),
                });
            }
            _ => {}
        }
    }

    // Apply edits back to front; removed text keeps its newlines so lines do not move.
    let mut body = module_source.to_string();
    edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
    for edit in edits {
        let (start, end) = (edit.span.start as usize, edit.span.end as usize);
        let removed = &body[start..end];
        let newlines = removed.matches('\n').count();
        let mut replacement = edit.replacement;
        if newlines > 0 {
            replacement.push_str(&"\n".repeat(newlines));
        }
        body.replace_range(start..end, &replacement);
    }
    let prefix = format!(
        "(async function ({NAMESPACES}, {EXPORTS}, {SET_DEFAULT}) {{\"use strict\"; {prologue}"
    );
    let line1_offset = prefix.chars().count() as u32;
    let source = format!("{prefix}{body}\n;{epilogue}\n}})");
    bindings.resize_with(imports.len(), Vec::new);
    Ok(JobScript {
        source,
        imports,
        bindings,
        line1_offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_become_bindings_and_exports_become_properties() {
        let module = "import { fn, each as e } from \"@openfn/language-common\";\nexport * from \"@openfn/language-common\";\nconst x = 1;\nexport default [fn(s => s)];\n";
        let script = module_to_job_script(module).unwrap();
        assert_eq!(script.imports, vec!["@openfn/language-common"]);
        assert_eq!(script.bindings, vec![vec!["fn".to_string(), "each".into()]]);
        assert!(script
            .source
            .contains("const { \"fn\": fn, \"each\": e } = __fnhost_ns[0];"));
        assert!(script.source.contains("__fnhost_default([fn(s => s)])"));
        assert!(script
            .source
            .contains("for (const k of Object.keys(__fnhost_ns[0]))"));
        // line 4 of the module is still line 4 of the script
        assert_eq!(
            script.source.lines().nth(3).unwrap(),
            "__fnhost_default([fn(s => s)]);"
        );
    }

    #[test]
    fn named_exports_are_collected() {
        let script = module_to_job_script(
            "export const a = 1, { b } = { b: 2 };\nexport function f() {}\nexport default [];",
        )
        .unwrap();
        assert!(script.source.contains("__fnhost_exports[\"a\"] = a;"));
        assert!(script.source.contains("__fnhost_exports[\"b\"] = b;"));
        assert!(script.source.contains("__fnhost_exports[\"f\"] = f;"));
    }
}
