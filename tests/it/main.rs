//! Integration tests: the `fnhost` binary against behaviour recorded from OpenFn's Node
//! toolchain (`tests/cases/*`, produced by `tests/node/make-expected.mjs`).
//!
//! One test binary (every binary that linked the engine would carry V8); these tests drive the
//! real CLI as a subprocess, the way users run it.

mod adaptor_snapshot;
mod adaptors;
mod author;
mod bad_input;
mod bridge;
mod builtins;
mod cases;
mod cli;
mod cluster;
mod cluster_chaos;
mod cluster_netfault;
mod conformance;
mod examples;
mod filters_pg;
mod fuzz;
mod history_search;
mod history_window;
mod http;
mod node_ext;
mod probes;
mod repo;
mod security;
mod serve;
mod serve_crash;
mod serve_fuzz;
mod serve_harness;
mod support;
mod ui;
mod ui_browser;
mod ui_runs;
mod ui_security;
mod undici;
mod web;
mod xml;
