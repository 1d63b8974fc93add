// undici's error classes, with the names, codes and default messages undici gives them.
// `instanceof` also recognises errors made by another copy of this module (undici does the same
// with `Symbol.for` brands), so errors cross versions and realms of the bridge.

const brand = (code) => Symbol.for(`undici.error.${code}`);

export class UndiciError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = "UndiciError";
    this.code = "UND_ERR";
  }
  static [Symbol.hasInstance](instance) {
    return instance != null && instance[brand("UND_ERR")] === true;
  }
  get [brand("UND_ERR")]() {
    return true;
  }
}

/** Defines `class Name extends Base` with undici's code and default message. */
function define(name, code, defaultMessage, Base = UndiciError, errorName = name) {
  const key = brand(code);
  const cls = {
    [name]: class extends Base {
      constructor(message, ...rest) {
        super(message, ...rest);
        this.name = errorName;
        this.message = message || defaultMessage;
        this.code = code;
      }
      static [Symbol.hasInstance](instance) {
        return instance != null && instance[key] === true;
      }
      get [key]() {
        return true;
      }
    },
  }[name];
  return cls;
}

export const ConnectTimeoutError = define("ConnectTimeoutError", "UND_ERR_CONNECT_TIMEOUT", "Connect Timeout Error");
export const HeadersTimeoutError = define("HeadersTimeoutError", "UND_ERR_HEADERS_TIMEOUT", "Headers Timeout Error");
export const HeadersOverflowError = define("HeadersOverflowError", "UND_ERR_HEADERS_OVERFLOW", "Headers Overflow Error");
export const BodyTimeoutError = define("BodyTimeoutError", "UND_ERR_BODY_TIMEOUT", "Body Timeout Error");
export const InvalidArgumentError = define("InvalidArgumentError", "UND_ERR_INVALID_ARG", "Invalid Argument Error");
export const InvalidReturnValueError = define("InvalidReturnValueError", "UND_ERR_INVALID_RETURN_VALUE", "Invalid Return Value Error");
export const AbortError = define("AbortError", "UND_ERR_ABORT", "The operation was aborted");
export const RequestAbortedError = define("RequestAbortedError", "UND_ERR_ABORTED", "Request aborted", AbortError, "AbortError");
export const InformationalError = define("InformationalError", "UND_ERR_INFO", "Request information");
export const RequestContentLengthMismatchError = define("RequestContentLengthMismatchError", "UND_ERR_REQ_CONTENT_LENGTH_MISMATCH", "Request body length does not match content-length header");
export const ResponseContentLengthMismatchError = define("ResponseContentLengthMismatchError", "UND_ERR_RES_CONTENT_LENGTH_MISMATCH", "Response body length does not match content-length header");
export const ClientDestroyedError = define("ClientDestroyedError", "UND_ERR_DESTROYED", "The client is destroyed");
export const ClientClosedError = define("ClientClosedError", "UND_ERR_CLOSED", "The client is closed");
export const SocketError = define("SocketError", "UND_ERR_SOCKET", "Socket error");
export const NotSupportedError = define("NotSupportedError", "UND_ERR_NOT_SUPPORTED", "Not supported error");
export const BalancedPoolMissingUpstreamError = define("BalancedPoolMissingUpstreamError", "UND_ERR_BPL_MISSING_UPSTREAM", "No upstream has been added to the BalancedPool", UndiciError, "MissingUpstreamError");
export const ResponseExceededMaxSizeError = define("ResponseExceededMaxSizeError", "UND_ERR_RES_EXCEEDED_MAX_SIZE", "Response content exceeded max size");
export const SecureProxyConnectionError = define("SecureProxyConnectionError", "UND_ERR_PRX_TLS", "Secure Proxy Connection failed");
export const MaxOriginsReachedError = define("MaxOriginsReachedError", "UND_ERR_MAX_ORIGINS_REACHED", "Maximum allowed origins reached");
export const MockNotMatchedError = define("MockNotMatchedError", "UND_MOCK_ERR_MOCK_NOT_MATCHED", "The request does not match any registered mock dispatches");

export class HTTPParserError extends Error {
  constructor(message, code, data) {
    super(message);
    this.name = "HTTPParserError";
    this.code = code ? `HPE_${code}` : undefined;
    this.data = data ? data.toString() : undefined;
  }
}

export class RequestRetryError extends UndiciError {
  constructor(message, code, { headers, data } = {}) {
    super(message);
    this.name = "RequestRetryError";
    this.message = message || "Request retry error";
    this.code = "UND_ERR_REQ_RETRY";
    this.statusCode = code;
    this.data = data;
    this.headers = headers;
  }
}

export class ResponseError extends UndiciError {
  constructor(message, code, { headers, body } = {}) {
    super(message);
    this.name = "ResponseError";
    this.message = message || "Response error";
    this.code = "UND_ERR_RESPONSE";
    this.statusCode = code;
    this.body = body;
    this.headers = headers;
  }
}

/** undici 5's ResponseStatusCodeError (throwOnError). */
export class ResponseStatusCodeError extends UndiciError {
  constructor(message, statusCode, headers, body) {
    super(message);
    this.name = "ResponseStatusCodeError";
    this.message = message || "Response Status Code Error";
    this.code = "UND_ERR_RESPONSE_STATUS_CODE";
    this.body = body;
    this.status = statusCode;
    this.statusCode = statusCode;
    this.headers = headers;
  }
}

/**
 * Turns a failure of the engine's HTTP ops (`err.code` set by the op) into what undici
 * surfaces: its own error classes for its codes. Socket and TLS failures arrive as the errors
 * Node's network layer makes (`ECONNREFUSED`, `self-signed certificate`, ...; built by the ops'
 * glue, js/06_http.js) and pass through unchanged, as undici passes Node's on.
 */
export function fromNetError(e) {
  const code = e?.code;
  const message = e?.message ?? String(e);
  switch (code) {
    case "UND_ERR_CONNECT_TIMEOUT":
      return new ConnectTimeoutError(message);
    case "UND_ERR_HEADERS_TIMEOUT":
      return new HeadersTimeoutError(message);
    case "UND_ERR_BODY_TIMEOUT":
      return new BodyTimeoutError(message);
    case "UND_ERR_SOCKET":
      return new SocketError(message);
    case "UND_ERR_ABORTED":
      return new RequestAbortedError(message);
    default: {
      if (e instanceof Error) return e;
      const err = new SocketError(message);
      return err;
    }
  }
}
