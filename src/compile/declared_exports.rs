//! The names an adaptor declares in its type declarations, as OpenFn's CLI finds them.
//!
//! OpenFn's compiler does not load an adaptor to learn what to auto-import: it reads the
//! package's `types` file (and `adaptor.d.ts` / `Adaptor.d.ts` beside it) and keeps the declared
//! functions and the export aliases (`export { _ }`, `export * as http from …`); constants,
//! classes, types and `default` are not imported. fnhost reads the same files with oxc, which is
//! also faster than evaluating the adaptor. A package without `types` has no declared list:
//! fnhost then falls back to the loaded module's exports (see the README).

use std::path::Path;

use oxc::allocator::Allocator;
use oxc::ast::ast::{Declaration, ModuleExportName, Statement};
use oxc::parser::Parser;
use oxc::span::SourceType;

/// What a package's type declarations say it exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeclaredExports {
    /// `package.json` names no `types`.
    NoTypes,
    /// The declared names, in OpenFn's order (the `types` file, then `adaptor.d.ts`). Empty
    /// when the declarations could not be read: OpenFn's compiler then imports every unknown
    /// identifier from the adaptor, and so does fnhost's.
    Names(Vec<String>),
}

/// Reads the declared exports of the package in `package_dir`.
pub fn declared_exports(package_dir: &Path) -> DeclaredExports {
    let manifest = std::fs::read_to_string(package_dir.join("package.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
    let Some(types) = manifest
        .as_ref()
        .and_then(|m| m.get("types"))
        .and_then(|t| t.as_str())
        .filter(|t| !t.is_empty())
    else {
        return DeclaredExports::NoTypes;
    };
    let types_path = package_dir.join(types);
    let Ok(source) = std::fs::read_to_string(&types_path) else {
        return DeclaredExports::Names(Vec::new());
    };
    let mut names = Vec::new();
    collect(&source, &mut names);
    let types_dir = types_path.parent().unwrap_or(package_dir);
    for file in ["adaptor.d.ts", "Adaptor.d.ts"] {
        if let Ok(source) = std::fs::read_to_string(types_dir.join(file)) {
            collect(&source, &mut names);
            break;
        }
    }
    DeclaredExports::Names(names)
}

fn module_export_name(name: &ModuleExportName) -> String {
    match name {
        ModuleExportName::IdentifierName(n) => n.name.to_string(),
        ModuleExportName::IdentifierReference(n) => n.name.to_string(),
        ModuleExportName::StringLiteral(s) => s.value.to_string(),
    }
}

/// Adds the names one declaration file exports (functions and aliases) to `names`, once each.
fn collect(source: &str, names: &mut Vec<String>) {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, SourceType::d_ts()).parse();
    let mut add = |name: String| {
        if name != "default" && !names.contains(&name) {
            names.push(name);
        }
    };
    for statement in &parsed.program.body {
        match statement {
            Statement::ExportDeclaration(decl) => {
                if let Declaration::FunctionDeclaration(f) = &decl.declaration {
                    if let Some(id) = &f.id {
                        add(id.name.to_string());
                    }
                }
            }
            Statement::ExportNamedDeclaration(decl) => {
                for spec in &decl.specifiers {
                    add(module_export_name(&spec.exported));
                }
            }
            // `export { each, fn } from "@openfn/language-common"`: aliases too
            Statement::ExportFromDeclaration(decl) => {
                for spec in &decl.specifiers {
                    add(module_export_name(&spec.exported));
                }
            }
            Statement::ExportAllDeclaration(decl) => {
                if let Some(exported) = &decl.exported {
                    add(module_export_name(exported));
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(files: &[(&str, &str)]) -> std::path::PathBuf {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "fnhost-dts-{}-{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn functions_and_aliases_are_declared_constants_are_not() {
        let dir = package(&[
            ("package.json", r#"{"name":"x","types":"types/index.d.ts"}"#),
            (
                "types/index.d.ts",
                "import * as Adaptor from './Adaptor';\nexport default Adaptor;\nexport * from './Adaptor';\nexport * as http from './http';\nimport * as metadata from './metadata';\nexport { metadata };\nexport declare const VERSION: string;\nexport declare class Client {}\nexport interface Options {}\nexport declare namespace ns { function inner(): void; }\n",
            ),
            (
                "types/Adaptor.d.ts",
                "export function fn(f: Function): Operation;\nexport declare function each(a: any, b: any): Operation;\nexport { _ };\nexport declare const helper: () => void;\nexport { merge, field as f } from \"@openfn/language-common\";\n",
            ),
        ]);
        assert_eq!(
            declared_exports(&dir),
            DeclaredExports::Names(vec![
                "http".into(),
                "metadata".into(),
                "fn".into(),
                "each".into(),
                "_".into(),
                "merge".into(),
                "f".into()
            ])
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn no_types_and_unreadable_types_differ() {
        let none = package(&[("package.json", r#"{"name":"x","main":"index.js"}"#)]);
        assert_eq!(declared_exports(&none), DeclaredExports::NoTypes);
        let missing = package(&[("package.json", r#"{"name":"x","types":"gone.d.ts"}"#)]);
        assert_eq!(declared_exports(&missing), DeclaredExports::Names(vec![]));
        let _ = std::fs::remove_dir_all(none);
        let _ = std::fs::remove_dir_all(missing);
    }
}
