// node:readline and node:readline/promises over a stream, node:v8 serialize/deserialize and heap statistics, node:domain,
// node:constants, node:trace_events: Deno's modules (js/10_node.js), compared with Node.
import readline from "node:readline";
import readlinePromises from "node:readline/promises";
import { Readable } from "node:stream";
import v8 from "node:v8";
import domain from "node:domain";
import constants from "node:constants";
import te from "node:trace_events";
export default [async (state) => {
  const rl = readline.createInterface({ input: Readable.from(["a\nb", "\nc\n"]), crlfDelay: Infinity });
  const lines = []; for await (const l of rl) lines.push(l);
  const rlp = readlinePromises.createInterface({ input: Readable.from(["x\ny\n"]) });
  for await (const l of rlp) lines.push(l);
  const ser = v8.deserialize(v8.serialize({ a: [1, new Date(0)], m: new Map([[1, 2]]) }));
  return { data: { lines, ser: [ser.a[0], ser.a[1].toISOString(), ser.m.get(1)], heap: typeof v8.getHeapStatistics().used_heap_size, d: typeof domain.create().run, c: [constants.O_RDONLY, constants.SIGTERM], te: typeof te.createTracing } };
}];
