// node:stream interop with web streams: Readable/Writable.fromWeb/toWeb, Readable.from and
// pipeline over a WHATWG ReadableStream (node:stream/web exports the engine's web streams).
import stream from "node:stream";
import { Buffer } from "node:buffer";
import { ReadableStream, WritableStream } from "node:stream/web";
export default [async (state) => {
  const out = {};
  const enc = (s) => Buffer.from(s);
  const rs = new ReadableStream({ start(c) { c.enqueue(enc("ab")); c.enqueue(enc("cd")); c.close(); } });
  const r = stream.Readable.fromWeb(rs);
  const chunks = []; for await (const c of r) chunks.push(Buffer.from(c).toString());
  out.fromWeb = chunks;
  const web = stream.Readable.toWeb(stream.Readable.from([Buffer.from("x"), Buffer.from("y")], { objectMode: false }));
  const reader = web.getReader(); const got = [];
  for (;;) { const { value, done } = await reader.read(); if (done) break; got.push(Buffer.from(value).toString()); }
  out.toWeb = got;
  const written = [];
  const ws = new WritableStream({ write(chunk) { written.push(Buffer.from(chunk).toString()); } });
  const w = stream.Writable.fromWeb(ws);
  w.write("p"); w.end("q");
  await new Promise((res) => w.on("finish", res));
  out.writableFromWeb = written;
  const sink = [];
  const nodeW = new stream.Writable({ write(c, e, cb) { sink.push(String(c)); cb(); } });
  const webW = stream.Writable.toWeb(nodeW);
  const wr = webW.getWriter(); await wr.write(enc("z")); await wr.close();
  out.writableToWeb = sink;
  const it = []; for await (const c of stream.Readable.from(new ReadableStream({ start(c) { c.enqueue("w1"); c.enqueue("w2"); c.close(); } }))) it.push(c);
  out.fromIterableWeb = it;
  const piped = [];
  await new Promise((res, rej) => stream.pipeline(new ReadableStream({ start(c) { c.enqueue("k"); c.close(); } }), new stream.Writable({ objectMode: true, write(c, e, cb) { piped.push(c); cb(); } }), (e) => e ? rej(e) : res()));
  out.pipelineWeb = piped;
  return { ...state, data: out };
}];
