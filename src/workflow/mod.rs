//! Execution plans: OpenFn's workflow file format, read from disk and prepared for the runtime.
//!
//! The runtime's JavaScript validates and executes plans with OpenFn's rules; this module does
//! what needs the file system: it accepts both the `{workflow, options}` and the bare `{steps}`
//! forms, loads expression files relative to the workflow, resolves each step's adaptors in the
//! repo, and applies `--start`/`--end`/`--only`.

pub mod cache;

use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use crate::compile::declared_exports::{declared_exports, DeclaredExports};
use crate::repo::{self, AdaptorSpec};
use crate::runtime::from_source;
use crate::runtime::loader::NodeModules;
use crate::runtime::StepAdaptor;

/// Where steps' adaptors come from.
#[derive(Debug, Clone, Default)]
pub struct AdaptorSource {
    /// Adaptor repo directory.
    pub repo_dir: PathBuf,
    /// Adaptors for steps that name none (`-a`).
    pub defaults: Vec<String>,
    /// Expand short names (`common` → `@openfn/language-common`), as OpenFn's CLI does by
    /// default.
    pub expand: bool,
    /// Run `NAME=DIR` adaptors from their source (`src/index.ts` or `src/index.js`) even when
    /// they have a build (`--from-source`). Without it, source is used when the build is missing.
    pub from_source: bool,
    /// The adaptors monorepo (`-m`): a named adaptor `common` runs from source at
    /// `DIR/packages/common`, and the Versions banner says `monorepo`.
    pub monorepo: Option<PathBuf>,
}

/// Step selection: `--start`, `--end`, `--only`.
#[derive(Debug, Clone, Default)]
pub struct StepRange {
    /// First step to run.
    pub start: Option<String>,
    /// Last step to run.
    pub end: Option<String>,
    /// Run this step alone.
    pub only: Option<String>,
}

/// Builds the one-step plan OpenFn's CLI makes for a lone job (step id `job-1`).
pub fn plan_for_job(source: &str, adaptors: &AdaptorSource) -> Result<Value, String> {
    let step = json!({ "id": "job-1", "expression": source, "adaptors": resolve_adaptors_from(&adaptors.defaults, adaptors)? });
    Ok(json!({ "workflow": { "steps": [step] }, "options": {}, "fnhost": { "loneJob": true } }))
}

/// Reads a workflow file and prepares its plan.
pub fn load_workflow(
    path: &Path,
    adaptors: &AdaptorSource,
    range: &StepRange,
) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("Cannot read workflow {}: {e}", path.display()))?;
    let doc: Value = serde_json::from_str(&text)
        .map_err(|e| format!("Invalid workflow JSON in {}: {e}", path.display()))?;
    let base = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    prepare_plan(doc, &base, adaptors, range)
}

/// Normalises a workflow document into a runtime plan (see the module docs).
pub fn prepare_plan(
    doc: Value,
    base: &Path,
    adaptors: &AdaptorSource,
    range: &StepRange,
) -> Result<Value, String> {
    let Value::Object(mut doc) = doc else {
        return Err("a workflow must be a JSON object".into());
    };
    let (mut workflow, mut options) = if doc.contains_key("workflow") {
        let workflow = doc.remove("workflow").unwrap_or_default();
        let options = doc.remove("options").unwrap_or_else(|| json!({}));
        (workflow, options)
    } else {
        // The bare form may carry `options` and a top-level `start` (which wins), as OpenFn's
        // CLI reads it.
        let mut options = doc.remove("options").unwrap_or_else(|| json!({}));
        if let (Some(start), Some(opts)) = (doc.get("start"), options.as_object_mut()) {
            opts.insert("start".into(), start.clone());
        }
        (Value::Object(doc), options)
    };
    let Some(steps) = workflow.get_mut("steps").and_then(Value::as_array_mut) else {
        return Err("a workflow needs a \"steps\" array".into());
    };
    for (i, step) in steps.iter_mut().enumerate() {
        let Value::Object(step) = step else {
            return Err(format!("step {i} must be an object"));
        };
        if let Some(Value::String(expr)) = step.get("expression") {
            if looks_like_path(expr) {
                let file = base.join(expr);
                let source = std::fs::read_to_string(&file).map_err(|e| {
                    format!(
                        "Cannot read expression {} of step {}: {e}",
                        file.display(),
                        step_name(step, i)
                    )
                })?;
                step.insert("expression".into(), Value::String(source));
            }
        }
        if step.contains_key("expression") {
            let mut specs: Vec<String> = Vec::new();
            if let Some(Value::String(a)) = step.remove("adaptor") {
                specs.push(a);
            }
            if let Some(Value::Array(list)) = step.remove("adaptors") {
                specs.extend(
                    list.into_iter()
                        .filter_map(|v| v.as_str().map(str::to_string)),
                );
            }
            if specs.is_empty() {
                specs = adaptors.defaults.clone();
            }
            let resolved = resolve_adaptors_from(&specs, adaptors)
                .map_err(|e| format!("step {}: {e}", step_name(step, i)))?;
            step.insert("adaptors".into(), resolved);
        }
    }
    if let Some(globals) = workflow.get("globals").and_then(Value::as_str) {
        if looks_like_path(globals) {
            let file = base.join(globals);
            let source = std::fs::read_to_string(&file)
                .map_err(|e| format!("Cannot read globals {}: {e}", file.display()))?;
            workflow["globals"] = Value::String(source);
        }
    }
    let opts = options
        .as_object_mut()
        .ok_or("workflow \"options\" must be an object")?;
    // `start` and `end` from the file are honoured as @openfn/runtime honours them (OpenFn's
    // CLI 1.36 drops the file's `end`; see the README's compatibility notes); the command
    // line's `--start`/`--end`/`--only` override them.
    if let Some(only) = &range.only {
        opts.insert("start".into(), json!(only));
        opts.insert("end".into(), json!(only));
    } else {
        if let Some(start) = &range.start {
            opts.insert("start".into(), json!(start));
        }
        if let Some(end) = &range.end {
            opts.insert("end".into(), json!(end));
        }
    }
    Ok(json!({ "workflow": workflow, "options": options }))
}

fn step_name(step: &Map<String, Value>, index: usize) -> String {
    step.get("id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("#{}", index + 1))
}

/// OpenFn's CLI treats an expression ending in `.js` (and without newlines) as a file path.
fn looks_like_path(expr: &str) -> bool {
    !expr.contains('\n')
        && (expr.ends_with(".js") || expr.ends_with(".ts") || expr.ends_with(".mjs"))
}

/// Resolves adaptor specs to `[{name, url, version}]` for the runtime.
pub fn resolve_adaptors(specs: &[String], repo_dir: &Path, expand: bool) -> Result<Value, String> {
    let sources = AdaptorSource {
        repo_dir: repo_dir.to_path_buf(),
        expand,
        ..AdaptorSource::default()
    };
    resolve_adaptors_from(specs, &sources)
}

/// Resolves adaptor specs with every option of `sources` (from source, monorepo).
pub fn resolve_adaptors_from(specs: &[String], sources: &AdaptorSource) -> Result<Value, String> {
    let repo_dir = sources.repo_dir.as_path();
    let modules = NodeModules::new(repo_dir.to_path_buf());
    let mut out = Vec::new();
    for spec in specs {
        let mut spec = AdaptorSpec::parse_with(spec, sources.expand)?;
        let mut from_source = sources.from_source;
        let mut version = None;
        if let (Some(root), None) = (&sources.monorepo, &spec.path) {
            spec.path = Some(from_source::monorepo_package(root, &spec.name));
            from_source = true;
            version = Some("monorepo".to_string());
        }
        if let Some(path) = spec
            .path
            .as_ref()
            .filter(|p| !p.join("package.json").is_file())
        {
            // OpenFn's CLI does not stop here: the step fails with a JobError from reading
            // the adaptor's package.json, and the run exits 0. Keep that behaviour.
            let manifest = path.join("package.json");
            out.push(StepAdaptor {
                name: spec.name.clone(),
                url: String::new(),
                version: "unknown".into(),
                error: Some(format!(
                    "ENOENT: no such file or directory, open '{}'",
                    manifest.display()
                )),
                declared_exports: None,
            });
            continue;
        }
        let found = repo::locate(&spec, repo_dir)?;
        let entry = if spec.path.is_some() {
            from_source::adaptor_entry(&modules, &found.dir, from_source)?
        } else {
            modules.package_entry(&found.dir)?
        };
        let url = deno_core::ModuleSpecifier::from_file_path(&entry)
            .map_err(|_| format!("invalid adaptor path {}", entry.display()))?;
        out.push(StepAdaptor {
            name: found.name,
            url: url.to_string(),
            version: version.unwrap_or(found.version),
            error: None,
            // run from source, the package's declarations describe a build it is not using:
            // the source module's own exports are what the job can import
            declared_exports: match declared_exports(&found.dir) {
                _ if entry.starts_with(found.dir.join("src")) => None,
                DeclaredExports::NoTypes => None,
                DeclaredExports::Names(names) => Some(names),
            },
        });
    }
    serde_json::to_value(out).map_err(|e| e.to_string())
}

/// The entry URL of the one adaptor every step of `plan` uses, if there is exactly one.
pub(crate) fn single_adaptor_url(plan: &serde_json::Value) -> Option<String> {
    let mut urls = std::collections::BTreeSet::new();
    for step in plan.pointer("/workflow/steps")?.as_array()? {
        for adaptor in step
            .get("adaptors")
            .and_then(|a| a.as_array())
            .into_iter()
            .flatten()
        {
            urls.insert(adaptor.get("url")?.as_str()?.to_string());
        }
    }
    (urls.len() == 1).then(|| urls.into_iter().next()).flatten()
}
