// xml2js 0.6's Parser with the parsing in Rust (src/ops/xml/xml2js.rs): the same options, the
// same events in the same order, the same callback rules — including what happens when the
// callback itself throws — and the real package for anything Rust does not reproduce.
//
// What goes to the real package (loaded from the importer's node_modules on first need):
// function-valued options (processors other than `normalizeTags`, `validator`, a function
// `emptyTag`), an object `emptyTag` (xml2js shares that one object between all empty elements),
// `xmlns`, `explicitChildren`, a `parseString` without a callback (listeners only: xml2js then
// keeps parsing after the root and may emit an error after `end`), text with lone surrogates,
// and whatever Rust reports as unsupported.
import { EventEmitter } from "node:events";

/** The defaults xml2js exports (`xml2js.defaults`); the Parser reads "0.2" at construction. */
export const defaults = {
  "0.1": {
    explicitCharkey: false,
    trim: true,
    normalize: true,
    normalizeTags: false,
    attrkey: "@",
    charkey: "#",
    explicitArray: false,
    ignoreAttrs: false,
    mergeAttrs: false,
    explicitRoot: false,
    validator: null,
    xmlns: false,
    explicitChildren: false,
    childkey: "@@",
    charsAsChildren: false,
    includeWhiteChars: false,
    async: false,
    strict: true,
    attrNameProcessors: null,
    attrValueProcessors: null,
    tagNameProcessors: null,
    valueProcessors: null,
    emptyTag: "",
  },
  "0.2": {
    explicitCharkey: false,
    trim: false,
    normalize: false,
    normalizeTags: false,
    attrkey: "$",
    charkey: "_",
    explicitArray: true,
    ignoreAttrs: false,
    mergeAttrs: false,
    explicitRoot: true,
    validator: null,
    xmlns: false,
    explicitChildren: false,
    preserveChildrenOrder: false,
    childkey: "$$",
    charsAsChildren: false,
    includeWhiteChars: false,
    async: false,
    strict: true,
    attrNameProcessors: null,
    attrValueProcessors: null,
    tagNameProcessors: null,
    valueProcessors: null,
    rootName: "root",
    xmldec: { version: "1.0", encoding: "UTF-8", standalone: true },
    doctype: null,
    renderOpts: { pretty: true, indent: "  ", newline: "\n" },
    headless: false,
    chunkSize: 10000,
    emptyTag: "",
    cdata: false,
  },
};

const namespacePrefix = /(?!xmlns)^.*:/;

/** `xml2js.processors`: name and value transformations to pass in the `*Processors` options. */
export const processors = {
  normalize: (str) => str.toLowerCase(),
  firstCharLowerCase: (str) => str.charAt(0).toLowerCase() + str.slice(1),
  stripPrefix: (str) => str.replace(namespacePrefix, ""),
  parseNumbers: (str) => {
    if (!isNaN(str)) str = str % 1 === 0 ? parseInt(str, 10) : parseFloat(str);
    return str;
  },
  parseBooleans: (str) => {
    if (/^(?:true|false)$/i.test(str)) str = str.toLowerCase() === "true";
    return str;
  },
};

const own = Object.prototype.hasOwnProperty;

/** CoffeeScript's bind: looks `fn` up when called, not now. */
const bind = (fn, me) =>
  function () {
    return fn.apply(me, arguments);
  };

/** The Rust converter's options for `options`, or null when they need the real package. */
function rustOptions(options) {
  if (options.xmlns || options.explicitChildren || options.validator != null) return null;
  for (const key of ["attrNameProcessors", "attrValueProcessors", "valueProcessors"]) {
    if (options[key]) return null;
  }
  const tagNames = options.tagNameProcessors;
  const onlyNormalize = Array.isArray(tagNames) && tagNames.length === 1 && tagNames[0] === processors.normalize;
  if (tagNames && !onlyNormalize) return null;
  if (typeof options.attrkey !== "string" || typeof options.charkey !== "string") return null;
  const out = {
    explicitArray: !!options.explicitArray,
    explicitRoot: !!options.explicitRoot,
    mergeAttrs: !!options.mergeAttrs,
    attrkey: options.attrkey,
    charkey: options.charkey,
    explicitCharkey: !!options.explicitCharkey,
    trim: !!options.trim,
    normalize: !!options.normalize,
    normalizeTags: onlyNormalize,
    ignoreAttrs: !!options.ignoreAttrs,
    strict: !!options.strict,
  };
  const empty = options.emptyTag;
  if (empty !== "") {
    // JSON carries these exactly; an object would be one shared instance in xml2js
    const exact =
      empty === null ||
      typeof empty === "string" ||
      typeof empty === "boolean" ||
      (typeof empty === "number" && Number.isFinite(empty) && !Object.is(empty, -0));
    if (!exact) return null;
    out.emptyTag = JSON.stringify(empty);
  }
  return out;
}

/** The error xml2js hands to the callback, from the converter's `{ name, message }`. */
function parseError(answer) {
  let message = answer.message;
  // sax reads UTF-16 units: where it stops on an astral character, its message shows the
  // first half only
  const at = message.lastIndexOf("\nChar: ");
  if (at >= 0 && message.length === at + 9 && message.codePointAt(at + 7) > 0xffff) message = message.slice(0, at + 8);
  return answer.name === "TypeError" ? new TypeError(message) : new Error(message);
}

/**
 * Makes the module's `Parser`, `parseString` and `parseStringPromise` over `native` (the Rust
 * converter) and `loadReal` (returns the real xml2js module).
 */
export function makeParser({ native, loadReal }) {
  /** Set by `parseStringPromise` for the `parseString` call it makes. */
  let inPromise = false;

  function Parser(opts) {
    // as xml2js: the methods are bound onto `this` before the `new` check, so `xml2js.Parser()`
    // without `new` rebinds the module's own functions (and adds three)
    this.parseStringPromise = bind(this.parseStringPromise, this);
    this.parseString = bind(this.parseString, this);
    this.reset = bind(this.reset, this);
    this.assignOrPush = bind(this.assignOrPush, this);
    this.processAsync = bind(this.processAsync, this);
    if (!(this instanceof Parser)) return new Parser(opts);
    EventEmitter.call(this);
    this.options = {};
    const base = defaults["0.2"];
    for (const key in base) if (own.call(base, key)) this.options[key] = base[key];
    for (const key in opts) if (own.call(opts, key)) this.options[key] = opts[key];
    if (this.options.xmlns) this.options.xmlnskey = this.options.attrkey + "ns";
    if (this.options.normalizeTags) {
      if (!this.options.tagNameProcessors) this.options.tagNameProcessors = [];
      this.options.tagNameProcessors.unshift(processors.normalize);
    }
    this.reset();
  }
  Object.setPrototypeOf(Parser.prototype, EventEmitter.prototype);
  Object.setPrototypeOf(Parser, EventEmitter);

  /** Forgets listeners and the parse under way (xml2js makes a fresh sax parser). */
  Parser.prototype.reset = function () {
    this.removeAllListeners();
    // the flags xml2js keeps on its sax parser: an error was reported / the result was
    this._fnhost = { errThrown: false, ended: false, real: this._fnhost?.real };
    this._fnhost.real?.reset();
  };

  /** Parses `str` (anything with `toString`) and calls `cb(err, result)`. */
  Parser.prototype.parseString = function (str, cb) {
    const options = this.options;
    // After calling back, xml2js goes on parsing the rest of the document with listeners gone,
    // and what it meets there can throw out of this call: only a promise (whose executor
    // swallows it) or `async` (which catches it) make that invisible.
    const aftermathSeen = !inPromise && !options.async;
    inPromise = false;
    const mapped = rustOptions(options);
    const text = typeof str === "string" ? str : null;
    if (mapped === null || typeof cb !== "function" || (text !== null && !text.isWellFormed())) {
      return viaReal(this, str, cb);
    }
    const onEnd = function (result) {
      this.reset();
      return cb(null, result);
    };
    const onError = function (err) {
      this.reset();
      return cb(err);
    };
    this.on("end", onEnd);
    this.on("error", onError);
    // the real package registers its own pair when it takes over
    const handOver = (input) => {
      this.removeListener("end", onEnd);
      this.removeListener("error", onError);
      return viaReal(this, input, cb);
    };
    try {
      str = str.toString();
      if (str.trim() === "") {
        this.emit("end", null);
        return true;
      }
      if (!str.isWellFormed()) return handOver(str);
      if (options.async) {
        const self = this;
        setImmediate(() => {
          try {
            deliver(self, native.xml2jsParse(str, mapped), false, () => handOver(str));
          } catch (err) {
            // xml2js' chunked parse catches what the callback throws and emits it as an event
            // name, which no one listens to
            if (!self._fnhost.errThrown) {
              self._fnhost.errThrown = true;
              self.emit(err);
            }
          }
        });
        return undefined;
      }
      return deliver(this, native.xml2jsParse(str, mapped), aftermathSeen, () => handOver(str));
    } catch (err) {
      const flags = this._fnhost;
      if (!(flags.errThrown || flags.ended)) {
        this.emit("error", err);
        return (flags.errThrown = true);
      } else if (flags.ended) {
        throw err;
      }
    }
  };

  /** Resolves with the result or rejects with the error `parseString` would call back with. */
  Parser.prototype.parseStringPromise = function (str) {
    return new Promise((resolve, reject) => {
      inPromise = true;
      this.parseString(str, (err, value) => (err ? reject(err) : resolve(value)));
    });
  };

  /** Emits the converter's answer as xml2js emits the outcome of a parse; the real package
   * answers when the rest of the document could still make a difference (`aftermathSeen`). */
  function deliver(parser, answer, aftermathSeen, handOver) {
    if (answer.kind === "unsupported") return handOver();
    if (aftermathSeen && (answer.kind === "failed" || !answer.quietTail)) return handOver();
    const flags = parser._fnhost;
    if (answer.kind === "failed") {
      flags.errThrown = true;
      parser.emit("error", parseError(answer));
      return undefined;
    }
    const result = JSON.parse(answer.json);
    flags.ended = true;
    parser.emit("end", result);
    return undefined;
  }

  /** Runs the real xml2js Parser with this parser's options, its events going to this one's
   * listeners. */
  function viaReal(parser, str, cb) {
    let real = parser._fnhost.real;
    if (!real) {
      const Real = loadReal().Parser;
      real = new Real({});
      real.options = parser.options;
      real.reset();
      real.on = real.addListener = (name, listener) => (parser.on(name, listener), real);
      real.removeAllListeners = (...args) => (parser.removeAllListeners(...args), real);
      real.emit = (...args) => parser.emit(...args);
      parser._fnhost.real = real;
    }
    return real.parseString(str, cb);
  }

  /** `xml2js.parseString(str, [options], cb)`. */
  function parseString(str, a, b) {
    let cb;
    let options;
    if (b != null) {
      if (typeof b === "function") cb = b;
      if (typeof a === "object") options = a;
    } else {
      if (typeof a === "function") cb = a;
      options = {};
    }
    return new Parser(options).parseString(str, cb);
  }

  /** `xml2js.parseStringPromise(str, [options])`. */
  function parseStringPromise(str, a) {
    let options;
    if (typeof a === "object") options = a;
    return new Parser(options).parseStringPromise(str);
  }

  return { Parser, parseString, parseStringPromise };
}
