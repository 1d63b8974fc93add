// fnhost's intended differences from Node (expected output written by hand, not by Node):
// no host environment, no host files (reads outside the adaptors' packages are refused by the
// run's permissions), no processes, Node 24 identity, exit throws. (Sockets
// are Node's: tests/node_ext.)
import process from "node:process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import childProcess from "node:child_process";
import os from "node:os";
import worker from "node:worker_threads";

const thrown = (fn) => {
  try {
    fn();
    return "no error";
  } catch (e) {
    return [e.name, e.code, e.message];
  }
};

export default [
  async (state) => {
    let rejected;
    try {
      await fsp.readFile("/etc/passwd");
    } catch (e) {
      rejected = [e.name, e.message];
    }
    // a stream reports the refusal as its 'error' event
    const streamed = await new Promise((done) => fs.createReadStream("/x").on("error", (e) => done([e.name, e.message])));
    return {
      ...state,
      data: {
        env: Object.keys(process.env),
        version: [process.version.startsWith("v24."), process.versions.node.split(".")[0], process.platform, process.cwd(), process.argv.length, typeof process.pid],
        chdir: thrown(() => process.chdir("/tmp")),
        hrtime: [process.hrtime().length, typeof process.hrtime.bigint(), process.hrtime([0, 0])[0] >= 0],
        fs: [fs.existsSync("/etc/passwd"), thrown(() => fs.readFileSync("/etc/passwd")), thrown(() => fs.statSync("/")), streamed, rejected],
        childProcess: thrown(() => childProcess.execSync("ls")),
        os: [os.hostname(), os.homedir(), os.userInfo().username, os.cpus().length, os.availableParallelism()],
        worker: [thrown(() => new worker.Worker("x.js")), worker.isMainThread],
        warning: typeof process.emitWarning("just a warning"),
        stdout: [process.stdout.isTTY, typeof process.stdout.write],
      },
    };
  },
];
