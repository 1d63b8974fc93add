// node:timers, node:timers/promises, process.nextTick ordering, queueMicrotask.
import timers from "node:timers";
import { setTimeout as sleep, setImmediate as immediate, setInterval as every, scheduler } from "node:timers/promises";
import process from "node:process";
import { promisify } from "node:util";

export default [
  async (state) => {
    const order = [];
    await new Promise((resolve) => {
      timers.setTimeout(() => {
        order.push("timeout");
        process.nextTick(() => order.push("tick-in-timeout"));
        Promise.resolve().then(() => order.push("promise-in-timeout"));
        timers.setTimeout(() => {
          order.push("timeout2");
          resolve();
        }, 5);
      }, 1);
    });
    const slept = await sleep(2, "value");
    const imm = await immediate("imm");
    const ticks = [];
    for await (const v of every(1, "tick")) {
      ticks.push(v);
      if (ticks.length === 3) break;
    }
    const waited = await scheduler.wait(1);
    const t = timers.setTimeout(() => {}, 1000);
    const shape = [typeof t.ref, typeof t.unref, typeof t.hasRef, typeof t.refresh, typeof t[Symbol.toPrimitive]];
    timers.clearTimeout(t);
    let cleared = true;
    const c = timers.setTimeout(() => {
      cleared = false;
    }, 1);
    timers.clearTimeout(c);
    const iv = [];
    await new Promise((resolve) => {
      const h = timers.setInterval(() => {
        iv.push(iv.length);
        if (iv.length === 3) {
          timers.clearInterval(h);
          resolve();
        }
      }, 1);
    });
    await sleep(3);
    let badCb;
    try {
      timers.setTimeout("not a function", 1);
    } catch (e) {
      badCb = [e.name, e.code];
    }
    const nt = [];
    await new Promise((resolve) => {
      timers.setTimeout(() => {
        Promise.resolve().then(() => nt.push("promise"));
        process.nextTick(() => nt.push("tick"));
        queueMicrotask(() => nt.push("microtask"));
        timers.setTimeout(resolve, 2);
      }, 1);
    });
    const promisified = [await promisify(timers.setTimeout)(1, "pv"), await promisify(timers.setImmediate)("iv")];
    return { ...state, data: { promisified, order, slept, imm, ticks, waited: waited === undefined, shape, cleared, iv, badCb, nt, promisesShape: typeof timers.promises.setTimeout } };
  },
];
