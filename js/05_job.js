// The OpenFn runtime: runs an execution plan (steps, edges, state passing) and each step's
// compiled job against its state, with @openfn/runtime's semantics for operations, errors,
// timeouts and the final state. Job code runs in a separate restricted realm (op_realm_eval).
import {
  op_job_compile, op_job_deadline_set, op_job_map_position, op_job_step_event, op_job_step_output, op_module_resolve,
  op_realm_eval,
} from "ext:core/ops";
import { createLogger, addSecretsFrom, formatValue } from "ext:fnhost/00_console.js";
import * as timers from "ext:fnhost/01_timers.js";
import { clone } from "ext:fnhost/02_serialize.js";
import {
  AdaptorError, EdgeConditionError, ImportError, InvalidExportsError, InvalidOperationError,
  JOB_FRAME, StepNotRecordedError, TimeoutError, ValidationError, classifyError, extractPositionForFrame, serializeError,
} from "ext:fnhost/03_errors.js";
import { resetModules } from "ext:fnhost/04_require.js";
import { startWebClock } from "ext:fnhost/02_web.js";
import { startNodeProcess } from "ext:fnhost/09_node_host.js";
import { configureProcess, requestedExit } from "ext:fnhost/node/process.js";
import * as openfnRuntime from "ext:fnhost/openfn_runtime.js";

const NULL_STATE = Symbol("null_state");
const createNullState = () => ({ [NULL_STATE]: true });
const isNullState = (s) => typeof s === "object" && s !== null && s[NULL_STATE] === true;
const clearNullState = (s) => { if (typeof s === "object" && s !== null) delete s[NULL_STATE]; };

const edgeConditions = {
  on_job_success: "Boolean(!state?.errors?.[upstreamStepId] ?? true)",
  on_job_failure: "Boolean(state?.errors && state.errors[upstreamStepId])",
  always: "true",
};
edgeConditions.on_upstream_success = edgeConditions.on_job_success;
edgeConditions.on_upstream_fail = edgeConditions.on_job_failure;

/** Evaluates `source` in a fresh restricted realm with the given globals. `import()` there
 * calls `importModule(specifier)`; without one it rejects, as in a `node:vm` context. */
function realmEval(globals, source, importModule) {
  const [ok, value] = op_realm_eval(globals, source, JOB_FRAME, importModule);
  if (!ok) throw value;
  return value;
}

/** Built-ins that would hand job code the means to load or run code outside the job realm's
 * rules; OpenFn's linker refuses every built-in (fnhost keeps the others importable). */
const JOB_REFUSED_BUILTINS = new Set(["vm", "module", "worker_threads"]);

/** `import()` in job code: the same rule as the job's static imports. */
const jobImporter = (step, ctx) => (specifier) => importForJob(String(specifier), step, ctx);

/** `--no-sandbox`: evaluates a job script in the main realm (all globals, eval allowed), the
 * way a plain `import` of the job module would run it. Frames still read `vm:module(0)`. */
function mainRealmEval(source) {
  return (0, eval)(`${source}\n//# sourceURL=${JOB_FRAME}`);
}

/** Compiles an edge condition string into `(state, upstreamStepId) => boolean`, in a realm
 * that sees only `console` and cannot generate code. */
function compileCondition(expression, logger) {
  return realmEval({ console: logger }, `(function (state, upstreamStepId) {\nreturn ${expression}\n})`);
}

/** Checks a plan before anything runs, with @openfn/runtime's rules and messages (unknown start
 * or next step, circular dependency) plus fnhost's own: steps must exist, ids be unique, and
 * `end` name a step. Linear in the plan's size and free of recursion, so a 100,000-step chain
 * validates at once. */
function validatePlan(plan) {
  const steps = plan.workflow?.steps;
  if (!Array.isArray(steps)) throw new ValidationError("The workflow.steps key must be an array");
  if (steps.length === 0) throw new ValidationError("The workflow has no steps: nothing to run");
  steps.forEach((step, i) => {
    if (step === null || typeof step !== "object" || Array.isArray(step)) {
      throw new ValidationError(`Step ${i + 1} must be an object`);
    }
  });
  const byId = Object.create(null);
  for (const s of steps) {
    if (s.id === undefined || s.id === null || s.id === "") continue;
    if (byId[s.id]) throw new ValidationError(`Duplicate step id: ${s.id} (each step needs its own id)`);
    byId[s.id] = s;
  }
  const start = plan.options?.start;
  if (typeof start === "string" && !byId[start]) {
    throw new ValidationError(`Could not find start job: ${start}`);
  }
  const end = plan.options?.end;
  if (typeof end === "string" && !byId[end]) {
    throw new ValidationError(`Could not find end job: ${end}`);
  }
  // OpenFn's model: each step with an id is a node; `next` targets must exist.
  const order = [];
  const down = new Map();
  const ensure = (id) => {
    if (!down.has(id)) {
      down.set(id, []);
      order.push(id);
    }
    return down.get(id);
  };
  for (const step of steps) {
    const targets = step.id ? ensure(step.id) : [];
    if (typeof step.next === "string") {
      if (!byId[step.next]) throw new ValidationError(`Cannot find job: ${step.next}`);
    } else if (step.next && typeof step.next === "object") {
      for (const nextId in step.next) {
        if (!byId[nextId]) throw new ValidationError(`Cannot find job: ${nextId}`);
        targets.push(nextId);
        ensure(nextId);
      }
    }
  }
  assertAcyclic(order, down);
}

/** Reports the first circular dependency the way @openfn/runtime's search does (the first
 * node in model order that lies on a cycle, and the step that leads back to it), in linear
 * time: nodes that cannot be on a cycle are trimmed first (Kahn's algorithm both ways), and
 * only the rest are searched, depth first, with a visited set and an explicit stack. */
function assertAcyclic(order, down) {
  const up = new Map(order.map((id) => [id, []]));
  for (const id of order) for (const n of down.get(id)) up.get(n).push(id);
  const alive = new Set(order);
  const trim = (edgesIn, edgesOut) => {
    const degree = new Map(order.map((id) => [id, 0]));
    for (const id of alive) for (const n of edgesIn.get(id)) if (alive.has(n)) degree.set(id, degree.get(id) + 1);
    const queue = [...alive].filter((id) => degree.get(id) === 0);
    while (queue.length) {
      const id = queue.pop();
      if (!alive.delete(id)) continue;
      for (const n of edgesOut.get(id)) {
        if (!alive.has(n)) continue;
        degree.set(n, degree.get(n) - 1);
        if (degree.get(n) === 0) queue.push(n);
      }
    }
  };
  trim(up, down);
  trim(down, up);
  if (!alive.size) return;
  for (const target of order) {
    if (!alive.has(target)) continue;
    const visited = new Set();
    const stack = [[target, 0]];
    while (stack.length) {
      const frame = stack[stack.length - 1];
      const [from, i] = frame;
      const next = down.get(from);
      if (i >= next.length) {
        stack.pop();
        continue;
      }
      frame[1] = i + 1;
      const n = next[i];
      if (n === target) throw new ValidationError(`Circular dependency: ${from} <-> ${target}`);
      if (!visited.has(n) && alive.has(n)) {
        visited.add(n);
        stack.push([n, 0]);
      }
    }
  }
}

function compilePlan(plan, logger) {
  const { workflow, options = {} } = plan;
  let auto = 0;
  const taken = new Set(workflow.steps.map((s) => s.id).filter(Boolean));
  for (const step of workflow.steps) {
    if (step.id) continue;
    step.id = `job-${++auto}`;
    if (taken.has(step.id)) throw new ValidationError(`Duplicate step id: ${step.id} (given to a step without an id; another step already has it)`);
    taken.add(step.id);
  }
  const compiled = {
    workflow: { steps: {}, globals: typeof workflow.globals === "string" ? workflow.globals : undefined, credentials: workflow.credentials },
    options: { ...options, start: options.start ?? workflow.start ?? workflow.steps[0]?.id },
  };
  const errs = [];
  for (const step of workflow.steps) {
    const out = { id: step.id };
    for (const key of ["expression", "state", "configuration", "name", "adaptors", "source"]) {
      if (Object.prototype.hasOwnProperty.call(step, key)) out[key] = step[key];
    }
    if (step.next) {
      if (typeof step.next === "string") {
        out.next = { [step.next]: true };
      } else {
        out.next = {};
        for (const edgeId in step.next) {
          const edge = step.next[edgeId];
          try {
            if (typeof edge === "boolean") out.next[edgeId] = edge;
            else if (typeof edge === "string") out.next[edgeId] = { condition: compileCondition(edgeConditions[edge] ?? edge, logger) };
            else {
              const copy = { ...edge };
              if (typeof edge.condition === "string") copy.condition = compileCondition(edgeConditions[edge.condition] ?? edge.condition, logger);
              out.next[edgeId] = copy;
            }
          } catch (e) {
            errs.push(new Error(`Failed to compile edge condition ${step.id}->${edgeId} (${e.message})`));
          }
        }
      }
    }
    compiled.workflow.steps[step.id] = out;
  }
  if (errs.length) {
    const e = new Error("compilation error");
    e.message = errs.map(({ message }) => message).join("\n\n");
    throw e;
  }
  return compiled;
}

function assembleState(initial = {}, configuration = {}, defaults = {}, globalCredentials = {}) {
  const obj = { ...defaults, ...initial };
  if (initial.references) obj.references = initial.references;
  if (initial.errors) obj.errors = initial.errors;
  const data = initial.data && (Array.isArray(initial.data) || typeof initial.data !== "object")
    ? initial.data
    : Object.assign({}, defaults.data ?? {}, initial.data);
  Object.assign(obj, {
    configuration: Object.assign({}, globalCredentials, initial.configuration, configuration),
    data,
  });
  return obj;
}

/** Applies OpenFn's linker rules to an imported namespace: babel CJS `default.default`, or a
 * lone non-empty `default` object, become the named exports the job sees. */
export function linkNamespace(ns) {
  let target = ns;
  if (ns.__esModule && target.default?.default) {
    target = target.default.default;
  } else if (Object.keys(ns).length === 1 && ns.default && Object.keys(ns.default).length > 0) {
    target = target.default;
  }
  const out = Object.create(null);
  for (const key of Object.keys(target)) out[key] = target[key];
  return out;
}

/** Loads a module a job imports and returns the namespace the job sees. */
async function importForJob(specifier, step, ctx) {
  if (specifier === "@openfn/runtime") return linkNamespace(openfnRuntime);
  const adaptor = (step.adaptors || []).find((a) => a.name === specifier);
  let url;
  if (adaptor) url = adaptor.url;
  else if (specifier.startsWith("/") && specifier.endsWith(".js")) url = "file://" + specifier;
  else url = ctx.resolveJobImport(specifier);
  if (!url) throw new ImportError(`Failed to import module "${specifier}"`);
  let ns;
  try {
    ns = await import(url);
  } catch (e) {
    const path = url.startsWith("file://") ? decodeURIComponent(url.slice(7)) : url;
    throw new ImportError(`Failed to import module ${specifier} from ${path} (${e?.message || "reason unknown"})`);
  }
  if (adaptor && specifier.startsWith("@openfn/language-")) {
    ctx.logger.info(`Resolved adaptor ${specifier} to version ${adaptor.version}`);
  }
  return linkNamespace(ns);
}

class SafeBufferPlaceholder {
  constructor() {
    throw new Error("Do not call Buffer() constructor directly. Use Buffer.from() instead.");
  }
}

function makeSafeBuffer() {
  const NodeBuffer = globalThis.Buffer;
  if (typeof NodeBuffer !== "function") return SafeBufferPlaceholder;
  return class SafeBuffer extends NodeBuffer {
    constructor(x) {
      throw new Error("Do not call Buffer() constructor directly. Use Buffer.from() instead.");
      super(x);
    }
  };
}

/** Builds the job realm's globals, as OpenFn's vm context has them (all frozen but state). */
function jobGlobals(state, extra, jobLogger) {
  const globals = {
    ...extra,
    console: jobLogger,
    clearInterval: timers.clearInterval,
    clearTimeout: timers.clearTimeout,
    parseFloat,
    parseInt,
    setInterval: timers.setInterval,
    setTimeout: timers.setTimeout,
    state,
    Buffer: makeSafeBuffer(),
  };
  for (const key in globals) if (key !== "state") Object.freeze(globals[key]);
  return globals;
}

/** Compiles a step's source and loads everything it imports. */
/** Export names of a step's adaptors, as the compiler needs them. */
async function adaptorExports(step, ctx) {
  const adaptors = [];
  for (const adaptor of step.adaptors || []) {
    if (adaptor.error) throw new Error(adaptor.error);
    // OpenFn's compiler takes the names from the adaptor's type declarations; only a package
    // without types is loaded to list what it exports.
    if (Array.isArray(adaptor.declaredExports)) {
      adaptors.push({ specifier: adaptor.name, exports: adaptor.declaredExports });
      continue;
    }
    const ns = await importForJob(adaptor.name, step, ctx);
    adaptors.push({ specifier: adaptor.name, exports: Object.keys(ns) });
  }
  return adaptors;
}

/** A job that does not compile: reported before any step runs, as OpenFn's CLI does. */
class CompileError extends Error {
  name = "CompileError";
  severity = "crash";
}

/** Compiles every step up front, like OpenFn's CLI ("Compiled all expressions in workflow").
 * A step whose adaptor cannot be loaded is left to fail when it runs, as in OpenFn. */
async function compileSteps(ctx, steps) {
  for (const step of Object.values(steps)) {
    if (!step.expression) continue;
    let adaptors;
    try {
      adaptors = await adaptorExports(step, ctx);
    } catch (e) {
      ctx.logger.debug(`Adaptors of ${step.id} not loaded before the run: ${e?.message ?? e}`);
      continue;
    }
    try {
      step.compiled = op_job_compile(step.expression, adaptors, step.name || step.id, ctx.globalNames, !ctx.noCompile);
    } catch (e) {
      throw new CompileError(String(e?.message ?? e));
    }
  }
  if (!ctx.noCompile) createLogger("CLI").success("Compiled all expressions in workflow");
}

async function prepareJob(step, state, ctx) {
  const compiled = step.compiled ??
    op_job_compile(step.expression, await adaptorExports(step, ctx), step.name || step.id, ctx.globalNames, !ctx.noCompile);
  step.compiledId = compiled.id;
  step.operationsMap = compiled.operations;
  const namespaces = [];
  for (const specifier of compiled.imports) namespaces.push(await importForJob(specifier, step, ctx));
  assertBindings(compiled, namespaces);
  const factory = ctx.noSandbox
    ? mainRealmEval(compiled.script)
    : realmEval(jobGlobals(state, ctx.globals, ctx.jobLogger), compiled.script, jobImporter(step, ctx));
  const exports = {};
  await factory(namespaces, exports, (value) => { exports.default = value; });
  const operations = exports.default;
  if (!Array.isArray(operations)) throw new InvalidExportsError();
  operations.forEach((op, idx) => {
    if (typeof op !== "function") throw new InvalidOperationError(idx);
  });
  return { operations, execute: exports.execute };
}

/** Node links a module's named imports before any of its code runs: a name the imported
 * namespace lacks is a SyntaxError then (OpenFn reports it as a RuntimeCrash), not a
 * `TypeError: x is not a function` later. Checked in source order, as Node reports the first. */
function assertBindings(compiled, namespaces) {
  compiled.imports.forEach((specifier, i) => {
    for (const name of compiled.bindings?.[i] ?? []) {
      if (!Object.prototype.hasOwnProperty.call(namespaces[i], name)) {
        const e = new SyntaxError(`The requested module '${specifier}' does not provide an export named '${name}'`);
        // a link error has no position in the job (Node reports it before running anything)
        e.stack = `SyntaxError: ${e.message}`;
        throw e;
      }
    }
  });
}

const defaultExecute = (...operations) => (state) =>
  operations.reduce((acc, operation) => acc.then(operation), Promise.resolve(state));

/** The TypeError @openfn/runtime raises when an operation throws null or undefined. It has no
 * stack frames: its position would be one in the runtime's own code, not in the job. */
function nullishThrow(value) {
  const e = new TypeError(`Cannot read properties of ${value} (reading 'stack')`);
  e.stack = `TypeError: ${e.message}`;
  return e;
}

/** Frames of the files that play @openfn/runtime's role. Every other engine frame (`ext:fnhost/`
 * Node built-ins, timers, the HTTP/crypto/zlib glue, `ext:deno_web/`, `ext:core/`) is what
 * `node:internal/...` is in Node: matched by none of OpenFn's patterns, so skipped. Bridge
 * modules are served as `fnhost:/node_modules/<package>/...` and read as that package. */
const RUNTIME_FRAME = /ext:fnhost\/(05_job|99_main|openfn_runtime)\.js/;

function wrapOperation(fn, ctx, name, index, operationsMap) {
  return async (state) => {
    ctx.logger.debug(`Starting operation ${name}`);
    const start = Date.now();
    if (isNullState(state)) {
      clearNullState(state);
      ctx.logger.warn(`WARNING: No state was passed into operation ${name}. Did the previous operation return state?`);
    }
    let result;
    try {
      result = await fn(state);
    } catch (e) {
      // @openfn/runtime reads `e.stack` here, so a thrown null/undefined fails the step with
      // the TypeError that read raises (a RuntimeError, never a silent success).
      if (e === null || e === undefined) throw nullishThrow(e);
      if (e && typeof e.stack === "string") {
        const containsVMFrame = /at vm:module\(0\)/.test(e.stack);
        const frames = e.stack.split("\n");
        frames.shift();
        let firstFrame;
        do {
          const next = frames.shift();
          if (/@openfn\/runtime/.test(next) || RUNTIME_FRAME.test(next)) break;
          if (/(@openfn\/language-)|(packages\/.+\/dist)|(vm:module)|(node_modules)/.test(next)) {
            firstFrame = next;
            break;
          }
        } while (frames.length);
        if (firstFrame && !/at vm:module\(0\)/.test(firstFrame)) {
          let operation;
          if (!containsVMFrame && operationsMap) operation = operationsMap[index];
          throw new AdaptorError(e, operation);
        }
      }
      throw e;
    }
    if (!result) {
      ctx.logger.debug(`Warning: operation ${name} did not return state`);
      result = createNullState();
    }
    ctx.logger.debug(`Operation ${name} complete in ${Date.now() - start}ms`);
    return result;
  };
}

/** A step's time limit: the workflow's `options.timeout` may lower the host's (`-t`, the
 * Engine's), never raise or disable it. */
function stepTimeout(ctx) {
  const own = ctx.plan.options?.timeout;
  const ceiling = ctx.opts.timeout;
  return typeof own === "number" && own > 0 && own < ceiling ? own : ceiling;
}

async function executeExpression(ctx, step, input) {
  let tid;
  // The JS timer below reports asynchronous overruns; the host's watchdog (a little later)
  // stops synchronous ones, which never give the timer a chance to fire. The host also cuts
  // the window to its own ceiling.
  const timeout = op_job_deadline_set(stepTimeout(ctx));
  try {
    const { operations, execute } = await prepareJob(step, input, ctx);
    const reducer = (execute || defaultExecute)(
      ...operations.map((op, idx) => wrapOperation(op, ctx, `${idx + 1}`, idx, step.operationsMap)),
    );
    ctx.logger.debug(`Executing expression (${operations.length} operations)`);
    const timeoutPromise = new Promise((_, reject) => {
      tid = timers.setTimeout(() => {
        ctx.logger.error(`Error: Timeout expired (${timeout}ms)`);
        const error = new TimeoutError(timeout);
        markReported(error);
        reject({ timeout: error });
      }, timeout);
    });
    const result = await Promise.race([reducer(input), timeoutPromise]);
    ctx.logger.debug("Expression complete!");
    return result;
  } catch (e) {
    if (e && e.timeout instanceof TimeoutError) throw e.timeout;
    throw { state: input, error: classifyError(e) };
  } finally {
    if (tid) timers.clearTimeout(tid);
    // Edge conditions and the next step's loading run in a window of their own.
    op_job_deadline_set(ctx.opts.timeout);
  }
}

function mapErrorPosition(ctx, step, error) {
  if (step.compiledId === undefined) return;
  if (error.pos && error.pos.line && error.pos.column) {
    const mapped = op_job_map_position(step.compiledId, error.pos.line, error.pos.column);
    error.pos = mapped ? { line: mapped.line, column: mapped.column } : {};
    error.step = step.name || step.id;
    // OpenFn finds the source line only when the source map's file name is the step's
    // `${name || id}.js`: true for workflow steps, not for a lone job compiled from its file.
    // The line is always shown in the log; it reaches state.errors only in the first case.
    if (mapped && mapped.src !== undefined && !isNaN(mapped.line)) {
      Object.defineProperty(error.pos, "src", { value: mapped.src, enumerable: !ctx.loneJob, writable: true, configurable: true });
    }
  }
  if (typeof error.stack === "string") {
    error.stack = error.stack.split("\n").map((line, i) => {
      if (i === 0) return line;
      const pos = extractPositionForFrame(line);
      if (!pos || !line.includes(JOB_FRAME)) return line;
      const mapped = op_job_map_position(step.compiledId, pos.line, pos.column);
      return mapped ? line.replace(`${pos.line}:${pos.column}`, `${mapped.line}:${mapped.column}`) : line;
    }).join("\n");
  }
}

/** The crash that ends a run whose code called `process.exit(code)`: where OpenFn's process
 * would have ended with that exit code and no final state. */
function processExitCrash(code) {
  const error = new Error(`process.exit(${code}) was called: the run ends here, as OpenFn's process would`);
  error.name = "ProcessExit";
  error.exitCode = code;
  error.severity = "crash";
  return error;
}

/** Errors already printed to the log (a crash that reaches runPlan's end unreported is
 * printed there, so every crash says why). */
const REPORTED = new WeakSet();

function markReported(error) {
  if (error !== null && (typeof error === "object" || typeof error === "function")) REPORTED.add(error);
}

function reportError(ctx, state, stepId, error) {
  markReported(error);
  const log = ctx.logger;
  log.break();
  if (error.severity === "crash") log.error("CRITICAL ERROR! Aborting execution");
  if (error.pos) {
    if (error.stack) {
      log.error(error.stack);
      log.break();
    } else {
      log.error(error.message, `(${error.pos.line}:${error.pos.column})`);
    }
    // OpenFn shows the source line only when its source map had the step's content (the
    // cases where `src` is also written to state.errors).
    if (error.pos.src && Object.prototype.propertyIsEnumerable.call(error.pos, "src")) {
      const { src } = error.pos;
      const pointer = new Array(src.length).fill(" ");
      pointer[error.pos.column - 1] = "^";
      const prefix = `${error.pos.line}: `;
      log.error("Error occurred at:", error.step ?? "");
      log.error(`${prefix}${src}`);
      log.error(`${prefix.replace(/./g, " ")}${pointer.join("")}`);
    }
  } else if (error.line && error.operationName) {
    log.error(`Error reported by "${error.operationName}()" operation line ${error.line}:`);
    log.error(error.stack ? error.stack : error.message);
  } else {
    log.error(error.message);
  }
  if (error.fix) {
    log.error(error.fix);
    log.break();
  }
  if (error.details) {
    log.error("Additional error details:");
    log.error(formatValue(error.details));
    log.break();
  }
  if (error.severity === "fail") {
    state.errors ??= {};
    state.errors[stepId] = serializeError(error);
    log.error(`Check state.errors.${stepId} for details`);
  }
}

function calculateNext(step, result, ctx) {
  const next = [];
  for (const nextId in step.next || {}) {
    const edge = step.next[nextId];
    if (!edge) continue;
    if (typeof edge === "object") {
      if (edge.disabled || !edge.condition) continue;
      if (typeof edge.condition === "function") {
        let ok;
        try {
          ok = edge.condition(result, step.id);
        } catch (e) {
          throw new EdgeConditionError(e.message);
        }
        if (!ok) {
          ctx.logger.debug(`Edge condition returned false; ${nextId} will NOT be executed`);
          continue;
        }
        ctx.logger.debug(`Edge condition returned true; ${nextId} will be executed next`);
      }
    }
    next.push(nextId);
  }
  return next;
}

function prepareFinalState(state, ctx) {
  if (isNullState(state)) return undefined;
  if (state) {
    const removed = [];
    for (const prop of ["configuration"]) {
      if (Object.prototype.hasOwnProperty.call(state, prop)) {
        delete state[prop];
        removed.push(prop);
      }
    }
    if (removed.length) ctx.logger.debug(`Cleaning up state. Removing keys: ${removed.join(", ")}`);
    return clone(state);
  }
  return state;
}

/** Runs one step. `owned`: the input is a copy no one else holds (the previous step's cleaned
 * result, passed to this step alone), so OpenFn's defensive clone of it would copy a copy.
 * Its result is `owned` when it is such a copy again. */
async function executeStep(ctx, step, input = {}, owned = false) {
  let result = input;
  let next = [];
  let didError = false;
  let fresh = owned;
  if (step.expression) {
    const jobName = step.name || step.id;
    // the clone is skipped only for a value that already went through it (clone is idempotent
    // on its own output; not on freshly parsed input, where it turns 1e400 into null)
    const copy = owned ? input : clone(input);
    fresh = true;
    // `--raw-state` hands the input over as it is; OpenFn assembles data/configuration.
    const state = ctx.rawState
      ? copy
      : assembleState(copy, step.configuration, step.state, ctx.plan.workflow.credentials);
    // The step's configuration, wherever it came from (state file, --credentials, the
    // workflow), never reaches a log line.
    addSecretsFrom(step.configuration);
    addSecretsFrom(state?.configuration);
    ctx.logger.info(`Starting step ${jobName}`);
    const started = Date.now();
    // the host may refuse: it records the start first (exactly-once runs) and could not
    if (!op_job_step_event("start", step.id, true)) throw new StepNotRecordedError(step.id);
    try {
      result = await executeExpression(ctx, step, state);
    } catch (e) {
      didError = true;
      op_job_step_event("end", step.id, false);
      if (e && Object.prototype.hasOwnProperty.call(e, "error") && Object.prototype.hasOwnProperty.call(e, "state")) {
        const { error } = e;
        ctx.logger.error(`${jobName} aborted with error (${Date.now() - started}ms)`);
        result = prepareFinalState(e.state, ctx);
        mapErrorPosition(ctx, step, error);
        reportError(ctx, result, step.id, error);
        next = calculateNext(step, result, ctx);
        if (error.severity === "crash" || error.severity === "kill") throw error;
      } else {
        throw e;
      }
    }
    if (!didError) {
      op_job_step_event("end", step.id, true);
      ctx.logger.success(`${jobName} completed in ${Date.now() - started}ms`);
      result = prepareFinalState(result, ctx);
      // OpenFn's job-complete notification: the CLI caches the step's output (--cache-steps)
      if (ctx.opts.stepOutput) op_job_step_output(step.id, String(JSON.stringify(result)));
      next = calculateNext(step, result, ctx);
    }
  } else {
    ctx.logger.debug(`Step ${step.id} has no expression: passing state through`);
    next = calculateNext(step, result, ctx);
  }
  return { next, state: result, fresh };
}

/** Runs a plan. `plan.workflow.steps[i].adaptors` are `{name, url, version}` resolved by the host.
 * Resolves to `{ state }` or `{ crash: <serialised error> }`. */
export async function runPlan(planJson, inputJson, optsJson) {
  const opts = JSON.parse(optsJson);
  // ICU resolves an unknown TZ (from --tz or the environment) to no zone at all, and dates
  // would silently be UTC: refuse to run instead. Asking costs ICU's time-zone set-up (~10 ms
  // of a cold start), so the host skips it for TZ=UTC, which ICU always knows.
  if (opts.checkTimeZone !== false && Intl.DateTimeFormat().resolvedOptions().timeZone === undefined) {
    return { crash: { name: "TimeZoneError", message: "unknown time zone" } };
  }
  const plan = JSON.parse(planJson);
  const input = inputJson == null ? undefined : JSON.parse(inputJson);
  // the text of a big state is garbage from here on (this frame would keep it for the whole run)
  inputJson = undefined;
  if (!opts.keepModules) resetModules();
  startWebClock();
  // process.env holds only the variables the host allowed (none by default)
  configureProcess({ env: opts.env ?? {} });
  // node:process's per-run half, after the environment is known (Deno's modules read it)
  startNodeProcess();
  const logger = createLogger("R/T");
  const jobLogger = createLogger("JOB");
  const ctx = {
    opts,
    logger,
    jobLogger,
    globals: {},
    globalNames: [],
    resolveJobImport: (specifier) => {
      try {
        const r = op_module_resolve(specifier, opts.basePath, false);
        if (r.kind === "builtin") {
          return JOB_REFUSED_BUILTINS.has(r.name) && !ctx.noSandbox ? undefined : `node:${r.name}`;
        }
        if (r.kind === "url") return r.url;
        // Like OpenFn's linker, only packages installed in the repo itself are importable.
        const repoModules = opts.basePath.slice(0, opts.basePath.lastIndexOf("/")) + "/node_modules/";
        if (!r.path.startsWith(repoModules)) return undefined;
        return "file://" + r.path.split("/").map(encodeURIComponent).join("/");
      } catch {
        return undefined;
      }
    },
  };
  try {
    let compiled;
    try {
      validatePlan(plan);
      compiled = compilePlan(plan, logger);
    } catch (e) {
      logger.error("Error validating execution plan");
      logger.error(e.message ?? String(e));
      logger.error("Aborting");
      markReported(e);
      throw e;
    }
    ctx.plan = compiled;
    ctx.loneJob = plan.fnhost?.loneJob === true;
    ctx.noCompile = plan.fnhost?.noCompile === true;
    ctx.noSandbox = plan.fnhost?.noSandbox === true;
    ctx.rawState = plan.fnhost?.rawState === true;
    if (compiled.workflow.globals) {
      const step = { id: "globals", expression: compiled.workflow.globals, adaptors: [] };
      const compiledGlobals = op_job_compile(step.expression, [], "globals", [], !ctx.noCompile);
      const namespaces = [];
      for (const s of compiledGlobals.imports) namespaces.push(await importForJob(s, step, ctx));
      const exports = {};
      await realmEval(jobGlobals({}, {}, jobLogger), compiledGlobals.script, jobImporter(step, ctx))(namespaces, exports, (value) => { exports.default = value; });
      delete exports.default;
      ctx.globals = exports;
      ctx.globalNames = Object.keys(exports);
    }
    await compileSteps(ctx, compiled.workflow.steps);
    logger.info(`Executing ${plan.workflow.name || plan.id || "workflow"}`);
    const { workflow, options } = compiled;
    const leaves = {};
    const queue = [{ stepName: options.start, input, owned: false }];
    const counts = {};
    while (queue.length) {
      const { stepName, input: prev, owned } = queue.shift();
      const step = workflow.steps[stepName];
      counts[stepName] = isNaN(counts[stepName]) ? 0 : counts[stepName] + 1;
      const stepId = counts[stepName] === 0 ? stepName : `${step.id}-${counts[stepName]}`;
      const result = await executeStep(ctx, step, prev, owned);
      const exit = requestedExit();
      if (exit) throw processExitCrash(exit.code);
      const exitEarly = options.end === stepName;
      if (result.state && (exitEarly || !result.next.length)) leaves[stepId] = result.state;
      if (exitEarly) break;
      const next = result.next ?? [];
      // a result passed to one next step only is that step's own
      for (const n of next) queue.push({ stepName: n, input: result.state, owned: result.fresh && next.length === 1 });
    }
    const final = Object.keys(leaves).length > 1 ? leaves : Object.values(leaves)[0];
    const errors = final && typeof final === "object" && final.errors ? JSON.stringify(final.errors) : null;
    return { state: final === undefined ? null : JSON.stringify(final, null, 2), errors };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    // Every crash says why: one the runtime has not reported yet (an edge condition that
    // throws, a bad plan or input, an engine fault) is printed with its name and message.
    if (!REPORTED.has(e) && error.name !== "CompileError") {
      logger.break();
      logger.error("CRITICAL ERROR! Aborting execution");
      logger.error(`${error.name}: ${error.message}`);
      if (error.fix) logger.error(error.fix);
      logger.debug(error.stack ?? "");
    }
    return { crash: { ...serializeError(error), name: error.name, message: error.message, stack: error.stack } };
  } finally {
    timers.clearAllTimers();
  }
}
