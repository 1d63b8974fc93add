// fast-xml-parser's XMLParser and XMLValidator with the parsing in Rust
// (src/ops/xml/fxp_parse.rs), for fast-xml-parser 4.5.x and 5.12.1. See bridge.js.
//
// makeXmlParser({ native, loadReal, version }) returns { XMLParser, XMLValidator }:
//   native.fxpParse(xml, optionsJson, major) -> JSON text, or throws { kind: "invalid" | "unsupported", message }
//   native.fxpValidate(xml, optionsJson, major) -> JSON text, or throws { kind: "unsupported" }
//   loadReal() -> the real package (for everything the Rust side reports as unsupported and for
//   inputs JSON cannot carry).
//
// The answer is always the real package's: the same value (JSON-shaped data, rebuilt with
// JSON.parse), the same Error (class Error, same message) where it throws; where the Rust side
// would differ it says "unsupported" and the real class runs. Options are sent as JSON with
// functions, RegExps, undefined values, class instances and non-finite numbers replaced by
// {"$fnhost": ...} markers; the Rust side treats any marker in an option it reads as unsupported.

const SURROGATE = /[\uD800-\uDFFF]/;

function hasLoneSurrogate(s) {
  if (!SURROGATE.test(s)) return false;
  if (typeof s.isWellFormed === "function") return !s.isWellFormed();
  return /(?:[\uD800-\uDBFF](?![\uDC00-\uDFFF]))|(?:(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF])/.test(s);
}

function encodeOptions(options) {
  if (options === undefined) return "{}";
  // keys the bridge itself uses to talk to Rust: the real package treats them as unknown options
  if (options !== null && typeof options === "object" && Object.keys(options).some((k) => k.startsWith("$fnhost"))) return null;
  try {
    return JSON.stringify(options, function (key, v) {
      if (typeof v === "function") return { $fnhost: "function" };
      if (v === undefined) return { $fnhost: "undefined" };
      if (typeof v === "number" && !Number.isFinite(v)) return { $fnhost: "number", text: String(v) };
      if (typeof v === "bigint" || typeof v === "symbol") return { $fnhost: "object" };
      if (v !== null && typeof v === "object" && !Array.isArray(v)) {
        if (v.$fnhost !== undefined && key !== "") return { $fnhost: "object" };
        const proto = Object.getPrototypeOf(v);
        // plain objects of any realm only (RegExp, Expression, Date, Map... are not)
        if (proto !== null && (Object.getPrototypeOf(proto) !== null || Object.prototype.toString.call(v) !== "[object Object]")) {
          return { $fnhost: "object" };
        }
      }
      return v;
    });
  } catch (e) {
    return null; // cycles, throwing getters: the real package decides
  }
}

function withExtra(json, extra) {
  // json is an object's JSON text ("{...}") or "null"
  if (json === "null") json = "{}";
  if (json[0] !== "{") return json; // not an object: Rust reports unsupported
  const tail = json.length > 2 ? "," + json.slice(1) : "}";
  return "{" + extra + tail;
}

export function makeXmlParser({ native, loadReal, version }) {
  const major = version === 4 || version === "4" || (typeof version === "string" && version.startsWith("4.")) ? 4 : 5;
  const v5 = major === 5;

  function realValidate(xml, options) {
    return loadReal().XMLValidator.validate(xml, options);
  }

  function validate(xmlData, options) {
    if (typeof xmlData !== "string" || hasLoneSurrogate(xmlData) || typeof native.fxpValidate !== "function") {
      return realValidate(xmlData, options);
    }
    const json = encodeOptions(options);
    if (json === null) return realValidate(xmlData, options);
    try {
      return JSON.parse(native.fxpValidate(xmlData, json, major));
    } catch (e) {
      return realValidate(xmlData, options);
    }
  }

  class XMLParser {
    constructor(options) {
      this._options = options;
      this._entities = [];
      this._real = null;
      this._json = encodeOptions(options);
      let unsupported = this._json === null;
      if (!unsupported) {
        try {
          native.fxpParse("", withExtra(this._json, '"$fnhostCheckOnly":true'), major);
        } catch (e) {
          if (e && e.kind === "invalid") throw new Error(e.message);
          unsupported = true;
        }
      }
      // the real constructor copies the options now; keep a copy for a later fallback
      this._optionsCopy = options == null || typeof options !== "object" ? options : Object.assign({}, options);
      if (unsupported) {
        this._useReal = true;
        this._realParser();
      } else {
        this._useReal = false;
      }
    }

    _realParser() {
      if (this._real === null) {
        const Real = loadReal().XMLParser;
        this._real = new Real(this._useReal ? this._options : this._optionsCopy);
        for (const [k, v] of this._entities) this._real.addEntity(k, v);
      }
      return this._real;
    }

    parse(xmlData, validationOption) {
      if (this._useReal) return this._real.parse(xmlData, validationOption);
      if (xmlData === null || xmlData === undefined) return this._realParser().parse(xmlData, validationOption);
      if (typeof xmlData !== "string") {
        if (xmlData.toString) {
          if (v5 && xmlData instanceof Uint8Array && !(typeof Buffer !== "undefined" && Buffer.isBuffer(xmlData))) {
            return this._realParser().parse(xmlData, validationOption); // TextDecoder path
          }
          xmlData = xmlData.toString();
          if (typeof xmlData !== "string") return this._realParser().parse(xmlData, validationOption);
        } else {
          throw new Error("XML data is accepted in String or Bytes[] form.");
        }
      }
      if (validationOption) {
        if (validationOption === true) validationOption = {};
        const result = validate(xmlData, validationOption);
        if (result !== true) {
          throw Error(`${result.err.msg}:${result.err.line}:${result.err.col}`);
        }
      }
      if (hasLoneSurrogate(xmlData)) return this._realParser().parse(xmlData);
      let json = this._json;
      if (this._entities.length > 0) {
        json = withExtra(json, '"$fnhostEntities":' + JSON.stringify(this._entities));
      }
      let text;
      try {
        text = native.fxpParse(xmlData, json, major);
      } catch (e) {
        if (e && e.kind === "invalid") throw new Error(e.message);
        return this._realParser().parse(xmlData);
      }
      return JSON.parse(text);
    }

    addEntity(key, value) {
      if (value.indexOf("&") !== -1) {
        throw new Error("Entity value can't have '&'");
      } else if (key.indexOf("&") !== -1 || key.indexOf(";") !== -1) {
        throw new Error("An entity must be set without '&' and ';'. Eg. use '#xD' for '&#xD;'");
      } else if (value === "&") {
        throw new Error("An entity with value '&' is not permitted");
      }
      if (this._real !== null) this._real.addEntity(key, value);
      if (this._useReal) return;
      if (typeof key !== "string" || typeof value !== "string") {
        this._useReal = true; // keys/values JSON would change: the real parser from now on
        this._realParser();
        return;
      }
      const at = this._entities.findIndex((p) => p[0] === key);
      if (at === -1) this._entities.push([key, value]);
      else this._entities[at][1] = value;
    }

    static getMetaDataSymbol() {
      return loadReal().XMLParser.getMetaDataSymbol();
    }
  }

  if (!v5) delete XMLParser.getMetaDataSymbol; // 4.x has no such static
  const XMLValidator = { validate };
  return { XMLParser, XMLValidator };
}
