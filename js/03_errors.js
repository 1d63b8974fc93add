// OpenFn's runtime error classes and the rules that turn a thrown value into one of them.
// Names, severities and enumerable fields match @openfn/runtime, because they are written into
// `state.errors` and users match on them.
import { safeStringify } from "ext:fnhost/02_serialize.js";

/** Resource name of compiled job scripts: the same name Node gives vm modules, so stack frames
 * read as they do under OpenFn. */
export const JOB_FRAME = "vm:module(0)";

/** Reads `{line, column}` from the first stack frame that has one (only job frames if vmOnly). */
export function extractPosition(e, vmOnly = false) {
  if (e && typeof e.stack === "string") {
    const frames = e.stack.split("\n").slice(1);
    for (const frame of frames) {
      const pos = extractPositionForFrame(frame, vmOnly);
      if (pos) return pos;
    }
  }
}

export function extractPositionForFrame(frame, vmOnly = false) {
  if (vmOnly && !frame.includes(JOB_FRAME)) return;
  if (/\d+:\d+/.test(frame)) {
    const parts = frame.split(":");
    const column = parseInt(parts.pop().replace(")", ""));
    const line = parseInt(parts.pop());
    return { column, line };
  }
}

/** Keeps the message line plus job frames and adaptor frames (local paths removed). */
export function extractStackTrace(e) {
  if (e && typeof e.stack === "string") {
    const [message, ...frames] = e.stack.split("\n");
    const kept = [];
    for (const frame of frames) {
      if (frame.includes("vm:module")) kept.push(frame);
      if (frame.includes("@openfn/language-")) {
        kept.push("    " + frame.split(/(@openfn\/language-.*)/)[1]);
      }
    }
    return [message, ...kept].join("\n");
  }
}

const ctorName = (e) => {
  try {
    return (e && e.constructor && e.constructor.name) || "";
  } catch {
    return "";
  }
};

export class RTError extends Error {
  source = "runtime";
  name = "Error";
  pos;
  step;
  fix;
  details;
  constructor() {
    super();
  }
}

export class ValidationError extends RTError {
  severity = "crash";
  name = "ValidationError";
  constructor(message) {
    super();
    this.message = message;
  }
}

export class InvalidExportsError extends RTError {
  severity = "crash";
  name = "ValidationError";
  constructor() {
    super();
    this.message = "Invalid exports in job expression: exports must be an array";
    this.fix = "Ensure job code has been compiled before calling the runtime";
    delete this.stack;
  }
}

export class InvalidOperationError extends RTError {
  severity = "crash";
  name = "ValidationError";
  constructor(idx) {
    super();
    this.message = `Invalid operation at statement ${idx}`;
    this.fix = "Ensure all top-level function or method calls are wrapped in an operation, like fn()";
    delete this.stack;
  }
}

export class RuntimeError extends RTError {
  severity = "fail";
  subtype;
  name = "RuntimeError";
  constructor(error) {
    super();
    this.subtype = ctorName(error);
    this.message = `${this.subtype}: ${error.message}`;
    this.pos = extractPosition(error);
    this.stack = extractStackTrace(error);
  }
}

export class RuntimeCrash extends RTError {
  severity = "crash";
  subtype;
  name = "RuntimeCrash";
  constructor(error) {
    super();
    this.subtype = ctorName(error);
    this.message = `${this.subtype}: ${error.message}`;
    this.pos = extractPosition(error);
    this.stack = extractStackTrace(error);
    if (error.fix) this.fix = error.fix;
    if (error.details) this.details = error.details;
  }
}

export class EdgeConditionError extends RTError {
  severity = "crash";
  name = "EdgeConditionError";
  message;
  constructor(message) {
    super();
    this.message = message;
  }
}

export class InputError extends RTError {
  severity = "crash";
  name = "InputError";
  message;
  constructor(message) {
    super();
    this.message = message;
  }
}

export class AdaptorError extends RTError {
  name = "AdaptorError";
  severity = "fail";
  message = "";
  details;
  line;
  operationName;
  constructor(error, operation) {
    super();
    if (operation) {
      this.operationName = operation.name;
      this.line = operation.line;
      this.stack = extractStackTrace(error);
    } else {
      this.pos = extractPosition(error, true);
      this.stack = extractStackTrace(error);
    }
    let copy = {};
    try {
      copy = JSON.parse(safeStringify(error)) ?? {};
    } catch {
      copy = {};
    }
    this.details = Object.assign({ message: error?.message }, copy);
    if (typeof error === "string") this.message = error;
    else if (error?.message) this.message = error.message;
  }
}

export class JobError extends RTError {
  name = "JobError";
  severity = "fail";
  message = "";
  constructor(error) {
    super();
    if (typeof error === "string") this.message = error;
    else if (error?.message) this.message = error.message;
    // OpenFn leaves the message empty for a thrown number, symbol or plain object; fnhost keeps
    // the value so the failure says what was thrown.
    else if (error !== null && error !== undefined) this.message = describeThrown(error);
  }
}

export class ImportError extends RTError {
  name = "ImportError";
  severity = "crash";
  message;
  constructor(message) {
    super();
    this.message = message;
  }
}

export class SecurityError extends RTError {
  name = "SecurityError";
  severity = "kill";
  message;
  constructor(message) {
    super();
    this.message = message;
  }
}

export class TimeoutError extends RTError {
  name = "TimeoutError";
  severity = "kill";
  message;
  constructor(duration) {
    super();
    this.message = `Job took longer than ${duration}ms to complete`;
  }
}

/** The host could not record durably that a step started (an exactly-once run of
 * `fnhost serve`): the step is not run, and the run stops. */
export class StepNotRecordedError extends RTError {
  name = "StepNotRecordedError";
  severity = "kill";
  message;
  constructor(step) {
    super();
    this.message = `The start of step ${step} could not be recorded, so it was not run`;
  }
}

/** Text for a thrown value that is neither a string nor has a message. */
function describeThrown(value) {
  if (typeof value !== "object" && typeof value !== "function") return String(value);
  try {
    const text = JSON.stringify(value);
    if (typeof text === "string") return text;
  } catch {
    // circular or hostile: fall through
  }
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return "[object]";
  }
}

/** Turns anything a job threw into the OpenFn error it is reported as (same checks, same
 * order as @openfn/runtime; a check that itself throws yields that error, as there). */
export function classifyError(e) {
  if (e === null || e === undefined) {
    const err = new TypeError(`Cannot read properties of ${e} (reading 'name')`);
    err.stack = `TypeError: ${err.message}`;
    return new RuntimeError(err);
  }
  if (typeof e !== "object" && typeof e !== "function") {
    return new JobError(e);
  }
  try {
    if (e.name === "AdaptorError") return e;
    if (e.name === "ImportError") return e;
    if (e.constructor.name?.match(/RangeError|TypeError/)) return new RuntimeError(e);
    if (e.severity === "crash" || e.constructor.name.match(/ReferenceError|SyntaxError/)) {
      return new RuntimeCrash(e);
    }
    if (e.constructor.name === "EvalError") {
      return new SecurityError("Illegal eval statement detected");
    }
    return new JobError(e);
  } catch (err) {
    return err;
  }
}

/** OpenFn's error serialisation into `state.errors`: every enumerable key, errors recursively. */
export function serializeError(error) {
  if (error instanceof Error) {
    const out = {};
    for (const key in error) out[key] = serializeError(error[key]);
    return out;
  }
  return error;
}

/** Ops report Node-style failures as "CODE: message" (src/ops/http.rs, crypto.rs, zlib.rs): this
 * turns such an op error into an Error carrying that `code`; other errors pass through. */
export function errorFromOp(e) {
  const m = /^([A-Z][A-Z0-9_]+): ([\s\S]*)$/.exec(String(e?.message ?? e));
  if (!m) return e;
  const err = new Error(m[2]);
  err.code = m[1];
  return err;
}
