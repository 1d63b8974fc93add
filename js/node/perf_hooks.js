// node:perf_hooks -- `performance` (the global one when the engine has it) and inert observers.
import { monotonicNow } from "ext:fnhost/node/_internal.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

const entries = [];

// computed on first use, never in the snapshot build
let origin;
const getOrigin = () => (origin ??= Date.now() - monotonicNow());

const fallbackPerformance = {
  get timeOrigin() {
    return getOrigin();
  },
  now: () => monotonicNow(),
  mark(name, options) {
    const entry = { name, entryType: "mark", startTime: options?.startTime ?? monotonicNow(), duration: 0, detail: options?.detail ?? null };
    entries.push(entry);
    return entry;
  },
  measure(name, start, end) {
    const find = (n) => entries.findLast?.((e) => e.name === n)?.startTime ?? 0;
    const s = typeof start === "string" ? find(start) : start?.start ?? 0;
    const e = typeof end === "string" ? find(end) : start?.end ?? monotonicNow();
    const entry = { name, entryType: "measure", startTime: s, duration: e - s, detail: start?.detail ?? null };
    entries.push(entry);
    return entry;
  },
  getEntries: () => entries.slice(),
  getEntriesByName: (name, type) => entries.filter((e) => e.name === name && (!type || e.entryType === type)),
  getEntriesByType: (type) => entries.filter((e) => e.entryType === type),
  clearMarks(name) {
    for (let i = entries.length - 1; i >= 0; i--) if (entries[i].entryType === "mark" && (!name || entries[i].name === name)) entries.splice(i, 1);
  },
  clearMeasures(name) {
    for (let i = entries.length - 1; i >= 0; i--) if (entries[i].entryType === "measure" && (!name || entries[i].name === name)) entries.splice(i, 1);
  },
  eventLoopUtilization: () => ({ idle: 0, active: 0, utilization: 0 }),
  timerify: (fn) => fn,
  toJSON() {
    return { timeOrigin: getOrigin() };
  },
};

class PerformanceObserver {
  constructor(callback) {
    this.callback = callback;
  }
  observe() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
  static get supportedEntryTypes() {
    return ["mark", "measure"];
  }
}

function createHistogram() {
  return {
    min: 0, max: 0, mean: 0, stddev: 0, count: 0, exceeds: 0, percentiles: new Map(),
    percentile: () => 0, reset() {}, record() {}, recordDelta() {}, enable: () => true, disable: () => true,
  };
}

defineBuiltin("perf_hooks", () => ({
  performance: globalThis.performance ?? fallbackPerformance,
  PerformanceObserver,
  Performance: class Performance {},
  PerformanceEntry: class PerformanceEntry {},
  PerformanceObserverEntryList: class PerformanceObserverEntryList {
    getEntries() {
      return [];
    }
    getEntriesByName() {
      return [];
    }
    getEntriesByType() {
      return [];
    }
  },
  PerformanceResourceTiming: class PerformanceResourceTiming {},
  PerformanceMark: class PerformanceMark {},
  PerformanceMeasure: class PerformanceMeasure {},
  constants: { NODE_PERFORMANCE_GC_MAJOR: 4, NODE_PERFORMANCE_GC_MINOR: 1, NODE_PERFORMANCE_GC_INCREMENTAL: 8, NODE_PERFORMANCE_GC_WEAKCB: 16, NODE_PERFORMANCE_GC_FLAGS_FORCED: 4 },
  monitorEventLoopDelay: () => createHistogram(),
  createHistogram,
}));

export { fallbackPerformance };
