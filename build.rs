//! Builds the startup snapshot: the engine's own JavaScript (`js/`) evaluated once at build time
//! so that each run starts from a ready heap instead of parsing and running the bootstrap.

#[path = "src/runtime/extension.rs"]
mod extension;
#[allow(dead_code)] // the build registers the extensions; `install` is for runs
#[path = "src/runtime/node_host.rs"]
mod node_host;
#[path = "src/runtime/node_transpile.rs"]
mod node_transpile;
#[allow(dead_code)] // the build only registers the ops; the types are for the library
#[path = "src/ops/mod.rs"]
mod ops;
#[path = "src/runtime/web.rs"]
mod web;

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=js");
    println!("cargo:rerun-if-changed=src/ops");
    println!("cargo:rerun-if-changed=src/runtime/extension.rs");
    println!("cargo:rerun-if-changed=src/runtime/web.rs");
    println!("cargo:rerun-if-changed=src/runtime/node_host.rs");
    println!("cargo:rerun-if-changed=src/runtime/node_transpile.rs");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let residual = write_residual_sources(&out_dir);
    let out = out_dir.join("FNHOST_SNAPSHOT.bin");
    // V8 posts delayed tasks while the node modules evaluate: they need a tokio runtime entered
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime for the snapshot");
    let _entered = tokio.enter();
    let snapshot = deno_core::snapshot::create_snapshot(
        deno_core::snapshot::CreateSnapshotOptions {
            // read when the script runs, not baked in when it compiles: a build script reused
            // from a shared target dir must read this checkout's js/, not another's
            cargo_manifest_dir: Box::leak(
                std::env::var("CARGO_MANIFEST_DIR")
                    .expect("CARGO_MANIFEST_DIR")
                    .into_boxed_str(),
            ),
            startup_snapshot: None,
            skip_op_registration: false,
            extensions: all_extensions(),
            extension_transpiler: Some(std::rc::Rc::new(node_transpile::transpile)),
            with_runtime_cb: Some(Box::new(|runtime| {
                // The loader needs each built-in's export names to generate ES facades.
                let names = runtime
                    .execute_script(
                        "[fnhost:build]",
                        "globalThis.__fnhostModules.builtinExportNames()",
                    )
                    .expect("listing built-in exports");
                deno_core::scope!(scope, runtime);
                let text = names.open(scope).to_rust_string_lossy(scope);
                let dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
                std::fs::write(dir.join("builtin_exports.json"), text)
                    .expect("writing builtin_exports.json");
            })),
        },
        None,
    )
    .expect("creating the startup snapshot");
    std::fs::write(&out, &snapshot.output).expect("writing the startup snapshot");
    // the snapshot's digest keys the per-adaptor snapshots built on top of it
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(&snapshot.output)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::write(out.with_extension("digest"), digest).expect("writing the snapshot digest");
    for file in snapshot.files_loaded_during_snapshot {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    check_lazy_sources(Box::leak(snapshot.output), residual);
}

/// deno_core 0.413 keeps no source for a lazily loaded ES module that the snapshot first
/// evaluated through `core.createLazyLoader(...)()`: a run that later calls one of its functions
/// gets V8 compiling it from other bytes ("SyntaxError: Unexpected identifier"). js/10_node.js
/// imports such modules statically to avoid it. This check keeps that list complete: it starts a
/// runtime from the new snapshot, loads every lazily loaded module and fails the build, naming
/// the module, when an exported function's source text is not JavaScript (neither starts like a
/// function nor parses as one).
fn check_lazy_sources(
    snapshot: &'static [u8],
    residual: [&'static [(&'static str, &'static str)]; 2],
) {
    let mut runtime = deno_core::JsRuntime::new(deno_core::RuntimeOptions {
        startup_snapshot: Some(snapshot),
        extensions: all_extensions(),
        extension_transpiler: Some(std::rc::Rc::new(node_transpile::transpile)),
        residual_lazy_js_sources: residual[0],
        residual_lazy_esm_sources: residual[1],
        ..Default::default()
    });
    let specifiers: Vec<&str> = residual[1].iter().map(|(s, _)| *s).collect();
    let script = format!(
        r#"(() => {{
  const core = globalThis.Deno.core;
  const parses = (text) => [`(${{text}})`, `({{${{text}}}})`].some((code) => {{
    try {{ new Function(code); return true; }} catch {{ return false; }}
  }});
  const bad = [];
  for (const specifier of {list}) {{
    let ns;
    try {{ ns = core.createLazyLoader(specifier)(); }} catch {{ continue; }}
    for (const [name, value] of Object.entries(ns ?? {{}})) {{
      if (typeof value !== "function") continue;
      const text = Function.prototype.toString.call(value);
      const head = /^(async\s*)?(function\b|class\b|\(|[\w$]+\s*=>|get\s|set\s|\*|[\w$#]+\s*\()/.test(text);
      if (!text.includes("[native code]") && !head && !parses(text)) bad.push(`${{specifier}} (${{name}}: ${{JSON.stringify(text.slice(0, 40))}})`);
    }}
  }}
  return bad.join(", ");
}})()"#,
        list = serde_json::to_string(&specifiers).expect("specifier list")
    );
    let bad = runtime
        .execute_script("[fnhost:build-check]", script)
        .expect("checking the lazily loaded modules");
    deno_core::scope!(scope, runtime);
    let bad = bad.open(scope).to_rust_string_lossy(scope);
    assert!(
        bad.is_empty(),
        "the snapshot lost the source of lazily loaded modules it evaluated: {bad}; import them \
         statically in js/10_node.js before the module that loads them"
    );
}

/// The same extension list as the runtime's (src/runtime/mod.rs): web, Node (Deno's), fnhost.
fn all_extensions() -> Vec<deno_core::Extension> {
    let mut all = web::web_extensions();
    all.extend(node_host::node_extensions());
    all.push(extension::fnhost::init());
    all
}

/// With a startup snapshot, deno_core loads the lazily loaded extension sources (most of the
/// node extension's polyfills) only from tables the host gives it: sorted by specifier, ASCII,
/// transpiled. Writes them under `OUT_DIR/residual/` and `residual.rs`, which `include_str!`s them.
fn write_residual_sources(
    out_dir: &std::path::Path,
) -> [&'static [(&'static str, &'static str)]; 2] {
    use deno_core::ModuleName;
    let dir = out_dir.join("residual");
    std::fs::create_dir_all(&dir).expect("creating OUT_DIR/residual");
    let mut tables: [Vec<(&'static str, String)>; 2] = [Vec::new(), Vec::new()];
    for ext in all_extensions() {
        for (kind, files) in [&ext.lazy_loaded_js_files, &ext.lazy_loaded_esm_files]
            .into_iter()
            .enumerate()
        {
            for file in files.iter() {
                let code = file
                    .load()
                    .expect("reading a lazily loaded extension source");
                let (code, _) =
                    node_transpile::transpile(ModuleName::from_static(file.specifier), code)
                        .unwrap_or_else(|e| panic!("transpiling {}: {e}", file.specifier));
                tables[kind].push((file.specifier, node_transpile::to_ascii(code.as_str())));
            }
        }
    }
    let mut rust = String::from("// generated by build.rs (write_residual_sources)\n");
    for (kind, name) in [(0, "RESIDUAL_LAZY_JS"), (1, "RESIDUAL_LAZY_ESM")] {
        let table = &mut tables[kind];
        table.sort_by(|a, b| a.0.cmp(b.0));
        table.dedup_by(|a, b| a.0 == b.0);
        rust.push_str(&format!(
            "/// Lazily loaded extension sources not evaluated in the snapshot.\npub static {name}: &[(&str, &str)] = &[\n"
        ));
        for (i, (specifier, code)) in table.iter().enumerate() {
            let file = format!("{kind}-{i}.js");
            std::fs::write(dir.join(&file), code).expect("writing a residual source");
            rust.push_str(&format!(
                "    ({specifier:?}, include_str!(concat!(env!(\"OUT_DIR\"), \"/residual/{file}\"))),\n"
            ));
        }
        rust.push_str("];\n");
    }
    std::fs::write(out_dir.join("residual.rs"), rust).expect("writing residual.rs");
    tables.map(|table| -> &'static [(&'static str, &'static str)] {
        Box::leak(
            table
                .into_iter()
                .map(|(specifier, code)| (specifier, &*Box::leak(code.into_boxed_str())))
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        )
    })
}
