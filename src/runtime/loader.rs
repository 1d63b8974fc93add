//! Module resolution and loading with Node's rules, for both `import` (deno_core's
//! `ModuleLoader`) and the JavaScript `require` (through the ops' `EngineHost`).
//!
//! Bare specifiers resolve through `node_modules` with `oxc_resolver` (package `exports` and
//! `imports` maps, conditions, `main`, extension and `index.js` probing). CommonJS files and
//! Node built-ins are served to `import` as generated ES facades over the JS `require`.
//!
//! Every file the engine reads for JavaScript goes through [`NodeModules::check_read`]: only
//! files inside the package directories of this run ([`ReadGrants`]) are resolved or read,
//! whatever path or URL the JavaScript asks for.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use deno_core::error::ModuleLoaderError;
use deno_core::{
    ModuleLoadOptions, ModuleLoadReferrer, ModuleLoadResponse, ModuleLoader, ModuleSource,
    ModuleSourceCode, ModuleSpecifier, ModuleType, ResolutionKind,
};
use deno_error::JsErrorBox;
use oxc_resolver::{ResolveError, ResolveOptions, Resolver};

use super::cjs_exports::detect_cjs_exports;
use crate::ops::modules::{ModuleFormat, Resolved};

/// Export names of the engine's built-in modules, computed from the snapshot by `build.rs`.
const BUILTIN_EXPORTS: &str = include_str!(concat!(env!("OUT_DIR"), "/builtin_exports.json"));

/// Node's built-in module names (the ones a bare specifier may mean).
const NODE_BUILTINS: &[&str] = &[
    "assert",
    "assert/strict",
    "async_hooks",
    "buffer",
    "child_process",
    "cluster",
    "console",
    "constants",
    "crypto",
    "dgram",
    "diagnostics_channel",
    "dns",
    "dns/promises",
    "domain",
    "events",
    "fs",
    "fs/promises",
    "http",
    "http2",
    "https",
    "inspector",
    "module",
    "net",
    "os",
    "path",
    "path/posix",
    "path/win32",
    "perf_hooks",
    "process",
    "punycode",
    "querystring",
    "readline",
    "readline/promises",
    "repl",
    "stream",
    "stream/consumers",
    "stream/promises",
    "stream/web",
    "string_decoder",
    "sys",
    "timers",
    "timers/promises",
    "tls",
    "trace_events",
    "tty",
    "url",
    "util",
    "util/types",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
];

/// Built-ins served by Deno's node extension (js/10_node.js): an ES import of these gets
/// Deno's `node:` module itself, already evaluated in the snapshot, the same object `require`
/// returns.
const FROM_DENO: &[&str] = &["dns", "dns/promises", "http", "https", "net", "tls"];

/// The module URL an ES import of the built-in `name` loads: `node:name` for Deno's modules,
/// `fnhost:node/name` (a facade over fnhost's own module, see [`NodeModules::builtin_facade`])
/// for the others. Deno's node extension owns every `node:` URL in the module map (its
/// modules import each other by those names), so fnhost's own modules need URLs of their own.
pub fn builtin_url(name: &str) -> String {
    if FROM_DENO.contains(&name) {
        format!("node:{name}")
    } else {
        format!("fnhost:node/{name}")
    }
}

/// Is `name` (without `node:`) a Node built-in module?
pub fn is_node_builtin(name: &str) -> bool {
    NODE_BUILTINS.contains(&name)
}

/// The directories one run may read modules from: the adaptor repo, each adaptor's package
/// directory, and the packages the resolver found from those through `node_modules`. Checked
/// in Rust on every resolution and read, so JavaScript that reaches the module ops or the
/// loader directly still cannot name a file elsewhere (`/etc/passwd`, `/proc/self/environ`).
#[derive(Debug, Default)]
pub struct ReadGrants {
    roots: RefCell<Vec<PathBuf>>,
}

impl ReadGrants {
    /// Allows reading below `dir` (as given and, when it exists, as its real path).
    pub fn grant(&self, dir: &Path) {
        let mut roots = self.roots.borrow_mut();
        let lexical = normalize(dir);
        let real = std::fs::canonicalize(&lexical).ok();
        for root in std::iter::once(lexical).chain(real) {
            if !roots.contains(&root) {
                roots.push(root);
            }
        }
    }

    /// Is `path` (absolute, normalised) below a granted directory?
    pub fn allows(&self, path: &Path) -> bool {
        self.roots
            .borrow()
            .iter()
            .any(|root| path.starts_with(root))
    }
}

/// `path` made absolute (from the current directory) with `.` and `..` removed, without
/// touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    };
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The refusal for a path outside the run's packages (the same whether or not it exists).
fn not_allowed(path: &Path) -> String {
    format!(
        "Access to {} is not allowed: fnhost loads modules only from the packages of this run (the adaptor repo and the adaptors' directories)",
        path.display()
    )
}

/// Is `dir` a package directory inside `node_modules` (`…/node_modules/name` or
/// `…/node_modules/@scope/name`)?
fn is_installed_package(dir: &Path) -> bool {
    let parent = dir.parent();
    let under = |p: Option<&Path>| {
        p.and_then(Path::file_name)
            .is_some_and(|n| n == "node_modules")
    };
    under(parent)
        || (parent
            .and_then(Path::file_name)
            .is_some_and(|n| n.to_string_lossy().starts_with('@'))
            && under(parent.and_then(Path::parent)))
}

/// The directory of the package that holds `file`: the nearest ancestor with a `package.json`
/// naming a package.
pub fn package_root(file: &Path) -> Option<PathBuf> {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if let Ok(text) = std::fs::read_to_string(d.join("package.json")) {
            if serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .is_some_and(|j| j.get("name").is_some_and(|n| n.is_string()))
            {
                return Some(d.to_path_buf());
            }
        }
        dir = d.parent();
    }
    None
}

/// Resolves and reads modules for one engine; shared by the module loader and the ops.
pub struct NodeModules {
    for_import: Resolver,
    for_require: Resolver,
    /// Nearest `package.json` "type" per directory.
    package_types: RefCell<HashMap<PathBuf, bool>>,
    builtin_exports: HashMap<String, Vec<String>>,
    /// Directory bare specifiers resolve from when the referrer is not a file (engine code).
    base_dir: PathBuf,
    /// What this run may read.
    grants: ReadGrants,
    /// Bridged packages this run takes from npm instead (`--no-bridge`).
    bridges_off: RefCell<Vec<String>>,
}

fn options(conditions: &[&str]) -> ResolveOptions {
    ResolveOptions {
        condition_names: conditions.iter().map(|s| s.to_string()).collect(),
        extensions: vec![
            ".js".into(),
            ".json".into(),
            ".node".into(),
            ".mjs".into(),
            ".cjs".into(),
            // adaptors run from source (`from_source`): `./util` may be `util.ts`
            ".ts".into(),
            ".mts".into(),
        ],
        // TypeScript sources import `./util.js` meaning `util.ts`
        extension_alias: vec![(".js".into(), vec![".js".into(), ".ts".into()])],
        main_fields: vec!["main".into()],
        builtin_modules: true,
        ..ResolveOptions::default()
    }
}

impl NodeModules {
    /// Creates a resolver; bare specifiers from engine code resolve from `base_dir`, which is
    /// the one directory it may read from until [`NodeModules::grant`] adds more.
    pub fn new(base_dir: PathBuf) -> Self {
        let for_import = Resolver::new(options(&["node", "import", "default"]));
        let for_require = for_import.clone_with_options(options(&["node", "require", "default"]));
        let builtin_exports = serde_json::from_str(BUILTIN_EXPORTS).unwrap_or_default();
        let grants = ReadGrants::default();
        grants.grant(&base_dir);
        NodeModules {
            for_import,
            for_require,
            package_types: RefCell::default(),
            builtin_exports,
            base_dir,
            grants,
            bridges_off: RefCell::default(),
        }
    }

    /// Serves the real npm package for each of `names` instead of fnhost's bridge (they must be
    /// [`bridged_packages`]).
    pub fn disable_bridges(&self, names: &[String]) {
        self.bridges_off.borrow_mut().extend(names.iter().cloned());
    }

    /// Allows reading modules below `dir` (an adaptor's package directory).
    pub fn grant(&self, dir: &Path) {
        self.grants.grant(dir);
    }

    /// The real path of `path` if this run may read it, else the refusal. Checked on the path
    /// as written (so a refusal does not reveal whether the file exists) and on its real path
    /// (so a link cannot lead outside).
    pub fn check_read(&self, path: &Path) -> Result<PathBuf, String> {
        let lexical = normalize(path);
        if !self.grants.allows(&lexical) {
            return Err(not_allowed(path));
        }
        match std::fs::canonicalize(&lexical) {
            Ok(real) if self.grants.allows(&real) => Ok(real),
            Ok(_) => Err(not_allowed(path)),
            // Not there: let the reader report it as usual.
            Err(_) => Ok(lexical),
        }
    }

    /// Reads a module file this run may read.
    pub fn read_source(&self, path: &Path) -> Result<String, String> {
        let path = self.check_read(path)?;
        std::fs::read_to_string(&path).map_err(|e| format!("Cannot read {}: {e}", path.display()))
    }

    fn referrer_dir(&self, referrer: &str) -> PathBuf {
        if let Ok(url) = ModuleSpecifier::parse(referrer) {
            if url.scheme() == "file" {
                if let Ok(path) = url.to_file_path() {
                    return path.parent().map(Path::to_path_buf).unwrap_or(path);
                }
            }
            return self.base_dir.clone();
        }
        let path = Path::new(referrer);
        if path.is_absolute() {
            if path.is_dir() {
                return path.to_path_buf();
            }
            return path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| self.base_dir.clone());
        }
        self.base_dir.clone()
    }

    /// Resolves `specifier` from `referrer` (a file path or URL).
    pub fn resolve(
        &self,
        specifier: &str,
        referrer: &str,
        for_require: bool,
    ) -> Result<Resolved, String> {
        if let Some(url) = bridge::resolve(specifier, referrer, &self.bridges_off.borrow()) {
            return Ok(Resolved::Url {
                url,
                format: ModuleFormat::Module,
            });
        }
        let plain = self.resolve_unbridged(specifier, referrer, for_require);
        if bridge::over_real_package(specifier, &self.bridges_off.borrow()) {
            // The bridge stands in only for an installed version it covers, and runs that real
            // package for what it does not reproduce: its URL names the real entry point (as
            // this import or require finds it) and the real package's version.
            if let Ok(Resolved::File { path, format }) = &plain {
                let version = bridge::covers(specifier, Path::new(path), for_require);
                let entry = bridge::entry_over(specifier, *format);
                if let (Some(version), Some(entry)) = (version, entry) {
                    let format = match format {
                        ModuleFormat::Module => "module",
                        ModuleFormat::Json => "json",
                        _ => "commonjs",
                    };
                    let query: String = form_urlencoded::Serializer::new(String::new())
                        .append_pair("real", path)
                        .append_pair("format", format)
                        .append_pair("version", &version)
                        .finish();
                    return Ok(Resolved::Url {
                        url: format!("{entry}?{query}"),
                        format: ModuleFormat::Module,
                    });
                }
            }
        }
        plain
    }

    /// [`Loader::resolve`] without bridges.
    fn resolve_unbridged(
        &self,
        specifier: &str,
        referrer: &str,
        for_require: bool,
    ) -> Result<Resolved, String> {
        if let Some(name) = specifier.strip_prefix("node:") {
            return Ok(Resolved::Builtin {
                name: name.to_string(),
            });
        }
        if is_node_builtin(specifier) {
            return Ok(Resolved::Builtin {
                name: specifier.to_string(),
            });
        }
        if let Ok(url) = ModuleSpecifier::parse(specifier) {
            if url.scheme() == "file" {
                let path = url
                    .to_file_path()
                    .map_err(|_| format!("Invalid file URL {specifier}"))?;
                let path = self.check_read(&path)?;
                let format = self.format_of(&path);
                return Ok(Resolved::File {
                    path: path.to_string_lossy().into_owned(),
                    format,
                });
            }
            if url.scheme().len() > 1 {
                return Ok(Resolved::Url {
                    url: url.to_string(),
                    format: ModuleFormat::Module,
                });
            }
        }
        let dir = self.referrer_dir(referrer);
        if !self.grants.allows(&normalize(&dir)) {
            return Err(not_allowed(&dir));
        }
        // A path is refused before the resolver looks for it: the answer must not depend on
        // whether a file outside the run's packages exists.
        if !is_bare(specifier) && !self.grants.allows(&normalize(&dir.join(specifier))) {
            return Err(not_allowed(Path::new(specifier)));
        }
        // Published packages never keep `workspace:` ranges: only look outside node_modules.
        let bare = !specifier.starts_with('.') && !specifier.starts_with('/');
        if bare && !dir.components().any(|c| c.as_os_str() == "node_modules") {
            if let Some(path) =
                super::from_source::resolve_workspace_dependency(self, specifier, &dir)
            {
                // a sibling package of the monorepo is part of the run, as installed ones are
                if let Some(root) = package_root(&path) {
                    self.grants.grant(&root);
                }
                let format = self.format_of(&path);
                return Ok(Resolved::File {
                    path: path.to_string_lossy().into_owned(),
                    format,
                });
            }
        }
        let resolver = if for_require {
            &self.for_require
        } else {
            &self.for_import
        };
        match resolver.resolve(&dir, specifier) {
            Ok(res) => {
                // A package found through `node_modules` from a granted place is granted as a
                // whole (its own relative imports); anything else must already be granted.
                if is_bare(specifier) {
                    if let Some(dir) = res
                        .package_json()
                        .and_then(|p| p.path().parent())
                        .filter(|d| is_installed_package(d))
                    {
                        self.grants.grant(dir);
                    }
                }
                let path = self.check_read(res.path())?;
                let format = self.format_of(&path);
                Ok(Resolved::File {
                    path: path.to_string_lossy().into_owned(),
                    format,
                })
            }
            Err(ResolveError::Builtin { resolved, .. }) => Ok(Resolved::Builtin {
                name: resolved.trim_start_matches("node:").to_string(),
            }),
            Err(e) => {
                let from = referrer_display(referrer);
                let kind = if specifier.starts_with('.') || specifier.starts_with('/') {
                    "module"
                } else {
                    "package"
                };
                Err(format!(
                    "Cannot find {kind} '{specifier}' imported from {from} ({e})"
                ))
            }
        }
    }

    /// Resolves the entry point of the package in `dir` (as `import` would load it).
    pub fn package_entry(&self, dir: &Path) -> Result<PathBuf, String> {
        let manifest = std::fs::read_to_string(dir.join("package.json"))
            .map_err(|e| format!("Cannot read {}: {e}", dir.join("package.json").display()))?;
        let json: serde_json::Value = serde_json::from_str(&manifest)
            .map_err(|e| format!("Invalid {}: {e}", dir.join("package.json").display()))?;
        let name = json
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or_default();
        let result = if json.get("exports").is_some() && !name.is_empty() {
            self.for_import.resolve(dir, name)
        } else {
            self.for_import.resolve(dir, ".")
        };
        result
            .map(|r| r.into_path_buf())
            .map_err(|e| format!("Cannot resolve the entry point of {}: {e}", dir.display()))
    }

    /// How a file is evaluated: by extension, then the nearest package.json "type".
    pub fn format_of(&self, path: &Path) -> ModuleFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some("json") => ModuleFormat::Json,
            Some("mjs") => ModuleFormat::Module,
            Some("cjs") => ModuleFormat::Commonjs,
            Some("ts" | "mts") => ModuleFormat::Module,
            _ => {
                if self.is_module_package(path.parent().unwrap_or(path)) {
                    ModuleFormat::Module
                } else {
                    ModuleFormat::Commonjs
                }
            }
        }
    }

    fn is_module_package(&self, dir: &Path) -> bool {
        if let Some(v) = self.package_types.borrow().get(dir) {
            return *v;
        }
        let manifest = dir.join("package.json");
        let value = match std::fs::read_to_string(&manifest) {
            Ok(text) => serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|j| {
                    j.get("type")
                        .and_then(|t| t.as_str())
                        .map(|t| t == "module")
                })
                .unwrap_or(false),
            Err(_) => match dir.parent() {
                Some(parent) if dir.file_name().is_some() => self.is_module_package(parent),
                _ => false,
            },
        };
        self.package_types
            .borrow_mut()
            .insert(dir.to_path_buf(), value);
        value
    }

    /// ES facade over a CommonJS file: default export is `module.exports`, plus the statically
    /// detected named exports (following re-exports).
    fn cjs_facade(&self, path: &Path) -> String {
        let mut names = Vec::new();
        let mut seen = Vec::new();
        self.collect_cjs_names(path, &mut names, &mut seen);
        let path_js = serde_json::to_string(&path.to_string_lossy()).unwrap_or_default();
        let mut out = format!("const m = globalThis.__fnhostModules.requireFile({path_js}, \"commonjs\");\nexport default m;\n");
        push_named_exports(&mut out, &names);
        out
    }

    fn collect_cjs_names(&self, path: &Path, names: &mut Vec<String>, seen: &mut Vec<PathBuf>) {
        if seen.iter().any(|p| p == path) || seen.len() > 64 {
            return;
        }
        seen.push(path.to_path_buf());
        let Ok(source) = self.read_source(path) else {
            return;
        };
        let found = detect_cjs_exports(&source);
        for n in found.names {
            if !names.contains(&n) {
                names.push(n);
            }
        }
        for spec in found.reexports {
            if let Ok(Resolved::File {
                path: target,
                format: ModuleFormat::Commonjs,
            }) = self.resolve(&spec, &path.to_string_lossy(), true)
            {
                self.collect_cjs_names(Path::new(&target), names, seen);
            }
        }
    }

    fn builtin_facade(&self, name: &str) -> String {
        let name_js = serde_json::to_string(name).unwrap_or_default();
        let mut out = format!(
            "const m = globalThis.__fnhostModules.builtin({name_js});\nexport default m;\n"
        );
        if let Some(names) = self.builtin_exports.get(name) {
            push_named_exports(&mut out, names);
        }
        out
    }
}

/// A package specifier (`name`, `@scope/name/sub`, `#internal`), not a path or URL.
fn is_bare(specifier: &str) -> bool {
    !(specifier.starts_with('.') || specifier.starts_with('/') || specifier.contains(':'))
}

fn push_named_exports(out: &mut String, names: &[String]) {
    for (i, name) in names.iter().filter(|n| n.as_str() != "default").enumerate() {
        let key = serde_json::to_string(name).unwrap_or_default();
        out.push_str(&format!(
            "const e{i} = m == null ? undefined : m[{key}];\nexport {{ e{i} as {key} }};\n"
        ));
    }
}

fn referrer_display(referrer: &str) -> String {
    ModuleSpecifier::parse(referrer)
        .ok()
        .filter(|u| u.scheme() == "file")
        .and_then(|u| u.to_file_path().ok())
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| referrer.to_string())
}

/// deno_core's module loader over [`NodeModules`].
pub struct NodeModuleLoader(pub Rc<NodeModules>);

fn file_url(path: &str) -> Result<ModuleSpecifier, ModuleLoaderError> {
    ModuleSpecifier::from_file_path(path)
        .map_err(|_| JsErrorBox::generic(format!("Invalid module path {path}")))
}

impl ModuleLoader for NodeModuleLoader {
    fn resolve(
        &self,
        specifier: &str,
        referrer: &str,
        _kind: ResolutionKind,
    ) -> Result<ModuleSpecifier, ModuleLoaderError> {
        if specifier.starts_with("ext:") {
            return ModuleSpecifier::parse(specifier).map_err(JsErrorBox::from_err);
        }
        match self
            .0
            .resolve(specifier, referrer, false)
            .map_err(JsErrorBox::generic)?
        {
            Resolved::Builtin { name } => {
                ModuleSpecifier::parse(&builtin_url(&name)).map_err(JsErrorBox::from_err)
            }
            Resolved::File { path, .. } => file_url(&path),
            Resolved::Url { url, .. } => ModuleSpecifier::parse(&url).map_err(JsErrorBox::from_err),
        }
    }

    fn load(
        &self,
        specifier: &ModuleSpecifier,
        _referrer: Option<&ModuleLoadReferrer>,
        _options: ModuleLoadOptions,
    ) -> ModuleLoadResponse {
        let result = (|| {
            if let Some(source) = bridge::source(specifier.as_str()) {
                return Ok(ModuleSource::new(
                    ModuleType::JavaScript,
                    ModuleSourceCode::String(source.to_string().into()),
                    specifier,
                    None,
                ));
            }
            if let Some(name) = specifier.as_str().strip_prefix("fnhost:node/") {
                let source = self.0.builtin_facade(name);
                return Ok(ModuleSource::new(
                    ModuleType::JavaScript,
                    ModuleSourceCode::String(source.into()),
                    specifier,
                    None,
                ));
            }
            let path = specifier
                .to_file_path()
                .map_err(|_| JsErrorBox::generic(format!("Cannot load module {specifier}")))?;
            let path = self.0.check_read(&path).map_err(JsErrorBox::generic)?;
            let read = |path: &Path| self.0.read_source(path).map_err(JsErrorBox::generic);
            let (module_type, code) = match self.0.format_of(&path) {
                ModuleFormat::Json => (ModuleType::Json, read(&path)?),
                ModuleFormat::Module if super::from_source::is_typescript(&path) => {
                    let source = read(&path)?;
                    let code = super::from_source::strip_types(&path, &source)
                        .map_err(|e| JsErrorBox::new("SyntaxError", e.to_string()))?;
                    (ModuleType::JavaScript, code)
                }
                ModuleFormat::Module => (ModuleType::JavaScript, read(&path)?),
                ModuleFormat::Commonjs => (ModuleType::JavaScript, self.0.cjs_facade(&path)),
            };
            Ok(ModuleSource::new(
                module_type,
                ModuleSourceCode::String(code.into()),
                specifier,
                None,
            ))
        })();
        ModuleLoadResponse::Sync(result)
    }
}

/// The npm packages fnhost serves its own bridge for, whoever imports or requires them
/// (`--no-bridge NAME` takes the real package instead).
pub fn bridged_packages() -> Vec<&'static str> {
    bridge::names().collect()
}

/// Bridge modules: packages the engine replaces with its own implementation (served from the
/// binary under `fnhost:/node_modules/<package>/...`), whoever imports or requires them.
///
/// The `/node_modules/<package>/` path is deliberate: @openfn/runtime decides whether an error
/// thrown during an operation is an `AdaptorError` by looking for `node_modules` in the first
/// non-runtime stack frame, and a bridge frame must read as the package it stands in for.
mod bridge {
    /// Packages replaced by a bridge, with the bridge's entry point.
    const PACKAGES: &[(&str, &str)] = &[
        ("undici", "fnhost:/node_modules/undici/index.js"),
        ("pg", "fnhost:/node_modules/pg/index.js"),
    ];

    /// Deep paths into a bridged package that other packages require (pg-cursor requires
    /// `pg/lib/result.js` and `pg/lib/utils.js`), with the bridge file that stands in for each;
    /// other subpaths get the package's entry point.
    const SUBPATHS: &[(&str, &str)] = &[
        ("pg/lib/result", "fnhost:/node_modules/pg/lib/result.js"),
        ("pg/lib/utils", "fnhost:/node_modules/pg/lib/utils.js"),
    ];

    /// The bridge's files, by URL.
    const FILES: &[(&str, &str)] = &[
        (
            "fnhost:/node_modules/undici/index.js",
            include_str!("../../adaptors/undici/index.js"),
        ),
        (
            "fnhost:/node_modules/undici/errors.js",
            include_str!("../../adaptors/undici/errors.js"),
        ),
        (
            "fnhost:/node_modules/undici/core.js",
            include_str!("../../adaptors/undici/core.js"),
        ),
        (
            "fnhost:/node_modules/undici/api.js",
            include_str!("../../adaptors/undici/api.js"),
        ),
        (
            "fnhost:/node_modules/undici/net.js",
            include_str!("../../adaptors/undici/net.js"),
        ),
        (
            "fnhost:/node_modules/undici/interceptors.js",
            include_str!("../../adaptors/undici/interceptors.js"),
        ),
        (
            "fnhost:/node_modules/undici/mock.js",
            include_str!("../../adaptors/undici/mock.js"),
        ),
        (
            "fnhost:/node_modules/undici/fetch.js",
            include_str!("../../adaptors/undici/fetch.js"),
        ),
        (
            "fnhost:/node_modules/pg/index.js",
            include_str!("../../adaptors/pg/index.js"),
        ),
        (
            "fnhost:/node_modules/pg/client.js",
            include_str!("../../adaptors/pg/client.js"),
        ),
        (
            "fnhost:/node_modules/pg/errors.js",
            include_str!("../../adaptors/pg/errors.js"),
        ),
        (
            "fnhost:/node_modules/pg/parameters.js",
            include_str!("../../adaptors/pg/parameters.js"),
        ),
        (
            "fnhost:/node_modules/pg/pool.js",
            include_str!("../../adaptors/pg/pool.js"),
        ),
        (
            "fnhost:/node_modules/pg/types.js",
            include_str!("../../adaptors/pg/types.js"),
        ),
        (
            "fnhost:/node_modules/pg/values.js",
            include_str!("../../adaptors/pg/values.js"),
        ),
        (
            "fnhost:/node_modules/pg/lib/result.js",
            include_str!("../../adaptors/pg/lib/result.js"),
        ),
        (
            "fnhost:/node_modules/pg/lib/utils.js",
            include_str!("../../adaptors/pg/lib/utils.js"),
        ),
        (
            "fnhost:/node_modules/xml2js/index.js",
            include_str!("../../adaptors/xml2js/index.js"),
        ),
        (
            "fnhost:/node_modules/xml2js/parser.js",
            include_str!("../../adaptors/xml2js/parser.js"),
        ),
        (
            "fnhost:/node_modules/fast-xml-parser/index.js",
            include_str!("../../adaptors/fast-xml-parser/index.js"),
        ),
        (
            "fnhost:/node_modules/fast-xml-parser/esm.js",
            include_str!("../../adaptors/fast-xml-parser/esm.js"),
        ),
        (
            "fnhost:/node_modules/fast-xml-parser/bridge.js",
            include_str!("../../adaptors/fast-xml-parser/bridge.js"),
        ),
        (
            "fnhost:/node_modules/fast-xml-parser/builder.js",
            include_str!("../../adaptors/fast-xml-parser/builder.js"),
        ),
        (
            "fnhost:/node_modules/fast-xml-parser/parser.js",
            include_str!("../../adaptors/fast-xml-parser/parser.js"),
        ),
        (
            "fnhost:/node_modules/xml2js/builder.js",
            include_str!("../../adaptors/xml2js/builder.js"),
        ),
        (
            "fnhost:/node_modules/js2xmlparser/index.js",
            include_str!("../../adaptors/js2xmlparser/index.js"),
        ),
        (
            "fnhost:/node_modules/js2xmlparser/parse.js",
            include_str!("../../adaptors/js2xmlparser/parse.js"),
        ),
    ];

    /// Packages whose bridge stands in for the installed real package, from the versions of it
    /// (and of the packages it parses with) the bridge reproduces; the bridge runs the real one
    /// for what it does not.
    const OVER_REAL: &[RealPackage] = &[
        RealPackage {
            name: "xml2js",
            entry: "fnhost:/node_modules/xml2js/index.js",
            esm_entry: None,
            covered: &[Covered {
                versions: "0.6.x",
                // xml2js parses with whatever sax npm gave it (">=0.6.0"); the bridge
                // reproduces 1.6. Its Builder (the same lib/builder.js in 0.6.0 to 0.6.2) builds
                // with xmlbuilder "~11.0.0" (11.0.0 and 11.0.1 have the same lib/)
                uses: &[("sax", "1.6.x"), ("xmlbuilder", "11.0.x")],
                required_too: true,
            }],
        },
        RealPackage {
            name: "fast-xml-parser",
            entry: "fnhost:/node_modules/fast-xml-parser/index.js",
            esm_entry: Some("fnhost:/node_modules/fast-xml-parser/esm.js"),
            covered: &[
                // 4.x parses numbers with strnum (^1.1.1)
                Covered {
                    versions: "4.5.7",
                    uses: &[("strnum", "1.1.x")],
                    required_too: true,
                },
                // 5.x imports its builder and parts of its parser from packages of their own;
                // `require` gets a bundle with copies of its own, which the bridge has not been
                // checked against
                Covered {
                    versions: "5.12.1",
                    uses: &[
                        ("fast-xml-builder", "1.3.x"),
                        ("strnum", "2.5.x"),
                        ("@nodable/entities", "3.1.x"),
                        ("path-expression-matcher", "1.6.x"),
                        ("is-unsafe", "2.0.x"),
                        ("xml-naming", "0.3.x"),
                    ],
                    required_too: false,
                },
            ],
        },
        // js2xmlparser 5 (CommonJS) builds with xmlcreate ("^2.0.4"), checked at 2.0.4. 1.0.0
        // (what OpenFn's commcare adaptor resolves) is another library: a function with other
        // options and other output, left to the real package
        RealPackage {
            name: "js2xmlparser",
            entry: "fnhost:/node_modules/js2xmlparser/index.js",
            esm_entry: None,
            covered: &[Covered {
                versions: "5.0.x",
                uses: &[("xmlcreate", "2.0.4")],
                required_too: true,
            }],
        },
    ];

    /// A bridge over an installed package: see [`OVER_REAL`].
    struct RealPackage {
        name: &'static str,
        /// The bridge's entry over a CommonJS real package.
        entry: &'static str,
        /// Its entry over an ES module real package, when that has other exports.
        esm_entry: Option<&'static str>,
        covered: &'static [Covered],
    }

    /// Versions of a real package a bridge reproduces.
    struct Covered {
        /// The package's versions (a semver range).
        versions: &'static str,
        /// Packages it runs on, with their versions.
        uses: &'static [(&'static str, &'static str)],
        /// Whether `require` (not only `import`) gets what the bridge reproduces.
        required_too: bool,
    }

    /// Whether `specifier` names a package of [`OVER_REAL`] (exactly: its subpaths are the real
    /// package's files) that is not in `off`.
    pub fn over_real_package(specifier: &str, off: &[String]) -> bool {
        OVER_REAL
            .iter()
            .any(|p| p.name == specifier && !off.iter().any(|o| o == p.name))
    }

    /// The bridge entry for `name` over a real package in `format`.
    pub fn entry_over(name: &str, format: super::ModuleFormat) -> Option<&'static str> {
        let package = OVER_REAL.iter().find(|p| p.name == name)?;
        match (format, package.esm_entry) {
            (super::ModuleFormat::Module, Some(esm)) => Some(esm),
            _ => Some(package.entry),
        }
    }

    /// The version of the real package whose entry point is `entry` (reached by `require` or
    /// by `import`), when the bridge for `name` reproduces it.
    pub fn covers(name: &str, entry: &std::path::Path, required: bool) -> Option<String> {
        let package = OVER_REAL.iter().find(|p| p.name == name)?;
        let root = super::package_root(entry)?;
        let version = version_of(&root)?;
        let covered = package
            .covered
            .iter()
            .find(|c| in_range(&version, c.versions))?;
        if required && !covered.required_too {
            return None;
        }
        let deps_covered = covered.uses.iter().all(|(dep, range)| {
            // Node's lookup from inside the package: its own node_modules, then its parents'
            root.ancestors()
                .map(|dir| dir.join("node_modules").join(dep))
                .find(|dir| dir.join("package.json").is_file())
                .and_then(|dir| version_of(&dir))
                .is_some_and(|v| in_range(&v, range))
        });
        deps_covered.then_some(version)
    }

    fn version_of(dir: &std::path::Path) -> Option<String> {
        let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        json.get("version")?.as_str().map(str::to_string)
    }

    fn in_range(version: &str, range: &str) -> bool {
        let (Ok(version), Ok(range)) = (
            nodejs_semver::Version::parse(version),
            nodejs_semver::Range::parse(range),
        ) else {
            return false;
        };
        range.satisfies(&version)
    }

    /// The bridge URL `specifier` means: a replaced package (`undici`, `undici/lib/...`) unless
    /// it is in `off`, or a relative import between a bridge's own files.
    pub fn resolve(specifier: &str, referrer: &str, off: &[String]) -> Option<String> {
        for (path, url) in SUBPATHS {
            let package = path.split('/').next().unwrap_or(path);
            if off.iter().any(|o| o == package) {
                continue;
            }
            if specifier.strip_suffix(".js").unwrap_or(specifier) == *path {
                return Some(url.to_string());
            }
        }
        for (name, entry) in PACKAGES {
            if off.iter().any(|o| o == name) {
                continue;
            }
            if specifier == *name
                || specifier
                    .strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('/'))
            {
                return Some(entry.to_string());
            }
        }
        if referrer.starts_with("fnhost:/")
            && (specifier.starts_with("./") || specifier.starts_with("../"))
        {
            let base = deno_core::ModuleSpecifier::parse(referrer).ok()?;
            return base.join(specifier).ok().map(|u| u.to_string());
        }
        None
    }

    /// The packages bridges replace.
    pub fn names() -> impl Iterator<Item = &'static str> {
        PACKAGES
            .iter()
            .map(|(name, _)| *name)
            .chain(OVER_REAL.iter().map(|p| p.name))
    }

    /// The source of a bridge file (a query on the URL is the module's own data).
    pub fn source(url: &str) -> Option<&'static str> {
        let url = url.split_once('?').map_or(url, |(path, _)| path);
        FILES.iter().find(|(u, _)| *u == url).map(|(_, s)| *s)
    }
}

#[cfg(test)]
mod tests {
    use super::bridge;

    #[test]
    fn undici_and_its_subpaths_resolve_to_the_bridge() {
        let entry = Some("fnhost:/node_modules/undici/index.js".to_string());
        assert_eq!(bridge::resolve("undici", "/x/index.js", &[]), entry);
        assert_eq!(
            bridge::resolve("undici/lib/mock/mock-agent", "/x/a.js", &[]),
            entry
        );
        assert_eq!(bridge::resolve("undici-types", "/x/a.js", &[]), None);
        // --no-bridge undici: the package resolves as any other
        assert_eq!(
            bridge::resolve("undici", "/x/index.js", &["undici".to_string()]),
            None
        );
        assert_eq!(bridge::resolve("./core.js", "/x/a.js", &[]), None);
        assert_eq!(
            bridge::resolve("./core.js", "fnhost:/node_modules/undici/index.js", &[]),
            Some("fnhost:/node_modules/undici/core.js".to_string())
        );
        assert!(bridge::source("fnhost:/node_modules/undici/index.js").is_some());
        assert!(bridge::source("fnhost:/node_modules/undici/nope.js").is_none());
    }
}
