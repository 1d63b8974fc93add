//! fnhost: an embedded JavaScript job engine that runs OpenFn jobs on V8.
//!
//! The data's path through the crate: [`compile`] (job source → ES module) → [`runtime`]
//! (module + state → final state, on deno_core) with [`ops`] (Rust work the JS asks for);
//! [`workflow`] prepares execution plans, [`repo`] finds adaptors, [`cli`] is the binary.
//! Embedders start with [`Engine`].

pub mod cli;
pub mod compile;
pub mod credentials;
mod engine;
pub mod input;
pub mod ops;
pub mod project;
pub mod repo;
pub mod runs;
pub mod runtime;
pub mod server;
pub mod store;
pub mod triggers;
pub mod workflow;

pub use engine::{
    Edge, Engine, EngineBuilder, Error, Job, Limits, LogLine, Next, PreparedPlan, RunEvent,
    RunHandle, RunOutcome, RunRequest, Step, StepOutputHook, StepStartHook, Work, Workflow,
    WorkflowOptions,
};
pub use runtime::permissions::NetRules;
pub use runtime::{Crash, RunStats, StepStats};
