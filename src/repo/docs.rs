//! An adaptor's documentation from the `ast.json` OpenFn's adaptors ship (the JSDoc of each
//! exported function, parsed by doctrine when the adaptor was built): what `fnhost docs`
//! prints.
//!
//! A function is listed when its JSDoc has `@public` or `@function` and no `@private` (the
//! functions OpenFn's docs describe; `execute` is private). Entries come from the file's
//! `operations`, `exports` and `common` lists (the last: language-common functions an adaptor
//! re-exports), first occurrence of a name wins. A package without `ast.json` (an adaptor that
//! was never built) is documented from the JSDoc of its source ([`super::jsdoc`]).

use std::path::Path;

use serde::Serialize;
use serde_json::Value;

/// The documentation of one adaptor version.
#[derive(Debug, Clone, Serialize)]
pub struct PackageDocs {
    /// Package name, e.g. `@openfn/language-common`.
    pub name: String,
    /// Package version.
    pub version: String,
    /// Public functions, in the order `ast.json` lists them.
    pub functions: Vec<FunctionDoc>,
}

/// One function's documentation.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionDoc {
    /// Function name.
    pub name: String,
    /// The JSDoc description.
    pub description: String,
    /// Parameters, in signature order.
    pub parameters: Vec<ParameterDoc>,
    /// `@example` blocks.
    pub examples: Vec<ExampleDoc>,
    /// The `@returns` type, when documented.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returns: Option<String>,
}

/// One parameter.
#[derive(Debug, Clone, Serialize)]
pub struct ParameterDoc {
    /// Parameter name.
    pub name: String,
    /// Its type as written in the JSDoc (`string`, `Array<Object>`, `Function | string`).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    /// Whether the JSDoc marks it optional (`[name]`).
    pub optional: bool,
    /// The `@param` description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One `@example`.
#[derive(Debug, Clone, Serialize)]
pub struct ExampleDoc {
    /// The `<caption>`, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// The example's code.
    pub code: String,
}

impl PackageDocs {
    /// Reads `<dir>/ast.json` (or, with `from_source` or when there is none, the JSDoc of the
    /// package's source) with the name and version from `<dir>/package.json`.
    pub fn load(dir: &Path, from_source: bool) -> Result<PackageDocs, String> {
        let manifest: Value = std::fs::read_to_string(dir.join("package.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .ok_or_else(|| format!("{} has no readable package.json", dir.display()))?;
        let field = |k: &str| {
            manifest
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let ast_path = dir.join("ast.json");
        let source = crate::runtime::from_source::source_entry(dir);
        if let Some(entry) = source.filter(|_| from_source || !ast_path.is_file()) {
            return Ok(PackageDocs {
                name: field("name"),
                version: field("version"),
                functions: super::jsdoc::functions_from_source(&entry)?,
            });
        }
        let text = std::fs::read_to_string(&ast_path).map_err(|e| {
            format!(
                "{} has no documentation: cannot read {}: {e}",
                dir.display(),
                ast_path.display()
            )
        })?;
        let ast: Value = serde_json::from_str(&text)
            .map_err(|e| format!("Invalid {}: {e}", ast_path.display()))?;
        Ok(PackageDocs::from_ast(field("name"), field("version"), &ast))
    }

    /// Builds the documentation from a parsed `ast.json`.
    pub fn from_ast(name: String, version: String, ast: &Value) -> PackageDocs {
        let mut functions: Vec<FunctionDoc> = Vec::new();
        for list in ["operations", "exports", "common"] {
            for entry in ast
                .get(list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(doc) = function_doc(entry) {
                    if !functions.iter().any(|f| f.name == doc.name) {
                        functions.push(doc);
                    }
                }
            }
        }
        PackageDocs {
            name,
            version,
            functions,
        }
    }

    /// The function called `name`.
    pub fn function(&self, name: &str) -> Option<&FunctionDoc> {
        self.functions.iter().find(|f| f.name == name)
    }
}

fn function_doc(entry: &Value) -> Option<FunctionDoc> {
    let name = entry.get("name")?.as_str()?.to_string();
    let docs = entry.get("docs")?;
    let tags: Vec<&Value> = docs
        .get("tags")
        .and_then(Value::as_array)
        .map(|t| t.iter().collect())
        .unwrap_or_default();
    let has = |title: &str| {
        tags.iter()
            .any(|t| t.get("title").and_then(Value::as_str) == Some(title))
    };
    if has("private") || !(has("public") || has("function")) {
        return None;
    }
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let tagged = |title: &'static str| {
        tags.iter()
            .copied()
            .filter(move |t| t.get("title").and_then(Value::as_str) == Some(title))
    };
    let param_tags: Vec<&Value> = tagged("param").collect();
    let mut names: Vec<String> = entry
        .get("params")
        .and_then(Value::as_array)
        .map(|p| {
            p.iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if names.is_empty() {
        // no signature recorded: the documented top-level parameters
        names = param_tags
            .iter()
            .filter_map(|t| text(t.get("name")))
            .filter(|n| !n.contains('.'))
            .collect();
    }
    let parameters = names
        .into_iter()
        .map(|name| {
            let tag = param_tags
                .iter()
                .find(|t| t.get("name").and_then(Value::as_str) == Some(name.as_str()));
            let ty = tag.and_then(|t| t.get("type"));
            ParameterDoc {
                optional: ty.and_then(|t| t.get("type")).and_then(Value::as_str)
                    == Some("OptionalType"),
                ty: ty.map(type_name),
                description: tag.and_then(|t| text(t.get("description"))),
                name,
            }
        })
        .collect();
    let examples = tagged("example")
        .map(|t| ExampleDoc {
            caption: text(t.get("caption")).map(|c| c.trim().to_string()),
            code: text(t.get("description"))
                .unwrap_or_default()
                .trim()
                .to_string(),
        })
        .collect();
    let returns = tagged("returns")
        .chain(tagged("return"))
        .find_map(|t| t.get("type").map(type_name));
    Some(FunctionDoc {
        name,
        description: text(docs.get("description")).unwrap_or_default(),
        parameters,
        examples,
        returns,
    })
}

/// A doctrine type expression written back as JSDoc writes it.
fn type_name(ty: &Value) -> String {
    let kind = ty.get("type").and_then(Value::as_str).unwrap_or("");
    let inner = |key: &str| ty.get(key).map(type_name).unwrap_or_else(|| "*".into());
    let list = |key: &str, sep: &str| {
        ty.get(key)
            .and_then(Value::as_array)
            .map(|l| l.iter().map(type_name).collect::<Vec<_>>().join(sep))
            .unwrap_or_default()
    };
    match kind {
        "NameExpression" => ty
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("*")
            .to_string(),
        "OptionalType" => inner("expression"),
        "NullableType" => format!("?{}", inner("expression")),
        "NonNullableType" => format!("!{}", inner("expression")),
        "RestType" => format!("...{}", inner("expression")),
        "UnionType" => list("elements", " | "),
        "ArrayType" => format!("[{}]", list("elements", ", ")),
        "TypeApplication" => format!("{}<{}>", inner("expression"), list("applications", ", ")),
        "NullLiteral" => "null".into(),
        "UndefinedLiteral" => "undefined".into(),
        "StringLiteralType" => format!(
            "{:?}",
            ty.get("value").and_then(Value::as_str).unwrap_or("")
        ),
        "FunctionType" => "function".into(),
        "RecordType" => "Object".into(),
        _ => "*".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn public_functions_with_params_examples_and_types() {
        let ast = json!({"operations": [
            {"name": "execute", "params": ["operations"], "docs": {"description": "x", "tags": [
                {"title": "public"}, {"title": "private"}]}},
            {"name": "get", "params": ["path", "options"], "docs": {"description": "Get a thing.", "tags": [
                {"title": "public"}, {"title": "function"},
                {"title": "example", "caption": "Simple", "description": "get('/a');"},
                {"title": "param", "name": "path", "description": "Where", "type": {"type": "NameExpression", "name": "string"}},
                {"title": "param", "name": "options", "type": {"type": "OptionalType", "expression": {"type": "UnionType", "elements": [
                    {"type": "NameExpression", "name": "Object"},
                    {"type": "TypeApplication", "expression": {"type": "NameExpression", "name": "Array"}, "applications": [{"type": "NameExpression", "name": "string"}]}]}}},
                {"title": "returns", "type": {"type": "NameExpression", "name": "Operation"}}]}}
        ]});
        let docs = PackageDocs::from_ast("p".into(), "1.0.0".into(), &ast);
        assert_eq!(docs.functions.len(), 1);
        let get = docs.function("get").unwrap();
        assert_eq!(get.parameters[0].ty.as_deref(), Some("string"));
        assert!(!get.parameters[0].optional);
        assert_eq!(
            get.parameters[1].ty.as_deref(),
            Some("Object | Array<string>")
        );
        assert!(get.parameters[1].optional);
        assert_eq!(get.examples[0].caption.as_deref(), Some("Simple"));
        assert_eq!(get.returns.as_deref(), Some("Operation"));
    }
}
