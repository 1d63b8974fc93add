// os, vm, diagnostics_channel, async_hooks, worker_threads, perf_hooks, console, tty, module
// shapes of the network built-ins (values Node and fnhost share).
import os from "node:os";
import vm from "node:vm";
import dc from "node:diagnostics_channel";
import { AsyncLocalStorage, AsyncResource } from "node:async_hooks";
import { isMainThread, parentPort, threadId } from "node:worker_threads";
import { performance } from "node:perf_hooks";
import consoleModule from "node:console";
import tty from "node:tty";
import http from "node:http";
import https from "node:https";
import http2 from "node:http2";
import net from "node:net";
import tls from "node:tls";
import dns from "node:dns";
import zlib from "node:zlib";
import crypto from "node:crypto";
import childProcess from "node:child_process";
import fs from "node:fs";
import { Buffer } from "node:buffer";
import process from "node:process";

export default [
  async (state) => {
    const als = new AsyncLocalStorage();
    const seen = [];
    await als.run({ id: 1 }, async () => {
      seen.push(als.getStore()?.id);
      await new Promise((r) => setTimeout(r, 1));
      seen.push(als.getStore()?.id);
      await als.run({ id: 2 }, async () => {
        await null;
        seen.push(als.getStore()?.id);
      });
      seen.push(als.getStore()?.id);
    });
    seen.push(als.getStore());
    const resource = als.run({ id: 3 }, () => new AsyncResource("test"));
    seen.push(resource.runInAsyncScope(() => als.getStore()?.id));
    const bound = als.run({ id: 4 }, () => AsyncResource.bind(() => als.getStore()?.id));
    seen.push(bound());
    const ch = dc.channel("fnhost:test");
    const published = [];
    const sub = (msg, name) => published.push([msg, name]);
    const before = ch.hasSubscribers;
    dc.subscribe("fnhost:test", sub);
    ch.publish({ a: 1 });
    dc.unsubscribe("fnhost:test", sub);
    ch.publish({ a: 2 });
    const traced = [];
    const tc = dc.tracingChannel("fnhost:trace");
    tc.subscribe({ start: () => traced.push("start"), end: () => traced.push("end"), asyncStart: () => traced.push("asyncStart"), asyncEnd: () => traced.push("asyncEnd"), error: () => traced.push("error") });
    const tracedResult = await tc.tracePromise(async () => 5, {});
    const warnings = [];
    const onWarning = (w) => warnings.push([w.name, w.message, w.code]);
    process.on("warning", onWarning);
    process.emitWarning("careful", "CustomWarning", "FN001");
    process.emitWarning(new Error("as error"));
    process.emitWarning("with options", { type: "OptWarning", code: "FN002", detail: "d" });
    const tickArgs = await new Promise((resolve) => process.nextTick((a, b) => resolve([a, b]), 1, "two"));
    await new Promise((resolve) => setTimeout(resolve, 1));
    process.off("warning", onWarning);
    const diff = process.hrtime([0, 0]);
    const processInfo = [
      warnings, tickArgs, diff.length, Number.isInteger(diff[1]), Object.keys(process.memoryUsage()).sort(), typeof process.uptime(),
      process.listenerCount("warning"), typeof process.on, process.env === process.env, typeof process.env, process.exitCode,
      Object.prototype.toString.call(process), process.release.name, typeof process.versions.v8, typeof process.stdout.write,
    ];
    return {
      ...state,
      data: {
        processInfo,
        os: [os.EOL, typeof os.cpus(), Array.isArray(os.cpus()), typeof os.totalmem(), os.platform(), typeof os.constants.signals.SIGINT, os.constants.signals.SIGTERM, os.endianness(), typeof os.tmpdir(), typeof os.networkInterfaces()],
        vm: [vm.runInThisContext("1 + 1"), vm.runInNewContext("a + b", { a: 2, b: 3 }), new vm.Script("[1,2].length").runInThisContext(), vm.isContext(vm.createContext({})), typeof vm.compileFunction],
        seen, before, published, afterUnsub: ch.hasSubscribers, traced, tracedResult,
        worker: [isMainThread, parentPort, threadId],
        perf: [typeof performance.now(), performance.now() >= 0, typeof performance.timeOrigin],
        console: [typeof consoleModule.log, typeof consoleModule.Console],
        tty: [tty.isatty(99), typeof tty.WriteStream],
        http: [http.STATUS_CODES[404], http.STATUS_CODES[418], http.METHODS.includes("PATCH"), typeof http.Agent, typeof http.globalAgent, new http.Agent({ keepAlive: true }).keepAlive, typeof https.Agent, new https.Agent().defaultPort, typeof http.request],
        http2: [http2.constants.HTTP2_HEADER_STATUS, http2.constants.HTTP_STATUS_OK, http2.constants.NGHTTP2_CANCEL],
        net: [net.isIP("1.2.3.4"), net.isIP("::1"), net.isIP("x"), net.isIPv4("256.1.1.1"), net.isIPv6("fe80::1%eth0"), typeof net.Socket],
        tls: [tls.DEFAULT_MIN_VERSION, typeof tls.connect, Array.isArray(tls.getCiphers())],
        dns: [dns.NOTFOUND, typeof dns.lookup, typeof dns.promises.lookup],
        zlib: [zlib.constants.Z_BEST_COMPRESSION, zlib.Z_SYNC_FLUSH, zlib.constants.BROTLI_PARAM_QUALITY, zlib.crc32("hello"), zlib.crc32(Buffer.from("world"), 5), typeof zlib.createGzip],
        crypto: [crypto.constants.RSA_PKCS1_PADDING, crypto.timingSafeEqual(Buffer.from("ab"), Buffer.from("ab")), crypto.timingSafeEqual(Buffer.from("ab"), Buffer.from("ac")), crypto.getHashes().includes("sha256"), typeof crypto.createHash],
        childProcess: [typeof childProcess.spawn, typeof childProcess.execSync],
        fs: [fs.constants.O_RDONLY, fs.constants.S_IFDIR, fs.F_OK, fs.R_OK, typeof fs.readFileSync, typeof fs.promises.readFile],
      },
    };
  },
];
