// Where a client connects and as whom: node-postgres' rules for combining the config object, a
// connection string (postgres://user:pass@host:port/db?ssl=…), the PG* environment variables of
// the run and `pg.defaults`, and the startup parameters it sends.
import { readFileSync } from "node:fs";
import { defaults } from "./values.js";

/** A connection string as pg-connection-string reads it. */
export function parseConnectionString(str) {
  if (str.charAt(0) === "/") {
    const [host, database] = str.split(" ");
    return { host, database };
  }
  const config = Object.create(null);
  if (/ |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(str)) {
    // spaces and stray percent signs: encode them, keeping valid escapes
    str = encodeURI(str).replace(/%25(\d\d)/g, "%$1");
  }
  let url;
  let noHost = false;
  try {
    url = new URL(str, "postgres://base");
  } catch {
    url = new URL(str.replace("@/", "@___DUMMY___/"), "postgres://base");
    noHost = true;
  }
  for (const [key, value] of url.searchParams.entries()) config[key] = value;
  config.user = config.user || decodeURIComponent(url.username);
  config.password = config.password || decodeURIComponent(url.password);
  if (url.protocol === "socket:") {
    config.host = decodeURI(url.pathname);
    config.database = url.searchParams.get("db");
    config.client_encoding = url.searchParams.get("encoding");
    return config;
  }
  const hostname = (noHost ? "" : url.hostname).replace(/^\[(.+)\]$/, "$1");
  if (!config.host) config.host = decodeURIComponent(hostname);
  else if (hostname && /^%2f/i.test(hostname)) url.pathname = hostname + url.pathname;
  if (!config.port) config.port = url.port;
  const path = url.pathname.slice(1) || null;
  config.database = path ? decodeURI(path) : null;
  if (config.ssl === "true" || config.ssl === "1") config.ssl = true;
  if (config.ssl === "0") config.ssl = false;
  if (config.sslcert || config.sslkey || config.sslrootcert || config.sslmode) config.ssl = {};
  if (config.sslnegotiation === "direct" && config.ssl === undefined) config.ssl = true;
  if (config.sslcert || config.sslkey || config.sslrootcert) {
    // read through node:fs, so the run's read grants apply (--allow-read)
    if (config.sslcert) config.ssl.cert = readFileSync(config.sslcert).toString();
    if (config.sslkey) config.ssl.key = readFileSync(config.sslkey).toString();
    if (config.sslrootcert) config.ssl.ca = readFileSync(config.sslrootcert).toString();
  }
  switch (config.sslmode) {
    case "disable":
      config.ssl = false;
      break;
    case "no-verify":
      config.ssl.rejectUnauthorized = false;
      break;
  }
  return config;
}

const env = (name) => globalThis.process?.env?.[name];

/** A setting: the config's (when truthy), the environment's, or the default. */
function setting(key, config, envName) {
  if (config[key]) return config[key];
  let fromEnv;
  if (envName === undefined) fromEnv = env("PG" + key.toUpperCase());
  else if (envName !== false) fromEnv = env(envName);
  return fromEnv || defaults[key];
}

function sslFromEnvironment() {
  switch (env("PGSSLMODE")) {
    case "disable":
      return false;
    case "prefer":
    case "require":
    case "verify-ca":
    case "verify-full":
      return true;
    case "no-verify":
      return { rejectUnauthorized: false };
  }
  return defaults.ssl;
}

/** node-postgres' `ConnectionParameters`: the settings a client connects with. */
export class ConnectionParameters {
  constructor(config) {
    config = typeof config === "string" ? parseConnectionString(config) : config || {};
    if (config.connectionString) config = Object.assign({}, config, parseConnectionString(config.connectionString));
    this.user = setting("user", config);
    this.database = setting("database", config);
    if (this.database === undefined) this.database = this.user;
    this.port = parseInt(setting("port", config), 10);
    this.host = setting("host", config);
    Object.defineProperty(this, "password", { configurable: true, enumerable: false, writable: true, value: setting("password", config) });
    this.binary = setting("binary", config);
    this.options = setting("options", config);
    this.ssl = typeof config.ssl === "undefined" ? sslFromEnvironment() : config.ssl;
    if (this.ssl === "true") this.ssl = true;
    if (this.ssl === "no-verify") this.ssl = { rejectUnauthorized: false };
    if (this.ssl && this.ssl.key) Object.defineProperty(this.ssl, "key", { enumerable: false });
    this.sslnegotiation = setting("sslnegotiation", config, "PGSSLNEGOTIATION");
    if (this.sslnegotiation !== undefined && this.sslnegotiation !== "postgres" && this.sslnegotiation !== "direct") {
      throw new Error(`Invalid sslnegotiation value: "${this.sslnegotiation}". Valid values are "postgres" and "direct".`);
    }
    if (this.sslnegotiation === "direct" && !this.ssl) throw new Error("sslnegotiation=direct requires SSL to be enabled");
    this.client_encoding = setting("client_encoding", config);
    this.replication = setting("replication", config);
    this.isDomainSocket = !(this.host || "").indexOf("/");
    this.application_name = setting("application_name", config, "PGAPPNAME");
    this.fallback_application_name = setting("fallback_application_name", config, false);
    this.statement_timeout = setting("statement_timeout", config, false);
    this.lock_timeout = setting("lock_timeout", config, false);
    this.idle_in_transaction_session_timeout = setting("idle_in_transaction_session_timeout", config, false);
    this.query_timeout = setting("query_timeout", config, false);
    this.connect_timeout = config.connectionTimeoutMillis === undefined
      ? env("PGCONNECT_TIMEOUT") || 0
      : Math.floor(config.connectionTimeoutMillis / 1000);
    if (config.keepAlive === false) this.keepalives = 0;
    else if (config.keepAlive === true) this.keepalives = 1;
    if (typeof config.keepAliveInitialDelayMillis === "number") {
      this.keepalives_idle = Math.floor(config.keepAliveInitialDelayMillis / 1000);
    }
  }

  /** The startup message's parameters, in node-postgres' order. */
  startupParams() {
    const params = [["user", String(this.user)], ["database", String(this.database)]];
    const app = this.application_name || this.fallback_application_name;
    if (app) params.push(["application_name", String(app)]);
    if (this.replication) params.push(["replication", "" + this.replication]);
    if (this.statement_timeout) params.push(["statement_timeout", String(parseInt(this.statement_timeout, 10))]);
    if (this.lock_timeout) params.push(["lock_timeout", String(parseInt(this.lock_timeout, 10))]);
    if (this.idle_in_transaction_session_timeout) {
      params.push(["idle_in_transaction_session_timeout", String(parseInt(this.idle_in_transaction_session_timeout, 10))]);
    }
    if (this.options) params.push(["options", String(this.options)]);
    return params;
  }
}
