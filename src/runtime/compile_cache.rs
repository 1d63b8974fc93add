//! Compiled jobs shared by every run in the process: a service that runs the same job many
//! times (the engine's pool, [`crate::Engine::compile`]) compiles it once. The key is
//! everything the compiler reads — the source, the adaptors' export lists, the step name and
//! the names to leave alone — so a hit is exactly what compiling again would give.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::compile::{compile_job, AdaptorInfo, CompileOptions, CompiledJob};

use super::job_script::{module_to_job_script, JobScript};

/// What the compiler reads.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    source: String,
    adaptors: Vec<(String, Vec<String>)>,
    name: String,
    ignore: Vec<String>,
}

/// A compiled job and its job-realm script.
pub struct Compiled {
    /// The ES module with its source map and operation list.
    pub job: CompiledJob,
    /// The module rewritten for the job realm.
    pub script: JobScript,
}

/// At most this many jobs are kept; past it the cache starts again.
const CAPACITY: usize = 256;

static CACHE: Mutex<Option<HashMap<Key, Arc<Compiled>>>> = Mutex::new(None);

/// Compiles `source` for the given adaptors (OpenFn's compiler, then the job-realm rewrite),
/// or returns the earlier result for the same inputs. Errors are not kept.
pub fn compile(
    source: &str,
    adaptors: &[AdaptorInfo],
    name: &str,
    ignore: &[String],
) -> Result<Arc<Compiled>, String> {
    let key = Key {
        source: source.to_string(),
        adaptors: adaptors
            .iter()
            .map(|a| (a.specifier.clone(), a.exports.clone()))
            .collect(),
        name: name.to_string(),
        ignore: ignore.to_vec(),
    };
    if let Some(hit) = CACHE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .and_then(|c| c.get(&key))
    {
        return Ok(hit.clone());
    }
    let options = CompileOptions {
        adaptors: adaptors.to_vec(),
        ignore: ignore.to_vec(),
        name: Some(name.to_string()),
        ..CompileOptions::default()
    };
    let job = compile_job(source, &options).map_err(|e| e.to_string())?;
    let script = module_to_job_script(&job.code)?;
    let compiled = Arc::new(Compiled { job, script });
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    let cache = cache.get_or_insert_with(HashMap::new);
    if cache.len() >= CAPACITY {
        cache.clear();
    }
    cache.insert(key, compiled.clone());
    Ok(compiled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_inputs_give_the_same_compiled_job() {
        let adaptors = vec![AdaptorInfo {
            specifier: "@openfn/language-common".into(),
            exports: vec!["fn".into()],
        }];
        let a = compile("fn(s => s);", &adaptors, "job-1", &[]).unwrap();
        let b = compile("fn(s => s);", &adaptors, "job-1", &[]).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let other = compile("fn(s => s);", &adaptors, "job-2", &[]).unwrap();
        assert!(!Arc::ptr_eq(&a, &other));
        assert!(compile("fn(s => ", &adaptors, "job-1", &[]).is_err());
    }
}
