// The errors node-postgres gives: the server's ErrorResponse as a `DatabaseError` (every field
// the protocol carries, assigned in pg-protocol's order, `undefined` when absent, so that an
// inspected error reads the same), notices, and socket/TLS failures worded as Node's network
// layer words them.

/** An ErrorResponse from the server (pg-protocol's `DatabaseError`). */
export class DatabaseError extends Error {
  constructor(message, length, name) {
    super(message);
    this.length = length;
    this.name = name;
  }
}

/** The protocol's one-letter field codes, in the order pg-protocol assigns them. */
const FIELDS = [
  ["severity", "S"], ["code", "C"], ["detail", "D"], ["hint", "H"], ["position", "P"],
  ["internalPosition", "p"], ["internalQuery", "q"], ["where", "W"], ["schema", "s"],
  ["table", "t"], ["column", "c"], ["dataType", "d"], ["constraint", "n"], ["file", "F"],
  ["line", "L"], ["routine", "R"],
];

function assignFields(target, pairs) {
  const byCode = Object.create(null);
  for (const [code, value] of pairs) byCode[code] = value;
  for (const [key, code] of FIELDS) target[key] = byCode[code];
  return byCode;
}

/** A `DatabaseError` from the op's `[code, value]` pairs. */
export function databaseError(pairs, length) {
  const byCode = Object.create(null);
  for (const [code, value] of pairs) byCode[code] = value;
  const err = new DatabaseError(byCode.M, length, "error");
  assignFields(err, pairs);
  return err;
}

/** A NoticeResponse as pg-protocol's `NoticeMessage` (what the client's `notice` event gets). */
export class NoticeMessage {
  constructor(length, message) {
    this.length = length;
    this.message = message;
    this.name = "notice";
  }
}

export function noticeMessage(pairs, length) {
  const byCode = Object.create(null);
  for (const [code, value] of pairs) byCode[code] = value;
  const notice = new NoticeMessage(length, byCode.M);
  assignFields(notice, pairs);
  return notice;
}

/** A NotificationResponse (the client's `notification` event). */
export class NotificationResponseMessage {
  constructor(length, processId, channel, payload) {
    this.length = length;
    this.processId = processId;
    this.channel = channel;
    this.payload = payload;
    this.name = "notification";
  }
}

const ERRNO = { ECONNREFUSED: -111, ECONNRESET: -104, ENOTFOUND: -3008, EAI_AGAIN: -3001, ETIMEDOUT: -110, EPIPE: -32, ENOENT: -2 };

/**
 * The error of a failed connection or exchange (`failure` from the ops): the server's
 * `DatabaseError`, Node's socket error (`connect ECONNREFUSED 127.0.0.1:5432` with `errno`,
 * `code`, `syscall`, `address`, `port`), Node's TLS error (OpenSSL's text with `code`), or
 * node-postgres' own message.
 */
export function failureError(failure, host, port) {
  if (failure.kind === "server") return databaseError(failure.fields, failure.length);
  if (failure.kind === "net") {
    const code = failure.code;
    if (!(code in ERRNO)) {
      const err = new Error(failure.message);
      err.code = code;
      return err;
    }
    const [syscall] = failure.message.split(" ");
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      const lookup = code === "ENOTFOUND" || code === "EAI_AGAIN";
      const socketPath = typeof host === "string" && host.startsWith("/");
      let text;
      if (lookup) text = `getaddrinfo ${code} ${host}`;
      else if (syscall === "connect") text = socketPath ? `connect ${code} ${host}/.s.PGSQL.${port}` : `connect ${code} ${host}:${port}`;
      else text = `${syscall} ${code}`;
      const err = new Error(text);
      err.errno = ERRNO[code];
      err.code = code;
      err.syscall = lookup ? "getaddrinfo" : syscall;
      if (lookup) err.hostname = host;
      else if (syscall === "connect") {
        if (socketPath) err.address = `${host}/.s.PGSQL.${port}`;
        else {
          err.address = host;
          err.port = Number(port);
        }
      }
      return err;
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
  return new Error(failure.message);
}
