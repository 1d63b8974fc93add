// node:events -- EventEmitter semantics, once/on helpers, errors.
import EventEmitter, { once, on, errorMonitor, getEventListeners, listenerCount } from "node:events";
import { inherits } from "node:util";

export default [
  async (state) => {
    const log = [];
    const e = new EventEmitter();
    e.on("newListener", (name) => log.push(`new:${String(name)}`));
    const a = (x) => log.push(`a:${x}`);
    const b = (x) => log.push(`b:${x}`);
    e.on("x", a);
    e.prependListener("x", b);
    e.once("x", (x) => log.push(`once:${x}`));
    e.emit("x", 1);
    e.emit("x", 2);
    e.off("x", a);
    e.emit("x", 3);
    const names = e.eventNames().map(String);
    const counts = [e.listenerCount("x"), listenerCount(e, "x"), e.listeners("x").length, e.rawListeners("x").length, getEventListeners(e, "x").length];
    e.removeAllListeners("x");
    const afterRemove = e.listenerCount("x");
    let unhandled;
    try {
      e.emit("error", "not an error");
    } catch (err) {
      unhandled = [err.code, err.message, err.context];
    }
    let thrown;
    try {
      e.emit("error", new Error("plain"));
    } catch (err) {
      thrown = err.message;
    }
    const monitored = [];
    e.on(errorMonitor, (err) => monitored.push(err.message));
    e.on("error", (err) => monitored.push(`handled ${err.message}`));
    e.emit("error", new Error("m"));
    const p = once(e, "ready");
    setTimeout(() => e.emit("ready", 1, 2), 1);
    const onceArgs = await p;
    const rejected = once(e, "never");
    setTimeout(() => e.emit("error", new Error("via once")), 1);
    let onceErr;
    try {
      await rejected;
    } catch (err) {
      onceErr = err.message;
    }
    const iterated = [];
    const it = on(e, "tick");
    setTimeout(() => {
      e.emit("tick", "a");
      e.emit("tick", "b");
    }, 1);
    for await (const [v] of it) {
      iterated.push(v);
      if (iterated.length === 2) break;
    }
    function Legacy() {
      EventEmitter.call(this);
      this.name = "legacy";
    }
    inherits(Legacy, EventEmitter);
    const l = new Legacy();
    let legacyGot;
    l.on("go", function () {
      legacyGot = this.name;
    });
    l.emit("go");
    const m = new EventEmitter();
    m.setMaxListeners(1);
    m.on("z", () => {});
    m.on("z", () => {});
    let badListener;
    try {
      m.on("z", "nope");
    } catch (err) {
      badListener = [err.code, err.message];
    }
    return {
      ...state,
      data: {
        log, names, counts, afterRemove, unhandled, thrown, monitored, onceArgs, onceErr, iterated, legacyGot,
        maxes: [m.getMaxListeners(), EventEmitter.defaultMaxListeners, new EventEmitter().getMaxListeners()],
        badListener,
        statics: [typeof EventEmitter.EventEmitter, EventEmitter.EventEmitter === EventEmitter, typeof EventEmitter.once, String(errorMonitor), EventEmitter.captureRejections],
        emitReturn: [new EventEmitter().emit("none"), e.emit("error", new Error("x"))],
      },
    };
  },
];
