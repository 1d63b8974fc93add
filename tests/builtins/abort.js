// AbortSignal support in node:timers/promises, node:events, node:stream and node:util.
// (AbortController is not a job global; the main realm's is reached through its Function.)
import EventEmitter, { once, on, addAbortListener } from "node:events";
import { setTimeout as sleep, setInterval as every } from "node:timers/promises";
import { Readable, PassThrough, addAbortSignal, finished } from "node:stream";
import { pipeline } from "node:stream/promises";
import util from "node:util";

const AbortController = EventEmitter.constructor("return AbortController")();
const failure = (e) => [e.name, e.code, e.message];

export default [
  async (state) => {
    const out = {};
    {
      const ac = new AbortController();
      const p = sleep(1000, "never", { signal: ac.signal });
      ac.abort();
      out.sleep = await p.then(() => "resolved", failure);
      const pre = new AbortController();
      pre.abort(new Error("reason"));
      out.sleepPreAborted = await sleep(1, "x", { signal: pre.signal }).then(() => "resolved", (e) => [...failure(e), e.cause?.message]);
    }
    {
      const ac = new AbortController();
      const it = every(1, "t", { signal: ac.signal });
      const got = [];
      try {
        for await (const v of it) {
          got.push(v);
          if (got.length === 2) ac.abort();
        }
      } catch (e) {
        got.push(failure(e));
      }
      out.interval = got;
    }
    {
      const e = new EventEmitter();
      const ac = new AbortController();
      const p = once(e, "x", { signal: ac.signal });
      ac.abort();
      out.once = await p.then(() => "resolved", failure);
      out.onceListeners = e.listenerCount("x") + e.listenerCount("error");
      const ac2 = new AbortController();
      const seen = [];
      setTimeout(() => {
        e.emit("y", 1);
        ac2.abort();
      }, 1);
      try {
        for await (const [v] of on(e, "y", { signal: ac2.signal })) seen.push(v);
      } catch (err) {
        seen.push(failure(err));
      }
      out.on = seen;
      const ac3 = new AbortController();
      const calls = [];
      addAbortListener(ac3.signal, () => calls.push("aborted"));
      ac3.abort();
      out.addAbortListener = calls;
    }
    {
      const ac = new AbortController();
      const r = addAbortSignal(ac.signal, new Readable({ read() {} }));
      const err = new Promise((resolve) => r.on("error", resolve));
      ac.abort();
      out.addAbortSignal = failure(await err).concat(r.destroyed);
      const ac2 = new AbortController();
      const r2 = new Readable({ read() {}, signal: ac2.signal });
      const err2 = new Promise((resolve) => r2.on("error", resolve));
      ac2.abort();
      out.readableSignal = failure(await err2);
      const ac3 = new AbortController();
      const pt = new PassThrough();
      const fin = new Promise((resolve) => finished(pt, { signal: ac3.signal }, (e) => resolve(e ? failure(e) : "ok")));
      ac3.abort();
      out.finished = await fin;
      const ac4 = new AbortController();
      const p = pipeline(new Readable({ read() {} }), new PassThrough(), { signal: ac4.signal });
      ac4.abort();
      out.pipeline = await p.then(() => "resolved", failure);
    }
    {
      const ac = new AbortController();
      const resource = {};
      const p = util.aborted(ac.signal, resource);
      ac.abort();
      out.aborted = await p.then(() => "resolved");
    }
    return { ...state, data: out };
  },
];
