// node-postgres' `Client`, `Query` and `Result` over the engine's PostgreSQL ops
// (globalThis.__fnhostPg, src/ops/pg.rs): the socket, TLS, authentication and message framing run
// in Rust; this file keeps pg 8's API and its order of events — queries queue until the
// connection is up (language-postgresql sends them before `connect()` resolves), one runs at a
// time, results are built from the text format by the type parsers of types.js, errors carry
// every field the server sent.
import { EventEmitter } from "node:events";
import { DatabaseError, databaseError, failureError, noticeMessage, NotificationResponseMessage } from "./errors.js";
import { ConnectionParameters } from "./parameters.js";
import { getTypeParser, TypeOverrides } from "./types.js";
import { defaults, escapeIdentifier, escapeLiteral, prepareValue } from "./values.js";

/** The rows of a batch: `layout` (bytes of an Int32Array) gives each row's cell count, then each
 * cell's length in `text` (-1: NULL). */
function unpackRows(text, layout) {
  const rows = [];
  if (!layout || layout.byteLength === 0) return rows;
  const words =
    layout.byteOffset % 4 === 0
      ? new Int32Array(layout.buffer, layout.byteOffset, layout.byteLength >> 2)
      : new Int32Array(layout.slice().buffer);
  let at = 0;
  for (let k = 0; k < words.length; ) {
    const cells = new Array(words[k++]);
    for (let i = 0; i < cells.length; i++) {
      const length = words[k++];
      if (length < 0) cells[i] = null;
      else {
        cells[i] = text.substring(at, at + length);
        at += length;
      }
    }
    rows.push(cells);
  }
  return rows;
}

function ops() {
  const pg = globalThis.__fnhostPg;
  if (!pg || typeof pg.connect !== "function") {
    throw new Error("PostgreSQL needs the engine's pg ops, which this build does not have");
  }
  return pg;
}

const nextTick = (fn) => globalThis.process.nextTick(fn);

/** One column of a result (pg-protocol's `Field`). */
export class Field {
  constructor(name, tableID, columnID, dataTypeID, dataTypeSize, dataTypeModifier, format) {
    this.name = name;
    this.tableID = tableID;
    this.columnID = columnID;
    this.dataTypeID = dataTypeID;
    this.dataTypeSize = dataTypeSize;
    this.dataTypeModifier = dataTypeModifier;
    this.format = format;
  }
}

const COMMAND_TAG = /^([A-Za-z]+)(?: (\d+))?(?: (\d+))?/;

/** A statement's result: what node-postgres' `Result` holds, field for field. */
export class Result {
  constructor(rowMode, types) {
    this.command = null;
    this.rowCount = null;
    this.oid = null;
    this.rows = [];
    this.fields = [];
    this._parsers = undefined;
    this._types = types;
    this.RowCtor = null;
    this.rowAsArray = rowMode === "array";
    if (this.rowAsArray) this.parseRow = this._parseRowAsArray;
    this._prebuiltEmptyResultObject = null;
  }

  addCommandComplete(msg) {
    const match = COMMAND_TAG.exec(msg.text ?? msg.command);
    if (!match) return;
    this.command = match[1];
    if (match[3]) {
      this.oid = parseInt(match[2], 10);
      this.rowCount = parseInt(match[3], 10);
    } else if (match[2]) {
      this.rowCount = parseInt(match[2], 10);
    }
  }

  _parseRowAsArray(cells) {
    const row = new Array(cells.length);
    for (let i = 0; i < cells.length; i++) {
      const raw = cells[i];
      row[i] = raw === null ? null : this._parsers[i](raw);
    }
    return row;
  }

  parseRow(cells) {
    const row = { ...this._prebuiltEmptyResultObject };
    for (let i = 0; i < cells.length; i++) {
      const raw = cells[i];
      const field = this.fields[i];
      if (raw === null) row[field.name] = null;
      else row[field.name] = this._parsers[i](field.format === "binary" ? Buffer.from(raw) : raw);
    }
    return row;
  }

  addRow(row) {
    this.rows.push(row);
  }

  addFields(fields) {
    this.fields = fields;
    if (this.fields.length) this._parsers = new Array(fields.length);
    const empty = Object.create(null);
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i];
      empty[field.name] = null;
      this._parsers[i] = (this._types ?? { getTypeParser }).getTypeParser(field.dataTypeID, field.format || "text");
    }
    this._prebuiltEmptyResultObject = { ...empty };
  }
}

function normalizeQueryConfig(config, values, callback) {
  config = typeof config === "string" ? { text: config } : config;
  if (values) {
    if (typeof values === "function") config.callback = values;
    else config.values = values;
  }
  if (callback) config.callback = callback;
  return config;
}

/** A query: its text, values and options, its result(s) and events (`row`, `end`, `error`). */
export class Query extends EventEmitter {
  constructor(config, values, callback) {
    super();
    config = normalizeQueryConfig(config, values, callback);
    this.text = config.text;
    this.values = config.values;
    this.rows = config.rows;
    this.types = config.types;
    this.name = config.name;
    this.queryMode = config.queryMode;
    this.binary = config.binary;
    this.portal = config.portal || "";
    this.callback = config.callback;
    this._rowMode = config.rowMode;
    this._result = new Result(this._rowMode, this.types);
    this._results = this._result;
    this._canceledDueToError = false;
  }

  requiresPreparation() {
    if (this.queryMode === "extended") return true;
    if (this.name) return true;
    if (this.rows) return true;
    if (!this.text) return false;
    if (!this.values) return false;
    return this.values.length > 0;
  }

  _checkForMultirow() {
    if (this._result.command) {
      if (!Array.isArray(this._results)) this._results = [this._result];
      this._result = new Result(this._rowMode, this._result._types);
      this._results.push(this._result);
    }
  }

  handleRowDescription(msg) {
    this._checkForMultirow();
    this._result.addFields(msg.fields);
    this._accumulateRows = this.callback || !this.listeners("row").length;
  }

  handleDataRow(msg) {
    if (this._canceledDueToError) return;
    let row;
    try {
      row = this._result.parseRow(msg.fields);
    } catch (err) {
      this._canceledDueToError = err;
      return;
    }
    this.emit("row", row, this._result);
    if (this._accumulateRows) this._result.addRow(row);
  }

  handleCommandComplete(msg, connection) {
    this._checkForMultirow();
    this._result.addCommandComplete(msg);
    if (this.rows) connection.sync();
  }

  handleEmptyQuery(connection) {
    if (this.rows) connection.sync();
  }

  handleError(err) {
    if (this._canceledDueToError) {
      err = this._canceledDueToError;
      this._canceledDueToError = false;
    }
    if (this.callback) return this.callback(err);
    this.emit("error", err);
  }

  handleReadyForQuery() {
    if (this._canceledDueToError) return this.handleError(this._canceledDueToError);
    if (this.callback) {
      try {
        this.callback(null, this._results);
      } catch (err) {
        nextTick(() => {
          throw err;
        });
      }
    }
    this.emit("end", this._results);
  }

  /** Sends the query over `connection`; returns an error instead when it cannot be sent. */
  submit(connection) {
    if (typeof this.text !== "string" && typeof this.name !== "string") {
      return new Error("A query must have either text or a name. Supplying neither is unsupported.");
    }
    const previous = connection.parsedStatements[this.name] || connection.submittedNamedStatements[this.name];
    if (this.text && previous && this.text !== previous) {
      return new Error(`Prepared statements must be unique - '${this.name}' was used for a different statement`);
    }
    if (this.values && !Array.isArray(this.values)) return new Error("Query values must be an array");
    if (this.requiresPreparation()) this.prepare(connection);
    else connection.query(this.text);
    return null;
  }

  hasBeenParsed(connection) {
    return this.name && (connection.parsedStatements[this.name] !== undefined || connection.submittedNamedStatements[this.name] !== undefined);
  }

  handlePortalSuspended(connection) {
    this._getRows(connection, this.rows);
  }

  _getRows(connection, rows) {
    connection.execute({ portal: this.portal, rows });
    if (!rows) connection.sync();
    else connection.flush();
  }

  prepare(connection) {
    if (!this.hasBeenParsed(connection)) {
      connection.parse({ text: this.text, name: this.name, types: this.types });
      if (this.name) connection.submittedNamedStatements[this.name] = this.text;
    }
    try {
      connection.bind({ portal: this.portal, statement: this.name, values: this.values, binary: this.binary, valueMapper: prepareValue });
    } catch (err) {
      // as node-postgres: close what was parsed, and the query fails with the error
      connection.close({ type: "S", name: this.name });
      connection.sync();
      this.handleError(err, connection);
      return;
    }
    connection.describe({ type: "P", name: this.portal || "" });
    this._getRows(connection, this.rows);
  }

  handleCopyInResponse(connection) {
    connection.sendCopyFail("No source stream defined");
  }

  handleCopyData() {}
}

/** A prepared parameter that is not text: its bytes (a Buffer, sent in binary format). */
function toBytes(value) {
  if (value instanceof Uint8Array) return value;
  return Buffer.from(String(value));
}

/**
 * What node-postgres keeps as `client.connection`: the protocol's frontend messages as methods
 * (`parse`, `bind`, `describe`, `execute`, `flush`, `sync`, `close`, `query`), the statements
 * parsed so far, and the backend's messages as events (`rowDescription`, `dataRow`, `noData`,
 * `readyForQuery`, …) — what pg's own `Query` and custom query objects (pg-cursor,
 * pg-query-stream) speak. Messages collect until a flush or sync and go out together.
 */
export class Connection extends EventEmitter {
  constructor(client) {
    super();
    this.parsedStatements = {};
    this.submittedNamedStatements = {};
    this._connecting = false;
    this._ending = false;
    Object.defineProperty(this, "_client", { value: client, enumerable: false });
    Object.defineProperty(this, "_batch", { value: [], enumerable: false, writable: true });
    Object.defineProperty(this, "_values", { value: null, enumerable: false, writable: true });
    const self = this;
    this.stream = {
      cork() {},
      uncork() {},
      destroy() {
        self._client._destroy();
      },
    };
  }

  _push(message) {
    this._batch.push(message);
  }

  _send() {
    if (!this._batch.length) return;
    const messages = this._batch;
    const values = this._values;
    this._batch = [];
    this._values = null;
    this._client._send({ kind: "messages", messages }, values);
  }

  query(text) {
    this._push({ m: "query", text });
    this._send();
  }

  parse(query) {
    this._push({ m: "parse", name: query.name || "", text: query.text, types: Array.isArray(query.types) ? query.types : [] });
  }

  bind(config = {}) {
    const mapper = config.valueMapper;
    const values = (config.values || []).map((value, i) => {
      const mapped = mapper ? mapper(value, i) : value;
      if (mapped == null) return null;
      return typeof mapped === "string" ? mapped : mapped instanceof Uint8Array ? mapped : String(mapped);
    });
    // one Bind per request: its values travel beside the messages
    if (this._values) this._send();
    this._values = values.map((v) => (v === null || typeof v === "string" ? v : toBytes(v)));
    this._push({ m: "bind", portal: config.portal || "", statement: config.statement || "", binary: !!config.binary });
  }

  describe(msg) {
    this._push({ m: "describe", kind: msg.type, name: msg.name || "" });
  }

  execute(config = {}) {
    this._push({ m: "execute", portal: config.portal || "", rows: config.rows || 0 });
  }

  close(msg) {
    this._push({ m: "close", kind: msg.type, name: msg.name || "" });
  }

  flush() {
    this._push({ m: "flush" });
    this._send();
  }

  sync() {
    this._push({ m: "sync" });
    this._send();
  }

  sendCopyFail(message) {
    this._push({ m: "copyFail", message });
    this._send();
  }

  end() {
    this._ending = true;
    this._client._terminate();
  }

  ref() {}

  unref() {}
}

/** node-postgres' `Client`. */
export class Client extends EventEmitter {
  constructor(config) {
    super();
    this.connectionParameters = new ConnectionParameters(config);
    this.user = this.connectionParameters.user;
    this.database = this.connectionParameters.database;
    this.port = this.connectionParameters.port;
    this.host = this.connectionParameters.host;
    Object.defineProperty(this, "password", { configurable: true, enumerable: false, writable: true, value: this.connectionParameters.password });
    this.replication = this.connectionParameters.replication;
    const c = config || {};
    this._Promise = c.Promise || globalThis.Promise;
    this._types = new TypeOverrides(c.types);
    this._ending = false;
    this._ended = false;
    this._connecting = false;
    this._connected = false;
    this._connectionError = false;
    this._queryable = true;
    this._activeQuery = null;
    this._txStatus = null;
    this.connection = c.connection || new Connection(this);
    this._queryQueue = [];
    this.binary = c.binary || defaults.binary;
    this.processID = null;
    this.secretKey = null;
    this.ssl = this.connectionParameters.ssl || false;
    if (this.ssl && this.ssl.key) Object.defineProperty(this.ssl, "key", { enumerable: false });
    this._connectionTimeoutMillis = c.connectionTimeoutMillis || 0;
    Object.defineProperty(this, "_rid", { value: null, writable: true, enumerable: false });
    Object.defineProperty(this, "_pendingRead", { value: null, writable: true, enumerable: false });
  }

  get activeQuery() {
    return this._activeQuery;
  }

  _getActiveQuery() {
    return this._activeQuery;
  }

  /** Should the run wait for this connection's next read? */
  _waiting() {
    return this._connecting || this._ending || this._activeQuery !== null || this._queryQueue.length > 0;
  }

  _send(request, values) {
    const rid = this._rid;
    if (rid === null) return;
    ops().send(rid, request, values).then((failure) => {
      if (failure && !this._ended) this._onFailure(failure);
    });
    if (this._pendingRead) ops().wait(this._pendingRead, this._waiting());
  }

  _errorAllQueries(err) {
    const fail = (query) => nextTick(() => query.handleError(err, this.connection));
    if (this._activeQuery) {
      fail(this._activeQuery);
      this._activeQuery = null;
    }
    this._queryQueue.forEach(fail);
    this._queryQueue.length = 0;
  }

  _connect(callback) {
    this._connectionCallback = callback;
    if (this._connecting || this._connected) {
      const err = new Error("Client has already been connected. You cannot reuse a client.");
      nextTick(() => callback(err));
      return;
    }
    this._connecting = true;
    this.connection._connecting = true;
    this._open().catch((err) => this._connectFailed(err));
  }

  async _open() {
    let password = this.password;
    if (typeof password === "function") {
      const pass = await password(this.connectionParameters);
      if (pass !== undefined && typeof pass !== "string") throw new TypeError("Password must be a string");
      this.connectionParameters.password = this.password = pass === undefined ? null : pass;
      password = this.password;
    }
    const params = this.connectionParameters;
    let tls = null;
    if (this.ssl) {
      const s = typeof this.ssl === "object" ? this.ssl : {};
      const pem = (v) => (v == null ? undefined : Array.isArray(v) ? v.map(String).join("\n") : String(v));
      tls = {
        ca: pem(s.ca),
        cert: pem(s.cert),
        key: pem(s.key),
        rejectUnauthorized: s.rejectUnauthorized !== false,
        servername: s.servername ?? undefined,
      };
    }
    const hello = await ops().connect({
      host: String(this.host ?? "localhost"),
      port: this.port,
      params: params.startupParams(),
      password: password == null ? null : String(password),
      tls,
      connectTimeoutMs: this._connectionTimeoutMillis || null,
    });
    if (hello.kind) throw failureError(hello, this.host, this.port);
    this._rid = hello.rid;
    this.processID = hello.processId;
    this.secretKey = hello.secretKey;
    this._handleEvents(hello.events, []);
    this._connecting = false;
    this._connected = true;
    if (this._connectionCallback) {
      this._connectionCallback(null, this);
      this._connectionCallback = null;
    }
    this.emit("connect");
    this.readyForQuery = true;
    this._readLoop();
    if (this._ending) this._goodbye();
    else this._pulseQueryQueue();
  }

  /** A connection that never came up: the error to the connect callback, then `end`. */
  _connectFailed(err) {
    this._connectionError = true;
    this._connecting = false;
    if (this._connectionCallback) {
      const callback = this._connectionCallback;
      this._connectionCallback = null;
      callback(err);
    } else {
      this.emit("error", err);
    }
    this._onEnd();
  }

  /** Reads the server's answers until the connection ends. */
  async _readLoop() {
    const pg = ops();
    while (!this._ended) {
      const promise = pg.read(this._rid, this._waiting());
      this._pendingRead = promise;
      const batch = await promise;
      this._pendingRead = null;
      this._handleEvents(batch.events, unpackRows(batch.text, batch.layout));
    }
  }

  _handleEvents(events, rows) {
    const con = this.connection;
    let next = 0;
    for (const event of events) {
      switch (event.t) {
        case "rows": {
          const query = this._activeQuery;
          const end = next + event.count;
          const listened = con.listenerCount("dataRow") > 0;
          if (!query) {
            if (event.count) this._unexpected("dataRow");
          } else {
            for (; next < end; next++) {
              const cells = rows[next];
              const msg = { name: "dataRow", fields: cells };
              if (listened) con.emit("dataRow", msg);
              query.handleDataRow(msg);
            }
          }
          next = end;
          break;
        }
        case "fields": {
          const fields = event.fields.map((f) => new Field(f.name, f.tableID, f.columnID, f.dataTypeID, f.dataTypeSize, f.dataTypeModifier, f.format));
          const msg = { name: "rowDescription", fieldCount: fields.length, fields };
          con.emit("rowDescription", msg);
          if (!this._activeQuery) return this._unexpected("rowDescription");
          this._activeQuery.handleRowDescription(msg);
          break;
        }
        case "noData":
          con.emit("noData", { name: "noData" });
          break;
        case "complete": {
          const msg = { name: "commandComplete", text: event.text };
          con.emit("commandComplete", msg);
          if (!this._activeQuery) return this._unexpected("commandComplete");
          this._activeQuery.handleCommandComplete(msg, con);
          break;
        }
        case "empty":
          con.emit("emptyQuery", { name: "emptyQuery" });
          if (!this._activeQuery) return this._unexpected("emptyQuery");
          this._activeQuery.handleEmptyQuery(con);
          break;
        case "parseComplete": {
          con.emit("parseComplete", { name: "parseComplete" });
          const query = this._activeQuery;
          if (!query) return this._unexpected("parseComplete");
          if (query.name) {
            con.parsedStatements[query.name] = query.text;
            delete con.submittedNamedStatements[query.name];
          }
          break;
        }
        case "suspended":
          con.emit("portalSuspended", { name: "portalSuspended" });
          if (!this._activeQuery) return this._unexpected("portalSuspended");
          this._activeQuery.handlePortalSuspended(con);
          break;
        case "copyIn":
          if (!this._activeQuery) return this._unexpected("copyInResponse");
          this._activeQuery.handleCopyInResponse(con);
          break;
        case "error": {
          const err = databaseError(event.fields, event.length);
          con.emit("errorMessage", err);
          this._handleErrorMessage(err);
          break;
        }
        case "notice": {
          const notice = noticeMessage(event.fields, event.length);
          con.emit("notice", notice);
          this.emit("notice", notice);
          break;
        }
        case "notification": {
          const msg = new NotificationResponseMessage(event.length, event.processId, event.channel, event.payload);
          con.emit("notification", msg);
          this.emit("notification", msg);
          break;
        }
        case "ready":
          con.emit("readyForQuery", { name: "readyForQuery", status: event.status });
          this._handleReadyForQuery(event.status);
          break;
        case "failed":
          this._onFailure(event.failure);
          this._onEnd();
          break;
        case "end":
          this._onEnd();
          break;
      }
    }
  }

  _unexpected(what) {
    this._handleErrorEvent(new Error(`Received unexpected ${what} message from backend.`));
  }

  _onFailure(failure) {
    this._handleErrorEvent(failureError(failure, this.host, this.port));
  }

  _handleReadyForQuery(status) {
    const query = this._activeQuery;
    this._activeQuery = null;
    this._txStatus = status ?? null;
    this.readyForQuery = true;
    if (query) query.handleReadyForQuery(this.connection);
    this._pulseQueryQueue();
  }

  _handleErrorEvent(err) {
    if (this._ended) return;
    this._queryable = false;
    this._errorAllQueries(err);
    this.emit("error", err);
  }

  _handleErrorMessage(err) {
    const query = this._activeQuery;
    if (!query) {
      this._handleErrorEvent(err);
      return;
    }
    this._activeQuery = null;
    if (query.name) delete this.connection.submittedNamedStatements[query.name];
    query.handleError(err, this.connection);
  }

  /** The socket closed: every query still waiting fails, then `end`. */
  _onEnd() {
    if (this._ended) return;
    const error = this._ending ? new Error("Connection terminated") : new Error("Connection terminated unexpectedly");
    this._ended = true;
    this._errorAllQueries(error);
    if (!this._ending) {
      if (this._connecting && !this._connectionError) {
        if (this._connectionCallback) this._connectionCallback(error);
        else this._handleErrorEventAfterEnd(error);
      } else if (!this._connectionError) {
        this._handleErrorEventAfterEnd(error);
      }
    }
    this.connection.emit("end");
    nextTick(() => this.emit("end"));
  }

  _handleErrorEventAfterEnd(err) {
    this._queryable = false;
    this.emit("error", err);
  }

  _pulseQueryQueue() {
    if (this.readyForQuery !== true) return;
    this._activeQuery = this._queryQueue.shift() ?? null;
    const query = this._activeQuery;
    if (query) {
      this.readyForQuery = false;
      this.hasExecuted = true;
      const error = query.submit(this.connection);
      if (error) {
        nextTick(() => {
          query.handleError(error, this.connection);
          this.readyForQuery = true;
          this._activeQuery = null;
          this._pulseQueryQueue();
        });
      }
    } else if (this.hasExecuted) {
      this._activeQuery = null;
      this.emit("drain");
    }
    if (this._pendingRead) ops().wait(this._pendingRead, this._waiting());
  }

  connect(callback) {
    if (callback) {
      this._connect(callback);
      return;
    }
    return new this._Promise((resolve, reject) => {
      this._connect((error) => (error ? reject(error) : resolve(this)));
    });
  }

  query(config, values, callback) {
    if (config == null) throw new TypeError("Client was passed a null or undefined query");
    let query;
    let result;
    if (config instanceof Query) {
      result = query = config;
      if (!query.callback) {
        if (typeof values === "function") query.callback = values;
        else if (callback) query.callback = callback;
      }
    } else if (typeof config.submit === "function") {
      // a custom query object (pg-cursor, pg-query-stream): it speaks to `client.connection`
      result = query = config;
      if (!query.callback) {
        if (typeof values === "function") query.callback = values;
        else if (callback) query.callback = callback;
      }
    } else {
      query = new Query(config, values, callback);
    }
    if (query === config) {
      // a query object: its events (and callback) report, no promise
    } else if (!query.callback) {
      result = new this._Promise((resolve, reject) => {
        query.callback = (err, res) => (err ? reject(err) : resolve(res));
      }).catch((err) => {
        Error.captureStackTrace(err);
        throw err;
      });
    } else if (typeof query.callback !== "function") {
      throw new TypeError("callback is not a function");
    }
    const readTimeout = config.query_timeout || this.connectionParameters.query_timeout;
    if (readTimeout) {
      const queryCallback = query.callback || (() => {});
      const timer = setTimeout(() => {
        const error = new Error("Query read timeout");
        nextTick(() => query.handleError(error));
        queryCallback(error);
        query.callback = () => {};
        const index = this._queryQueue.indexOf(query);
        if (index > -1) this._queryQueue.splice(index, 1);
        this._pulseQueryQueue();
      }, readTimeout);
      query.callback = (err, res) => {
        clearTimeout(timer);
        queryCallback(err, res);
      };
    }
    if (this.binary && !query.binary) query.binary = true;
    if (query._result && !query._result._types) query._result._types = this._types;
    if (!this._queryable) {
      nextTick(() => query.handleError(new Error("Client has encountered a connection error and is not queryable")));
      return result;
    }
    if (this._ending) {
      nextTick(() => query.handleError(new Error("Client was closed and is not queryable")));
      return result;
    }
    this._queryQueue.push(query);
    this._pulseQueryQueue();
    return result;
  }

  ref() {}

  unref() {}

  getTransactionStatus() {
    return this._txStatus;
  }

  setTypeParser(oid, format, parseFn) {
    return this._types.setTypeParser(oid, format, parseFn);
  }

  getTypeParser(oid, format) {
    return this._types.getTypeParser(oid, format);
  }

  escapeIdentifier(str) {
    return escapeIdentifier(str);
  }

  escapeLiteral(str) {
    return escapeLiteral(str);
  }

  /** Terminate (or, with a query still running or a dead socket, close at once). */
  _goodbye() {
    if (this._rid === null) return;
    if (!this._queryable || this._activeQuery) this._destroy();
    else this._terminate();
  }

  _terminate() {
    if (this._rid === null) return;
    this._send({ kind: "terminate" });
    if (this._pendingRead) ops().wait(this._pendingRead, true);
  }

  _destroy() {
    if (this._rid === null) return;
    ops().destroy(this._rid);
    if (this._pendingRead) ops().wait(this._pendingRead, true);
  }

  end(cb) {
    this._ending = true;
    if (!this.connection._connecting || this._ended) {
      if (cb) {
        cb();
        return;
      }
      return this._Promise.resolve();
    }
    if (this._connected) this._goodbye();
    if (cb) {
      this.connection.once("end", cb);
      return;
    }
    return new this._Promise((resolve) => this.connection.once("end", resolve));
  }
}

Client.Query = Query;

export { DatabaseError };
