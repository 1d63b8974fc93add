//! Rust work that the engine's JavaScript asks for, one file per area.
//!
//! Ops are self-contained (they only depend on `deno_core` and the types declared here) because
//! `build.rs` compiles this folder a second time to register the same ops in the startup snapshot.

pub mod crypto;
pub mod host;
pub mod http;
pub mod job;
pub mod log;
pub mod modules;
pub mod pg;
pub mod realm;
pub mod xml;
