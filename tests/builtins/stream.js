// node:stream -- event order, back-pressure, pipe, pipeline, finished, Readable.from, async
// iteration, object mode, Duplex/Transform/PassThrough, helpers, stream/promises.
import stream from "node:stream";
import { pipeline as pipelinePromise, finished as finishedPromise } from "node:stream/promises";
import { Buffer } from "node:buffer";

export default [
  async (state) => {
    const { Readable, Writable, Duplex, Transform, PassThrough, pipeline, finished } = stream;
    const out = {};
    const tick = () => new Promise((r) => setTimeout(r, 5));
    // 1. basic readable flowing + events order
    {
      const log = [];
      const r = new Readable({ read() {} });
      r.on('data', (c) => log.push('data:' + c));
      r.on('end', () => log.push('end'));
      r.on('close', () => log.push('close'));
      r.push('a'); r.push('b'); r.push(null);
      log.push('sync');
      await tick();
      out.flowing = log;
    }
    // 2. paused mode with readable event
    {
      const log = [];
      const r = new Readable({ read() {} });
      r.push('abc'); r.push('def');
      r.on('readable', () => { let c; while ((c = r.read(2)) !== null) log.push(String(c)); log.push('r'); });
      r.on('end', () => log.push('end'));
      setTimeout(() => r.push(null), 1);
      await tick();
      out.paused = log;
    }
    // 3. writable back-pressure
    {
      const log = [];
      const w = new Writable({ highWaterMark: 3, write(chunk, enc, cb) { log.push('w:' + chunk); setTimeout(cb, 1); } });
      log.push(w.write('ab'));
      log.push(w.write('cd'));
      log.push(w.writableLength, w.writableNeedDrain);
      w.on('drain', () => log.push('drain'));
      w.on('finish', () => log.push('finish'));
      w.on('close', () => log.push('close'));
      w.end('e', () => log.push('endcb'));
      await tick(); await tick();
      out.backpressure = log;
    }
    // 4. transform + pipeline
    {
      const log = [];
      const up = new Transform({ transform(c, e, cb) { cb(null, String(c).toUpperCase()); }, flush(cb) { this.push('!'); cb(); } });
      const chunks = [];
      const sink = new Writable({ write(c, e, cb) { chunks.push(String(c)); cb(); } });
      await new Promise((res) => pipeline(Readable.from(['x', 'y', 'z']), up, sink, (err) => { log.push('done:' + (err ? err.message : 'ok')); res(); }));
      out.pipeline = { log, chunks };
    }
    // 5. pipeline error propagation
    {
      const bad = new Transform({ transform(c, e, cb) { cb(new Error('boom')); } });
      const sink = new PassThrough();
      const err = await new Promise((res) => pipeline(Readable.from(['a']), bad, sink, res));
      out.pipelineError = [err?.message, bad.destroyed, sink.destroyed];
    }
    // 6. async iteration
    {
      const got = [];
      for await (const c of Readable.from([1, 2, 3])) got.push(c);
      const r = new Readable({ read() {} }); r.push('hello '); r.push('world'); r.push(null); r.setEncoding('utf8');
      let s = ''; for await (const c of r) s += c;
      out.iter = { got, s };
    }
    // 7. object mode & hwm
    {
      const r = new Readable({ objectMode: true, read() {} });
      out.objmode = [r.readableHighWaterMark, r.readableObjectMode, r.push({ a: 1 }), new Readable({ highWaterMark: 5 }).readableHighWaterMark];
    }
    // 8. finished with premature close
    {
      const r = new Readable({ read() {} });
      const p = new Promise((res) => finished(r, (err) => res(err ? err.code : 'ok')));
      r.destroy();
      out.premature = await p;
      const w = new Writable({ write(c, e, cb) { cb(); } });
      const p2 = new Promise((res) => finished(w, (err) => res(err ? err.code : 'ok')));
      w.end('x');
      out.finishedOk = await p2;
    }
    // 9. pipe with slow dest (back-pressure)
    {
      const log = [];
      let n = 0;
      const src = new Readable({ highWaterMark: 4, read() { n++; if (n > 5) this.push(null); else this.push('xxxx'); } });
      const dst = new Writable({ highWaterMark: 4, write(c, e, cb) { log.push(String(c)); setTimeout(cb, 1); } });
      await new Promise((res) => { dst.on('finish', res); src.pipe(dst); });
      out.pipe = [log.length, n];
    }
    // 10. duplex
    {
      const d = new Duplex({ read() {}, write(c, e, cb) { this.push(String(c).split('').reverse().join('')); cb(); }, final(cb) { this.push(null); cb(); } });
      const got = [];
      d.on('data', (c) => got.push(String(c)));
      d.write('abc'); d.end('xyz');
      await new Promise((res) => d.on('end', res));
      out.duplex = [got, d instanceof Writable, d instanceof Readable, new PassThrough() instanceof Writable];
    }
    // 11. write after end, errors
    {
      const w = new Writable({ write(c, e, cb) { cb(); } });
      w.end();
      const err = await new Promise((res) => { w.on('error', res); w.write('x'); });
      out.writeAfterEnd = [err.code, err.message];
      const r = new Readable({ read() {} });
      let caught;
      try { r.push(5); } catch (e) { caught = e.code; }
      const e2 = await new Promise((res) => r.on('error', res));
      out.badChunk = [caught, e2.code, e2.name];
    }
    // 12. stream/promises + helpers
    {
      out.toArray = await Readable.from([1, 2, 3, 4]).map((x) => x * 2).filter((x) => x > 2).toArray();
      out.reduce = await Readable.from([1, 2, 3]).reduce((a, b) => a + b, 0);
    }
    // 13. pipeline with async generator + async function sink
    {
      let collected = '';
      await new Promise((res, rej) => pipeline(
        Readable.from(['a', 'b']),
        async function* (source) { for await (const c of source) yield c + c; },
        async function (source) { for await (const c of source) collected += c; },
        (err) => (err ? rej(err) : res())));
      out.genPipeline = collected;
    }
    // 14. readable event ordering with setEncoding and unshift
    {
      const r = new Readable({ read() {} });
      r.setEncoding('hex');
      r.push(Buffer.from([1, 2, 255]));
      r.unshift('ab', 'hex');
      r.push(null);
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      await new Promise((res) => r.on('end', res));
      out.unshift = chunks;
    }
    // 15. cork/uncork + writev
    {
      const batches = [];
      const w = new Writable({ writev(chunks, cb) { batches.push(chunks.map((c) => String(c.chunk))); cb(); } });
      w.cork(); w.write('a'); w.write('b'); w.write('c');
      await Promise.resolve().then(() => w.uncork());
      w.end();
      await new Promise((res) => w.on('finish', res));
      out.writev = batches;
    }
    // 16. Readable.from string, destroy with error
    {
      const got = [];
      for await (const c of Readable.from('whole string')) got.push(c);
      const r = new Readable({ read() {} });
      const events = [];
      r.on('error', (e) => events.push('error:' + e.message));
      r.on('close', () => events.push('close'));
      r.destroy(new Error('bad'));
      events.push('after');
      await tick();
      out.destroyErr = [got, events, r.destroyed, r.readableAborted];
    }
    // 17. final, construct, destroy during write, end callbacks
    {
      const log = [];
      const w = new Writable({
        construct(cb) { log.push("construct"); setTimeout(cb, 1); },
        write(c, e, cb) { log.push("write:" + c); cb(); },
        final(cb) { log.push("final"); setTimeout(cb, 1); },
      });
      w.on("prefinish", () => log.push("prefinish"));
      w.on("finish", () => log.push("finish"));
      w.on("close", () => log.push("close"));
      w.write("a");
      w.end("b", () => log.push("end-cb"));
      await new Promise((res) => w.on("close", res));
      const d = new Writable({ write(c, e, cb) { setTimeout(cb, 5); } });
      const errs = [];
      d.on("error", (e) => errs.push(e.message));
      d.write("x", (err) => errs.push("cb:" + (err ? err.code : "ok")));
      d.write("y", (err) => errs.push("cb2:" + (err ? err.code : "ok")));
      d.destroy(new Error("gone"));
      await new Promise((res) => d.on("close", res));
      out.lifecycle = [log, errs, d.destroyed, d.writableFinished];
    }
    // 18. transform with objectMode, readable hwm 0, setEncoding on transform output
    {
      const t = new Transform({ objectMode: true, transform(o, e, cb) { cb(null, { v: o.v * 2 }); } });
      const got = [];
      t.on("data", (o) => got.push(o.v));
      for (const v of [1, 2, 3]) t.write({ v });
      t.end();
      await new Promise((res) => t.on("end", res));
      const t2 = new PassThrough();
      t2.setEncoding("base64");
      const s = [];
      t2.on("data", (c) => s.push(c));
      t2.end(Buffer.from("hello world"));
      await new Promise((res) => t2.on("end", res));
      out.objTransform = [got, s.join("")];
    }
    // 19. pipeline end:false, unpipe, readable state flags
    {
      const dst = new PassThrough();
      await pipelinePromise(stream.Readable.from(["a"]), dst, { end: false });
      const flags = [dst.writableEnded, dst.readableLength];
      const src = new stream.Readable({ read() {} });
      const sink = new PassThrough();
      src.pipe(sink);
      src.unpipe(sink);
      out.flags = [flags, src.readableFlowing, src.isPaused(), src.listenerCount("data")];
    }
    {
      const got = [];
      await pipelinePromise(stream.Readable.from(["p", "q"]), new stream.Writable({ write(c, e, cb) { got.push(String(c)); cb(); } }));
      const r = stream.Readable.from(["z"]);
      r.resume();
      await finishedPromise(r);
      out.promises = [got, r.readableEnded, typeof stream.promises.pipeline];
    }
    out.exports = [typeof stream, stream.Stream === stream, typeof stream.Readable.from, stream.isReadable(new stream.PassThrough()), stream.isErrored(new stream.PassThrough())];
    return { ...state, data: out };
  },
];
