// The npm `pg` driver (8.x) over Deno's node:net and node:tls against the real PostgreSQL of
// tests/pg/start.sh: logins as its trust, md5 and scram-sha-256 roles (and wrong passwords),
// `ssl` with the server's throw-away CA, without it, and unverified, and a server that goes away
// mid-query (pg_terminate_backend from a second client: a clear error, no hang).
// state.configuration: { pg (the scram URL start.sh prints) }. The other roles follow start.sh
// (fnhost_trust, no password; fnhost_md5, password fnhost) and the CA's PEM text is the server
// setting `fnhost.test_ca`. pg_auth.expected.json is what Node produces against the same server.
import pg from "pg";

const fields = (e) => ({ name: e.name, message: e.message, code: e.code, severity: e.severity });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export default [
  async (state) => {
    // postgres://user:password@host:port/database (jobs have no URL global)
    const [, user, password, host, port, database] = state.configuration.pg.match(/^postgres(?:ql)?:\/\/([^:@]+):([^@]*)@([^:/]+):(\d+)\/([^?]+)$/);
    // a hang shows as pg's connection timeout error instead of a test that never ends
    const base = { host, port: Number(port), database, connectionTimeoutMillis: 10000 };
    const scram = { ...base, user: decodeURIComponent(user), password: decodeURIComponent(password) };
    const md5 = { ...base, user: "fnhost_md5", password: "fnhost" };
    const trust = { ...base, user: "fnhost_trust" };

    /** Connects with `config`, answers who it is and whether the connection is TLS, ends. */
    const login = async (config) => {
      const client = new pg.Client(config);
      try {
        await client.connect();
      } catch (e) {
        return { error: fields(e) };
      }
      const { rows } = await client.query("select current_user as who, (select ssl from pg_stat_ssl where pid = pg_backend_pid()) as ssl");
      await client.end();
      return rows[0];
    };

    const data = {};
    data.logins = {
      trust: await login(trust),
      md5: await login(md5),
      scram: await login(scram),
      md5Wrong: await login({ ...md5, password: "wrong" }),
      scramWrong: await login({ ...scram, password: "wrong" }),
    };

    const plain = new pg.Client(scram);
    await plain.connect();
    const ca = (await plain.query("select current_setting('fnhost.test_ca') as ca")).rows[0].ca;
    await plain.end();
    data.caIsPem = ca.startsWith("-----BEGIN CERTIFICATE-----");
    data.ssl = {
      withCa: await login({ ...scram, ssl: { ca } }),
      trustWithCa: await login({ ...trust, ssl: { ca } }),
      md5WithCa: await login({ ...md5, ssl: { ca } }),
      withCaAsLocalhost: await login({ ...scram, ssl: { ca, servername: "localhost" } }),
      withCaWrongName: await login({ ...scram, ssl: { ca, servername: "wrong.example" } }),
      withoutCa: await login({ ...scram, ssl: { rejectUnauthorized: true } }),
      sslTrue: await login({ ...scram, ssl: true }),
      unverified: await login({ ...scram, ssl: { rejectUnauthorized: false } }),
    };

    // A server that goes away mid-query: a second client terminates the first one's backend
    // while it runs pg_sleep(10).
    const victim = new pg.Client(scram);
    await victim.connect();
    const events = [];
    victim.on("error", (e) => events.push(["error", e.message]));
    const ended = new Promise((resolve) => victim.on("end", () => { events.push(["end"]); resolve(); }));
    const pid = (await victim.query("select pg_backend_pid() as pid")).rows[0].pid;
    const started = Date.now();
    const sleeping = victim.query("select pg_sleep(10)").then(() => ({ finished: true }), fields);
    const killer = new pg.Client(scram);
    await killer.connect();
    let running = false;
    for (let i = 0; i < 100 && !running; i++) {
      const q = await killer.query("select 1 from pg_stat_activity where pid = $1 and state = 'active' and query like 'select pg_sleep%'", [pid]);
      running = q.rowCount === 1;
      if (!running) await sleep(20);
    }
    const terminated = (await killer.query("select pg_terminate_backend($1) as t", [pid])).rows[0].t;
    await killer.end();
    const outcome = await Promise.race([sleeping, sleep(8000).then(() => ({ hung: true }))]);
    const endSeen = await Promise.race([ended.then(() => true), sleep(3000).then(() => false)]);
    const elapsed = Date.now() - started;
    const after = await victim.query("select 1").then(() => ({ ok: true }), (e) => ({ name: e.name, message: e.message }));
    data.vanished = { running, terminated, query: outcome, events, endSeen, underFiveSeconds: elapsed < 5000, queryAfter: after };
    return { ...state, data };
  },
];
