// node-postgres' `Pool` (the pg-pool package's API): up to `max` clients, handed out by
// `connect()` and given back by `release()`, `query()` on whichever client is free, idle clients
// closed after `idleTimeoutMillis`, `end()`, the counts and the events (`connect`, `acquire`,
// `release`, `remove`, `error`).
import { EventEmitter } from "node:events";

const NOOP = () => {};

/** A promise and a node-style callback that settles it (or the caller's callback). */
function promisify(Promise, callback) {
  if (callback) return { callback, result: undefined };
  let settle;
  const result = new Promise((resolve, reject) => {
    settle = (err, client) => (err ? reject(err) : resolve(client));
  }).catch((err) => {
    Error.captureStackTrace(err);
    throw err;
  });
  return { callback: settle, result };
}

export class Pool extends EventEmitter {
  constructor(options, Client) {
    super();
    this.options = Object.assign({}, options);
    if (options != null && "password" in options) {
      Object.defineProperty(this.options, "password", { configurable: true, enumerable: false, writable: true, value: options.password });
    }
    if (options?.ssl?.key) Object.defineProperty(this.options.ssl, "key", { enumerable: false });
    this.options.max = this.options.max || this.options.poolSize || 10;
    this.options.min = this.options.min || 0;
    this.options.maxUses = this.options.maxUses || Infinity;
    this.options.allowExitOnIdle = this.options.allowExitOnIdle || false;
    this.options.maxLifetimeSeconds = this.options.maxLifetimeSeconds || 0;
    this.log = this.options.log || NOOP;
    this.Client = this.options.Client || Client;
    this.Promise = this.options.Promise || globalThis.Promise;
    if (typeof this.options.idleTimeoutMillis === "undefined") this.options.idleTimeoutMillis = 10000;
    this._clients = [];
    this._idle = [];
    this._pendingQueue = [];
    this._endCallback = undefined;
    this.ending = false;
    this.ended = false;
  }

  get waitingCount() {
    return this._pendingQueue.length;
  }

  get idleCount() {
    return this._idle.length;
  }

  get expiredCount() {
    return 0;
  }

  get totalCount() {
    return this._clients.length;
  }

  _isFull() {
    return this._clients.length >= this.options.max;
  }

  /** Hands an idle client to the next waiter, or opens one, or finishes `end()`. */
  _pulseQueue() {
    if (this.ended) return;
    if (this.ending) {
      for (const idle of this._idle.splice(0)) {
        clearTimeout(idle.timer);
        this._remove(idle.client);
      }
      if (!this._clients.length) {
        this.ended = true;
        this._endCallback?.();
      }
      return;
    }
    if (!this._pendingQueue.length) return;
    if (this._idle.length) {
      const waiter = this._pendingQueue.shift();
      const idle = this._idle.pop();
      clearTimeout(idle.timer);
      this._acquire(idle.client, waiter);
      return;
    }
    if (!this._isFull()) this._newClient(this._pendingQueue.shift());
  }

  _remove(client, callback) {
    const idle = this._idle.findIndex((i) => i.client === client);
    if (idle !== -1) {
      clearTimeout(this._idle[idle].timer);
      this._idle.splice(idle, 1);
    }
    this._clients = this._clients.filter((c) => c !== client);
    client.end(() => {
      this.emit("remove", client);
      callback?.();
    });
  }

  connect(cb) {
    if (this.ending) {
      const err = new Error("Cannot use a pool after calling end on the pool");
      return cb ? cb(err) : this.Promise.reject(err);
    }
    const response = promisify(this.Promise, cb);
    if (this._isFull() || this._idle.length) {
      if (this._idle.length) globalThis.process.nextTick(() => this._pulseQueue());
      if (!this.options.connectionTimeoutMillis) {
        this._pendingQueue.push({ callback: response.callback });
        return response.result;
      }
      const waiter = { callback: null, timedOut: false };
      const timer = setTimeout(() => {
        this._pendingQueue = this._pendingQueue.filter((w) => w !== waiter);
        waiter.timedOut = true;
        response.callback(new Error("timeout exceeded when trying to connect"));
      }, this.options.connectionTimeoutMillis);
      timer.unref?.();
      waiter.callback = (err, client, done) => {
        clearTimeout(timer);
        response.callback(err, client, done);
      };
      this._pendingQueue.push(waiter);
      return response.result;
    }
    this._newClient({ callback: response.callback });
    return response.result;
  }

  _newClient(waiter) {
    const client = new this.Client(this.options);
    this._clients.push(client);
    const onIdleError = (err) => {
      err.client = client;
      client.removeListener("error", onIdleError);
      client.on("error", NOOP);
      this._remove(client);
      this.emit("error", err, client);
    };
    const started = Date.now();
    client.connect((err) => {
      client.on("error", onIdleError);
      if (err) {
        this._clients = this._clients.filter((c) => c !== client);
        const timeout = this.options.connectionTimeoutMillis;
        if (timeout && Date.now() - started >= timeout) {
          err = new Error("Connection terminated due to connection timeout", { cause: err });
        }
        this._pulseQueue();
        if (!waiter.timedOut) waiter.callback(err, undefined, NOOP);
        return;
      }
      client._poolUseCount = 0;
      client._poolIdleListener = onIdleError;
      this.emit("connect", client);
      this._acquire(client, waiter);
    });
  }

  _acquire(client, waiter) {
    client._poolUseCount = (client._poolUseCount || 0) + 1;
    this.emit("acquire", client);
    client.release = this._releaser(client);
    client.removeListener("error", client._poolIdleListener);
    if (waiter.timedOut) {
      client.release();
      return;
    }
    waiter.callback(undefined, client, client.release);
  }

  _releaser(client) {
    let released = false;
    return (err) => {
      if (released) throw new Error("Release called on client which has already been released to the pool.");
      released = true;
      this._release(client, err);
    };
  }

  _release(client, err) {
    client.on("error", client._poolIdleListener);
    this.emit("release", err, client);
    if (err || this.ending || !client._queryable || client._ending || client._poolUseCount >= this.options.maxUses) {
      this._remove(client, () => this._pulseQueue());
      return;
    }
    const idle = { client, timer: undefined };
    if (this.options.idleTimeoutMillis && this._clients.length > this.options.min) {
      idle.timer = setTimeout(() => this._remove(client, () => this._pulseQueue()), this.options.idleTimeoutMillis);
      // unlike pg-pool (which keeps the process up unless `allowExitOnIdle`), an idle client never
      // keeps a run alive: the run is over when its job is
      idle.timer.unref?.();
    }
    this._idle.push(idle);
    this._pulseQueue();
  }

  query(text, values, cb) {
    if (typeof text === "function") {
      const response = promisify(this.Promise, text);
      globalThis.process.nextTick(() => response.callback(new Error("Passing a function as the first parameter to pool.query is not supported")));
      return response.result;
    }
    if (typeof values === "function") {
      cb = values;
      values = undefined;
    }
    const response = promisify(this.Promise, cb);
    cb = response.callback;
    this.connect((err, client) => {
      if (err) return cb(err);
      let released = false;
      const onError = (err) => {
        if (released) return;
        released = true;
        client.release(err);
        cb(err);
      };
      client.once("error", onError);
      try {
        client.query(text, values, (err, res) => {
          client.removeListener("error", onError);
          if (released) return;
          released = true;
          client.release(err);
          return err ? cb(err) : cb(undefined, res);
        });
      } catch (err) {
        client.release(err);
        return cb(err);
      }
    });
    return response.result;
  }

  end(cb) {
    if (this.ending) {
      const err = new Error("Called end on pool more than once");
      return cb ? cb(err) : this.Promise.reject(err);
    }
    this.ending = true;
    const promised = promisify(this.Promise, cb);
    this._endCallback = promised.callback;
    this._pulseQueue();
    return promised.result;
  }
}
