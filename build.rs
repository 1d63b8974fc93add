//! Builds the startup snapshot: the engine's own JavaScript (`js/`) evaluated once at build time
//! so that each run starts from a ready heap instead of parsing and running the bootstrap.

#[path = "src/runtime/extension.rs"]
mod extension;
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
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR")).join("FNHOST_SNAPSHOT.bin");
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
            extensions: {
                let mut all = web::web_extensions();
                all.push(extension::fnhost::init());
                all
            },
            extension_transpiler: None,
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
}
