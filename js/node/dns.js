// node:dns and node:dns/promises -- constants and settings work; lookups throw (the engine's
// HTTP bridge resolves names itself).
import { unsupportedClass, unsupportedFn } from "ext:fnhost/node/_internal.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

const HINT = "name resolution is done by the engine's HTTP bridge; use fetch() or an OpenFn adaptor";
const lookupNames = ["lookup", "lookupService", "resolve", "resolve4", "resolve6", "resolveAny", "resolveCaa", "resolveCname", "resolveMx", "resolveNaptr", "resolveNs", "resolvePtr", "resolveSoa", "resolveSrv", "resolveTxt", "reverse"];
const codes = {
  NODATA: "ENODATA", FORMERR: "EFORMERR", SERVFAIL: "ESERVFAIL", NOTFOUND: "ENOTFOUND", NOTIMP: "ENOTIMP",
  REFUSED: "EREFUSED", BADQUERY: "EBADQUERY", BADNAME: "EBADNAME", BADFAMILY: "EBADFAMILY", BADRESP: "EBADRESP",
  CONNREFUSED: "ECONNREFUSED", TIMEOUT: "ETIMEOUT", EOF: "EOF", FILE: "EFILE", NOMEM: "ENOMEM",
  DESTRUCTION: "EDESTRUCTION", BADSTR: "EBADSTR", BADFLAGS: "EBADFLAGS", NONAME: "ENONAME", BADHINTS: "EBADHINTS",
  NOTINITIALIZED: "ENOTINITIALIZED", LOADIPHLPAPI: "ELOADIPHLPAPI", ADDRGETNETWORKPARAMS: "EADDRGETNETWORKPARAMS",
  CANCELLED: "ECANCELLED",
};
let resultOrder = "verbatim";

function makeDns(prefix) {
  const dns = { ADDRCONFIG: 1024, V4MAPPED: 2048, ALL: 256, ...codes };
  for (const name of lookupNames) dns[name] = unsupportedFn(prefix, name, HINT);
  dns.getServers = () => [];
  dns.setServers = () => {};
  dns.setDefaultResultOrder = (order) => {
    resultOrder = order;
  };
  dns.getDefaultResultOrder = () => resultOrder;
  dns.Resolver = unsupportedClass(prefix, "Resolver", HINT);
  return dns;
}

defineBuiltin("dns", () => ({ ...makeDns("dns"), promises: makeDns("dns.promises") }));
defineBuiltin("dns/promises", () => makeDns("dns.promises"));
