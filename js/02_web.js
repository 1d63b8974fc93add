// Web platform globals, as Node 24 has them, from deno_web (URL, encoding, events, abort,
// streams, Blob/File, MessageChannel, structuredClone, performance, base64, compression).
// `window`, `document` and `navigator` are deliberately absent: libraries use them to switch to
// browser code paths.
const core = globalThis.Deno.core;
const load = (name) => core.loadExtScript(`ext:deno_web/${name}.js`);

const url = load("00_url");
const domException = load("01_dom_exception");
const event = load("02_event");
const clone = load("02_structured_clone");
const abort = load("03_abort_signal");
const base64 = load("05_base64");
const streams = load("06_streams");
const encoding = load("08_text_encoding");
const file = load("09_file");
const messagePort = load("13_message_port");
const compression = load("14_compression");
const perf = load("15_performance");

// Node's default abort reason is "This operation was aborted" (deno_web: "The signal has been
// aborted"); fetch and undici surface it as the error of an aborted request.
const nodeAbortReason = () => new domException.DOMException("This operation was aborted", "AbortError");
const controllerAbort = abort.AbortController.prototype.abort;
Object.defineProperty(abort.AbortController.prototype, "abort", {
  value: function abort(reason) {
    return controllerAbort.call(this, reason === undefined ? nodeAbortReason() : reason);
  },
  writable: true,
  configurable: true,
});
const signalAbortStatic = abort.AbortSignal.abort;
Object.defineProperty(abort.AbortSignal, "abort", {
  value: function abort(reason) {
    return signalAbortStatic.call(this, reason === undefined ? nodeAbortReason() : reason);
  },
  writable: true,
  configurable: true,
});

/** Node's URL: deno_web's, with Node's `code` on parse errors (adaptors check it). */
class URL extends url.URL {
  constructor(input, base) {
    try {
      if (base === undefined) super(input);
      else super(input, base);
    } catch (e) {
      if (e instanceof TypeError) {
        e.code = "ERR_INVALID_URL";
        e.input = String(input);
        if (base !== undefined) e.base = String(base);
      }
      throw e;
    }
  }
}

/** Called when a run starts: `performance.timeOrigin` is the run's start, not the snapshot's. */
export function startWebClock() {
  perf.setTimeOrigin();
}

/** The web platform classes and functions, for modules that need them directly. */
export const web = {
  URL,
  URLSearchParams: url.URLSearchParams,
  DOMException: domException.DOMException,
  Event: event.Event,
  EventTarget: event.EventTarget,
  CustomEvent: event.CustomEvent,
  MessageEvent: event.MessageEvent,
  ErrorEvent: event.ErrorEvent,
  CloseEvent: event.CloseEvent,
  ProgressEvent: event.ProgressEvent,
  PromiseRejectionEvent: event.PromiseRejectionEvent,
  AbortController: abort.AbortController,
  AbortSignal: abort.AbortSignal,
  structuredClone: clone.structuredClone,
  atob: base64.atob,
  btoa: base64.btoa,
  ReadableStream: streams.ReadableStream,
  ReadableStreamDefaultReader: streams.ReadableStreamDefaultReader,
  ReadableStreamBYOBReader: streams.ReadableStreamBYOBReader,
  ReadableStreamBYOBRequest: streams.ReadableStreamBYOBRequest,
  ReadableByteStreamController: streams.ReadableByteStreamController,
  ReadableStreamDefaultController: streams.ReadableStreamDefaultController,
  WritableStream: streams.WritableStream,
  WritableStreamDefaultWriter: streams.WritableStreamDefaultWriter,
  WritableStreamDefaultController: streams.WritableStreamDefaultController,
  TransformStream: streams.TransformStream,
  TransformStreamDefaultController: streams.TransformStreamDefaultController,
  ByteLengthQueuingStrategy: streams.ByteLengthQueuingStrategy,
  CountQueuingStrategy: streams.CountQueuingStrategy,
  TextEncoder: encoding.TextEncoder,
  TextDecoder: encoding.TextDecoder,
  TextEncoderStream: encoding.TextEncoderStream,
  TextDecoderStream: encoding.TextDecoderStream,
  Blob: file.Blob,
  File: file.File,
  MessageChannel: messagePort.MessageChannel,
  MessagePort: messagePort.MessagePort,
  CompressionStream: compression.CompressionStream,
  DecompressionStream: compression.DecompressionStream,
  performance: perf.performance,
  Performance: perf.Performance,
  PerformanceEntry: perf.PerformanceEntry,
  PerformanceMark: perf.PerformanceMark,
  PerformanceMeasure: perf.PerformanceMeasure,
  PerformanceObserver: perf.PerformanceObserver,
  PerformanceObserverEntryList: perf.PerformanceObserverEntryList,
};

/** Installs the web globals on the main realm (non-enumerable, like Node's). */
export function installWebGlobals() {
  for (const [name, value] of Object.entries(web)) {
    if (value === undefined) continue;
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
  if (typeof globalThis.queueMicrotask !== "function") {
    Object.defineProperty(globalThis, "queueMicrotask", {
      value: (cb) => core.queueMicrotask(cb),
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  // Event dispatch needs to know the global object.
  event.saveGlobalThisReference?.(globalThis);
}
