//! Per-adaptor startup snapshots: the engine's snapshot plus one installed adaptor's module graph
//! already evaluated, so a run of a language-common job does not parse and evaluate lodash,
//! date-fns, ajv, … again.
//!
//! On first use of an installed adaptor version, fnhost starts itself as a child process
//! (`fnhost __adaptor-snapshot`: V8 makes snapshots only in a process initialised for it),
//! which loads the adaptor and writes the snapshot to the cache — under a temporary name, then
//! renamed, so concurrent writers never leave a torn file. Every run deserialises its own copy:
//! module-level state is fresh per run, exactly as if the adaptor had just been imported. The
//! cache key holds the adaptor's name, version, entry and `package.json`, the engine snapshot's
//! digest (fnhost build) and V8's version. Only adaptors installed in the repo qualify: a local
//! `-a name=PATH` package may change between runs.

use std::collections::HashMap;
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Mutex;
use std::time::Duration;

use deno_core::{JsRuntimeForSnapshot, ModuleSpecifier, RuntimeOptions};

use super::loader::{NodeModuleLoader, NodeModules};

/// The hidden subcommand that builds one snapshot.
pub const SUBCOMMAND: &str = "__adaptor-snapshot";

/// Where snapshots are cached: `$FNHOST_SNAPSHOT_DIR`, else `<cache>/fnhost/snapshots`.
fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("FNHOST_SNAPSHOT_DIR") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("fnhost").join("snapshots")
}

/// The installed package directory of `entry` when it lies in `<repo>/node_modules/<pkg>/`.
fn installed_package(entry: &Path, repo_dir: &Path) -> Option<PathBuf> {
    let modules = std::fs::canonicalize(repo_dir.join("node_modules")).ok()?;
    let entry = std::fs::canonicalize(entry).ok()?;
    let rest = entry.strip_prefix(&modules).ok()?;
    let mut parts = rest.components();
    let first = parts.next()?.as_os_str().to_str()?.to_string();
    let dir = if first.starts_with('@') {
        modules.join(&first).join(parts.next()?.as_os_str())
    } else {
        modules.join(&first)
    };
    dir.join("package.json").is_file().then_some(dir)
}

/// The cache file for the adaptor whose entry module is `entry_url`, or `None` when it does
/// not qualify (not installed in `repo_dir`).
pub fn cache_file(entry_url: &str, repo_dir: &Path) -> Option<PathBuf> {
    let entry = ModuleSpecifier::parse(entry_url)
        .ok()?
        .to_file_path()
        .ok()?;
    let package = installed_package(&entry, repo_dir)?;
    let manifest = std::fs::read(package.join("package.json")).ok()?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    entry_url.hash(&mut hasher);
    manifest.hash(&mut hasher);
    super::SNAPSHOT_DIGEST.hash(&mut hasher);
    deno_core::v8::VERSION_STRING.hash(&mut hasher);
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    let name = package.file_name()?.to_string_lossy().into_owned();
    Some(cache_dir().join(format!("{name}-{:016x}.bin", hasher.finish())))
}

/// Snapshots already read by this process (leaked once each: V8 wants `'static` bytes).
static LOADED: Mutex<Option<HashMap<PathBuf, &'static [u8]>>> = Mutex::new(None);

/// The snapshot for the adaptor at `entry_url`, building it on first use. `None` when the
/// adaptor does not qualify or its snapshot cannot be made (the run then loads it as usual).
pub fn load_or_build(entry_url: &str, repo_dir: &Path) -> Option<&'static [u8]> {
    let file = cache_file(entry_url, repo_dir)?;
    let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
    let loaded = loaded.get_or_insert_with(HashMap::new);
    if let Some(bytes) = loaded.get(&file) {
        return Some(bytes);
    }
    let mut mapped = map_checked(&file);
    if mapped.is_none() {
        // missing, or damaged (truncated, overwritten): V8 would crash on a damaged file or run
        // what it misreads, so it goes and is built again
        let _ = std::fs::remove_file(&file);
        // an adaptor that cannot be snapshotted is remembered, not retried on every run
        let refused = file.with_extension("refused");
        if refused.exists() {
            return None;
        }
        if build_in_child(entry_url, repo_dir, &file).is_none() {
            let _ = std::fs::write(&refused, "");
            return None;
        }
        mapped = map_checked(&file);
    }
    let (map, len) = mapped?;
    let map: &'static memmap2::Mmap = Box::leak(Box::new(map));
    let bytes = &map[..len];
    loaded.insert(file, bytes);
    Some(bytes)
}

/// What ends every cached snapshot file: the snapshot's length (8 bytes) and CRC-32 (4 bytes),
/// little-endian, then this tag.
const TRAILER_TAG: &[u8; 4] = b"fnS1";
const TRAILER_LEN: usize = 16;

/// The snapshot followed by its trailer, as written to the cache.
fn with_trailer(mut snapshot: Vec<u8>) -> Vec<u8> {
    let crc = crc32fast::hash(&snapshot);
    let len = snapshot.len() as u64;
    snapshot.extend_from_slice(&len.to_le_bytes());
    snapshot.extend_from_slice(&crc.to_le_bytes());
    snapshot.extend_from_slice(TRAILER_TAG);
    snapshot
}

/// The snapshot's length in `file`, when its trailer is whole and its checksum matches.
fn checked_len(file: &[u8]) -> Option<usize> {
    let body = file.len().checked_sub(TRAILER_LEN)?;
    let trailer = &file[body..];
    if &trailer[12..] != TRAILER_TAG {
        return None;
    }
    let len = u64::from_le_bytes(trailer[..8].try_into().ok()?);
    let crc = u32::from_le_bytes(trailer[8..12].try_into().ok()?);
    (len == body as u64 && crc32fast::hash(&file[..body]) == crc).then_some(body)
}

/// Maps a cached snapshot into memory (V8 deserialises straight from the page cache, no copy)
/// and checks it: the mapping and the snapshot's length in it.
fn map_checked(file: &Path) -> Option<(memmap2::Mmap, usize)> {
    let f = File::open(file).ok()?;
    // SAFETY: a mapped file must not change underneath. fnhost never writes a snapshot file in
    // place: it writes a temporary file and renames it over (build_in_child), so a concurrent
    // builder replaces the directory entry, not these bytes.
    let map = unsafe { memmap2::Mmap::map(&f) }.ok()?;
    let len = checked_len(&map)?;
    Some((map, len))
}

/// Runs `fnhost __adaptor-snapshot` and waits for it (at most a minute).
fn build_in_child(entry_url: &str, repo_dir: &Path, file: &Path) -> Option<()> {
    let dir = file.parent()?;
    std::fs::create_dir_all(dir).ok()?;
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        file.file_name()?.to_string_lossy(),
        std::process::id()
    ));
    let exe = std::env::current_exe().ok()?;
    let log = File::create(file.with_extension("log")).ok()?;
    let mut child = std::process::Command::new(exe)
        .arg(SUBCOMMAND)
        .arg(entry_url)
        .arg(repo_dir)
        .arg(&temp)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        // why a snapshot was refused is kept beside it (`<name>.log`)
        .stderr(log)
        .spawn()
        .ok()?;
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().ok()? {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_file(&temp);
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    if !status.success() {
        let _ = std::fs::remove_file(&temp);
        return None;
    }
    // rename is atomic: a concurrent builder's identical file may win, either is whole
    std::fs::rename(&temp, file).ok()
}

/// The child process: `fnhost __adaptor-snapshot ENTRY_URL REPO_DIR OUT`. Must run before
/// anything else initialises V8 in this process. Returns the exit code.
pub fn main(args: &[String]) -> i32 {
    let [entry_url, repo_dir, out] = args else {
        eprintln!("usage: fnhost {SUBCOMMAND} ENTRY_URL REPO_DIR OUT");
        return 2;
    };
    match build(entry_url, Path::new(repo_dir)) {
        Ok(bytes) => match std::fs::write(out, with_trailer(bytes)) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("fnhost: cannot write {out}: {e}");
                1
            }
        },
        Err(e) => {
            eprintln!("fnhost: cannot snapshot {entry_url}: {e}");
            1
        }
    }
}

/// Loads and evaluates the adaptor on top of the engine snapshot and returns the new snapshot.
fn build(entry_url: &str, repo_dir: &Path) -> Result<Vec<u8>, String> {
    let url = ModuleSpecifier::parse(entry_url).map_err(|e| e.to_string())?;
    let modules = Rc::new(NodeModules::new(repo_dir.to_path_buf()));
    let mut runtime = JsRuntimeForSnapshot::try_new(RuntimeOptions {
        module_loader: Some(Rc::new(NodeModuleLoader(modules.clone()))),
        // built from the engine's JS, not layered on its snapshot: V8 cannot re-serialise the
        // external strings (the engine's sources) of a deserialised heap
        startup_snapshot: None,
        extensions: super::engine_extensions(),
        extension_transpiler: Some(Rc::new(super::node_transpile::transpile)),
        ..Default::default()
    })
    .map_err(|e| e.to_string())?;
    super::node_host::install(
        &mut runtime.op_state().borrow_mut(),
        super::permissions::container(&Default::default(), &[])?,
        &Default::default(),
    );
    // no watchdog runs here: the build itself is bounded below
    super::install_run_state(&mut runtime, modules, Rc::new(|_, _, _| {}), u64::MAX);
    runtime
        .execute_script("[fnhost:snapshot-tripwires]", TRIPWIRES)
        .map_err(|e| e.to_string())?;
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    tokio.block_on(async {
        let load = async {
            let id = runtime
                .load_side_es_module(&url)
                .await
                .map_err(|e| e.to_string())?;
            let evaluated = runtime.mod_evaluate(id);
            runtime
                .run_event_loop(Default::default())
                .await
                .map_err(|e| e.to_string())?;
            evaluated.await.map_err(|e| e.to_string())
        };
        // an adaptor whose top level never settles (an interval, a pending request) is not
        // snapshotted
        tokio::time::timeout(Duration::from_secs(30), load)
            .await
            .map_err(|_| "its top-level code did not finish within 30 s".to_string())?
    })?;
    let touched = runtime
        .execute_script(
            "[fnhost:snapshot-check]",
            "globalThis.__fnhostTripwires.disarm()",
        )
        .map_err(|e| e.to_string())?;
    let touched = {
        deno_core::scope!(scope, runtime);
        let local = deno_core::v8::Local::new(scope, touched);
        local.to_rust_string_lossy(scope)
    };
    if !touched.is_empty() {
        // the adaptor's top level read the clock or randomness: a snapshot would freeze it
        return Err(format!("its top-level code uses {touched}"));
    }
    Ok(runtime.snapshot().to_vec())
}

/// Installed before the adaptor loads: records whether its top-level code draws randomness
/// or takes the current date as a value (which a snapshot would freeze for every later run).
/// Reading the clock for timing (`Date.now()`, `performance.now()`, as lodash does to tune
/// itself) is allowed. `disarm()` stops recording, puts the originals back and returns what was
/// used, with where.
const TRIPWIRES: &str = r#"(() => {
  const used = new Map();
  let armed = true;
  const where = () => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 4;
    const o = {};
    Error.captureStackTrace?.(o, where);
    Error.stackTraceLimit = limit;
    return String(o.stack ?? "").split("\n")[2]?.trim() ?? "";
  };
  const note = (label) => {
    if (armed && !used.has(label)) used.set(label, where());
  };
  const restore = [];
  const wire = (obj, key, label) => {
    const original = obj?.[key];
    if (typeof original !== "function") return;
    obj[key] = function (...args) {
      note(label);
      return Reflect.apply(original, this, args);
    };
    restore.push(() => { obj[key] = original; });
  };
  wire(Math, "random", "Math.random()");
  wire(globalThis.crypto, "getRandomValues", "crypto.getRandomValues()");
  wire(globalThis.crypto, "randomUUID", "crypto.randomUUID()");
  const RealDate = Date;
  globalThis.Date = new Proxy(RealDate, {
    construct(target, args, newTarget) {
      if (args.length === 0) note("new Date()");
      return Reflect.construct(target, args, newTarget);
    },
    apply(target, self, args) {
      note("Date()");
      return Reflect.apply(target, self, args);
    },
  });
  restore.push(() => { globalThis.Date = RealDate; });
  Object.defineProperty(globalThis, "__fnhostTripwires", {
    configurable: true,
    value: {
      disarm() {
        armed = false;
        for (const undo of restore) undo();
        delete globalThis.__fnhostTripwires;
        return [...used].map(([label, at]) => `${label} ${at}`).join(", ");
      },
    },
  });
})();"#;
