//! The `fnhost` deno_core extension: every op and every engine JS file, declared once.
//!
//! Compiled into the library and, via `#[path]`, into `build.rs`, which evaluates the JS into the
//! startup snapshot. Reading this list tells you everything the engine offers to JavaScript.

deno_core::extension!(
    fnhost,
    ops = [
        crate::ops::log::op_log_emit,
        crate::ops::modules::op_module_resolve,
        crate::ops::modules::op_module_read,
        crate::ops::job::op_job_compile,
        crate::ops::job::op_job_map_position,
        crate::ops::realm::op_realm_eval,
    ],
    esm_entry_point = "ext:fnhost/99_main.js",
    esm = [
        dir "js",
        "00_console.js",
        "01_timers.js",
        "02_serialize.js",
        "03_errors.js",
        "04_require.js",
        "05_job.js",
        "99_main.js",
        "openfn_runtime.js",
    ],
);
