// A stand-in adaptor (tests/it/security.rs, the read-permission test): what adaptor code gets
// when it reads or writes files through node:fs. Relative paths are the package's own files.
import fs from "node:fs";

const here = (path) => (path.startsWith("/") ? path : new URL(path, import.meta.url));
const failure = (e) => [e.name, e.message];

async function attempt(path) {
  const file = here(path);
  const out = {};
  try {
    out.sync = fs.readFileSync(file, "utf8").slice(0, 12);
  } catch (e) {
    out.sync = failure(e);
  }
  out.promise = await fs.promises.readFile(file, "utf8").then((t) => t.slice(0, 12), failure);
  out.callback = await new Promise((done) => fs.readFile(file, "utf8", (e, t) => done(e ? failure(e) : t.slice(0, 12))));
  out.stream = await new Promise((done) => {
    const stream = fs.createReadStream(file, { encoding: "utf8" });
    let text = "";
    stream.on("data", (chunk) => (text += chunk));
    stream.on("end", () => done(text.slice(0, 12)));
    stream.on("error", (e) => done(failure(e)));
  });
  out.exists = fs.existsSync(file);
  return out;
}

/** Reads each of `paths` four ways; state.data[path] is what each gave. */
export function readAll(paths) {
  return async (state) => {
    const data = {};
    for (const path of paths) data[path] = await attempt(path);
    return { ...state, data };
  };
}

/** Tries to write and create inside the package. */
export function writeOwn() {
  return async (state) => {
    const data = {};
    const attemptSync = (fn) => {
      try {
        fn();
        return "done";
      } catch (e) {
        return failure(e);
      }
    };
    data.writeFileSync = attemptSync(() => fs.writeFileSync(here("./written.txt"), "x"));
    data.appendFileSync = attemptSync(() => fs.appendFileSync(here("./data.json"), "x"));
    data.mkdirSync = attemptSync(() => fs.mkdirSync(here("./made")));
    data.unlinkSync = attemptSync(() => fs.unlinkSync(here("./data.json")));
    data.writeFile = await fs.promises.writeFile(here("./written.txt"), "x").then(() => "done", failure);
    return { ...state, data };
  };
}
