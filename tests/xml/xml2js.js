// xml2js on fnhost (its bridge, or the real package with --no-bridge xml2js) and on Node
// (make-expected.mjs): every case of xml2js_cases.js through `parseString`, then the API's
// behaviours — callback order and count, a callback that throws, promises, `async`, events
// without a callback, processors, validators, shared `emptyTag` objects, Buffer input, errors'
// classes, `Builder`. state.data must be the same everywhere (tests/it/xml.rs).
import * as xml2jsNs from "xml2js";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { xml2js as xml2jsCases } from "xml-cases";

const xml2js = xml2jsNs.default ?? xml2jsNs;

/** A text for any value JSON.stringify would describe, without recursion (10,000 levels),
 * showing what JSON hides: functions, undefined, shared objects, prototypes. */
function describe(value) {
  const out = [];
  const seen = new Map();
  const todo = [value];
  while (todo.length) {
    const v = todo.pop();
    if (typeof v === "string" && v.startsWith("\u0000raw:")) {
      out.push(v.slice(5));
      continue;
    }
    if (v === null || typeof v !== "object") {
      if (typeof v === "function") out.push(`<function ${v.name}>`);
      else if (v === undefined) out.push("<undefined>");
      else if (typeof v === "number" && Object.is(v, -0)) out.push("-0");
      else out.push(JSON.stringify(v) ?? String(v));
      continue;
    }
    if (seen.has(v)) {
      out.push(`<same as #${seen.get(v)}>`);
      continue;
    }
    seen.set(v, seen.size);
    const proto = Object.getPrototypeOf(v);
    // any realm's Object.prototype is plain (a job's objects and an adaptor's come from two)
    const plain = proto !== null && Object.getPrototypeOf(proto) === null;
    const tag = Array.isArray(v) || plain ? "" : proto === null ? "<null-proto>" : `<${proto.constructor?.name}>`;
    const parts = [];
    if (Array.isArray(v)) {
      parts.push("\u0000raw:[");
      v.forEach((item, i) => {
        if (i) parts.push("\u0000raw:,");
        parts.push(item);
      });
      parts.push("\u0000raw:]");
    } else {
      parts.push(`\u0000raw:${tag}{`);
      Object.getOwnPropertyNames(v).forEach((key, i) => {
        const d = Object.getOwnPropertyDescriptor(v, key);
        if (i) parts.push("\u0000raw:,");
        parts.push(`\u0000raw:${JSON.stringify(key)}${d.enumerable ? "" : "(hidden)"}:`);
        parts.push("value" in d ? d.value : "<accessor>");
      });
      parts.push("\u0000raw:}");
    }
    for (let i = parts.length - 1; i >= 0; i--) todo.push(parts[i]);
  }
  const text = out.join("");
  return text.length > 2000 ? `${text.length} chars, sha256 ${createHash("sha256").update(text).digest("hex")}` : text;
}

// errors made in the adaptor's realm are not `instanceof` the job's Error
const isError = (err) => Object.prototype.toString.call(err) === "[object Error]";
const errorText = (err) => (isError(err) ? `${err.name}: ${err.message}` : `thrown ${describe(err)}`);

/** Parses like an adaptor: the first callback wins; later callbacks are counted. */
function parse(xml, options) {
  return parseWithHead(xml, options).full;
}

/** `parse`'s text (`full`) and the first callback's part of it (`head`). */
function parseWithHead(xml, options) {
  let first = null;
  let calls = 0;
  let thrown = null;
  try {
    xml2js.parseString(xml, options ?? {}, (err, result) => {
      calls++;
      if (first === null) first = err ? { err } : { result };
    });
  } catch (e) {
    thrown = e;
  }
  const head = first === null ? "no callback" : first.err ? errorText(first.err) : describe(first.result);
  return { head, full: calls === 1 && thrown === null ? head : `${head} | calls ${calls} | thrown ${thrown && errorText(thrown)}` };
}

/** The API's behaviours, each as a log of what happened in order. */
async function behaviours() {
  const out = {};
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

  // a synchronous callback, and one that throws (on a result and on an error)
  let log = ["before"];
  xml2js.parseString("<r>1</r>", (err, r) => log.push(`cb ${describe(err)} ${describe(r)}`));
  log.push("after");
  out.syncOrder = log;
  for (const [name, xml] of [["throwOnResult", "<r/>"], ["throwOnError", "<r>"], ["throwOnBlank", "  "]]) {
    log = [];
    try {
      xml2js.parseString(xml, (err) => {
        log.push(`cb ${err ? errorText(err) : "ok"}`);
        // not an Error: a job's errors are another realm's, which EventEmitter wraps alike
        throw { from: "the callback" };
      });
      log.push("returned");
    } catch (e) {
      log.push(`caught ${errorText(e)}`);
    }
    out[name] = log;
  }
  log = [];
  try {
    xml2js.parseString("<r/>", () => {
      throw "a string";
    });
  } catch (e) {
    log.push(`caught ${e?.code ?? ""} ${errorText(e)}`);
  }
  out.throwString = log;
  log = [];
  try {
    xml2js.parseString("<r/>", () => {
      throw null;
    });
  } catch (e) {
    log.push(`caught ${e?.code ?? ""} ${errorText(e)}`);
  }
  out.throwNull = log;

  // promises
  out.promise = describe(await xml2js.parseStringPromise('<r a="1"><b>x</b></r>'));
  out.promiseOptions = describe(await xml2js.parseStringPromise("<r><b>x</b></r>", { explicitArray: false }));
  out.promiseRejects = await xml2js.parseStringPromise("<r><b></r>").then(
    () => "resolved",
    (e) => errorText(e),
  );
  const parser = new xml2js.Parser({ explicitRoot: false });
  out.reused = [describe(await parser.parseStringPromise("<a>1</a>")), describe(await parser.parseStringPromise("<b>2</b>"))];
  out.boundMethod = await new Promise((resolve) => {
    const { parseString } = new xml2js.Parser();
    parseString("<r>bound</r>", (err, r) => resolve(describe(r)));
  });
  out.withoutNew = describe(xml2js.Parser({ trim: true }).options.trim);
  out.optionsAfterNormalizeTags = describe(new xml2js.Parser({ normalizeTags: true }).options.tagNameProcessors.length);

  // async: the callback comes later, and what it throws is swallowed
  log = ["before"];
  await new Promise((resolve) => {
    xml2js.parseString("<r>x</r>", { async: true }, (err, r) => {
      log.push(`cb ${describe(r)}`);
      resolve();
    });
    log.push("after");
  });
  out.asyncOrder = log;
  log = [];
  xml2js.parseString("<r>x</r>", { async: true }, () => {
    log.push("cb");
    throw new Error("swallowed");
  });
  await tick();
  log.push("still running");
  out.asyncThrow = log;
  out.asyncError = await new Promise((resolve) => xml2js.parseString("<r><a></r>", { async: true }, (err) => resolve(errorText(err))));

  // events without a callback: xml2js keeps parsing after the root
  for (const [name, xml] of [["eventsOk", "<r>1</r>"], ["eventsJunkAfterRoot", "<r/>junk"], ["eventsError", "<r><a></r>"]]) {
    log = [];
    const p = new xml2js.Parser();
    p.on("end", (r) => log.push(`end ${describe(r)}`));
    p.on("error", (e) => log.push(`error ${errorText(e)}`));
    try {
      p.parseString(xml);
    } catch (e) {
      log.push(`caught ${errorText(e)}`);
    }
    out[name] = log;
  }
  // a listener of one's own beside the callback
  log = [];
  const p2 = new xml2js.Parser();
  p2.on("end", () => log.push("listener"));
  p2.parseString("<r/>", () => log.push("cb"));
  out.listenerAndCallback = log;

  // what follows the root element or the first error: xml2js keeps parsing it
  for (const xml of ["<r/><s/>junk", "<r/>  <!-- c -->\n", "<r/><!-- a -- b -->", "<r/><?pi x?>", "<r>&bad;<a/>x</r>junk", "<r><a></r><b>"]) {
    out[`after ${xml}`] = parse(xml);
    out[`after ${xml} (promise)`] = await xml2js.parseStringPromise(xml).then(describe, errorText);
  }

  // input that is not a string
  out.buffer = parse(Buffer.from("<r>é</r>"));
  out.undefinedInput = parse(undefined);
  out.number = parse(42);
  out.loneSurrogate = loneSurrogatesShown(parse("<r>\ud800</r>"));
  out.loneSurrogateBad = loneSurrogatesShown(parse("<r>\ud800<</r>"));

  // processors, validators and emptyTag objects run as xml2js runs them
  const { processors } = xml2js;
  out.stripPrefix = parse('<s:E xmlns:s="u"><s:B s:a="1">x</s:B></s:E>', { tagNameProcessors: [processors.stripPrefix], attrNameProcessors: [processors.stripPrefix] });
  out.numbersBooleans = parse("<r><a>12</a><b>1.5</b><c>true</c><d>FALSE</d><e>x</e><f></f></r>", { valueProcessors: [processors.parseNumbers, processors.parseBooleans] });
  out.attrValues = parse('<r a="12" b="x"/>', { attrValueProcessors: [processors.parseNumbers, (v, name) => `${name}=${v}`] });
  out.firstCharLowerCase = parse("<Root><ChildNode>x</ChildNode></Root>", { tagNameProcessors: [processors.firstCharLowerCase] });
  out.normalizeTagsAndProcessor = parse("<ROOT><A-B>x</A-B></ROOT>", { normalizeTags: true, tagNameProcessors: [(n) => n.replace("-", "_")] });
  out.validator = parse("<r><a>1</a><b>2</b></r>", {
    validator: (xpath, current, value) => {
      if (xpath === "/r/b") throw new xml2js.ValidationError(`bad ${xpath}`);
      return value;
    },
  });
  out.validatorChanges = parse("<r><a>1</a></r>", { validator: (xpath, current, value) => (xpath === "/r/a" ? { changed: value } : value) });
  out.emptyTagFunction = parse("<r><a/><b/></r>", { emptyTag: () => ({ fresh: true }) });
  out.emptyTagObject = parse("<r><a/><b/></r>", { emptyTag: {} });
  out.emptyTagUndefined = parse("<r><a/></r>", { emptyTag: undefined });
  out.emptyTagNaN = parse("<r><a/></r>", { emptyTag: NaN });
  out.emptyTagMinusZero = parse("<r><a/></r>", { emptyTag: -0 });
  out.xmlns = parse('<r xmlns="u" xmlns:p="v"><p:a>1</p:a></r>', { xmlns: true });
  out.explicitChildren = parse('<r><a>1</a>t<b x="1"/></r>', { explicitChildren: true });
  out.preserveChildrenOrder = parse("<r><a>1</a>t<b/><a>2</a></r>", { explicitChildren: true, preserveChildrenOrder: true, charsAsChildren: true });
  out.numericKeys = parse("<r/>", { attrkey: 1, charkey: 2 });
  out.chunkedAsync = await new Promise((resolve) =>
    xml2js.parseString(`<r>${"<a>x</a>".repeat(5000)}</r>`, { async: true, chunkSize: 1000, explicitArray: false }, (err, r) => resolve(err ? errorText(err) : describe(r))),
  );
  out.protoKeys = parse("<r><toString>1</toString><toString>2</toString><constructor/></r>");
  out.defaultsShape = describe(xml2js.defaults);
  out.validationError = describe([isError(new xml2js.ValidationError("m")), new xml2js.ValidationError("m").message]);

  // the builder
  const builder = new xml2js.Builder({ rootName: "doc", renderOpts: { pretty: false } });
  out.builder = builder.buildObject({ a: [{ $: { x: "1" }, _: "t" }, "u"], b: 2 });
  out.builderDefault = new xml2js.Builder().buildObject({ root: { item: ["a", "b"] } });
  out.exportNames = Object.keys(xml2js).sort();
  return out;
}

/** `text` with each lone surrogate written as `<U+D83D>` (JSON readers refuse them). */
function loneSurrogatesShown(text) {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const high = c >= 0xd800 && c <= 0xdbff;
    const low = c >= 0xdc00 && c <= 0xdfff;
    if (high && i + 1 < text.length && text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff) {
      out += text[i] + text[i + 1];
      i++;
    } else if (high || low) {
      out += `<U+${c.toString(16).toUpperCase()}>`;
    } else {
      out += text[i];
    }
  }
  return out;
}

export default [
  async (state) => {
    const results = {};
    // a promise sees only the first callback: the same text as `head` (the bridge answers these
    // itself even where the rest of the document would make `parseString` throw)
    const promiseDiffers = {};
    for (const c of xml2jsCases.cases()) {
      const { head, full } = parseWithHead(c.xml, c.options);
      results[c.name] = loneSurrogatesShown(full);
      const viaPromise = await xml2js.parseStringPromise(c.xml, c.options ?? {}).then(describe, errorText);
      if (viaPromise !== head) promiseDiffers[c.name] = loneSurrogatesShown(viaPromise);
    }
    state.data.promiseDiffers = promiseDiffers;
    state.data.cases = results;
    state.data.api = await behaviours();
    return state;
  },
];
