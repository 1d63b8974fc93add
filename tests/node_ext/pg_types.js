// node-postgres against the real PostgreSQL, type by type and feature by feature: what each type
// comes back as (and goes in as), prepared statements, rowMode, custom parsers, errors with every
// field, multi-statement results, notices, LISTEN/NOTIFY, pg-format. Run three ways by
// tests/it/pg_bridge.rs — fnhost's bridge, the npm pg on fnhost (--no-bridge pg), and Node
// (pg_types.expected.json, from make-expected.mjs) — which must agree exactly.
import pg from "pg";
import format from "pg-format";

/** A JSON-safe description of a value that keeps its type. */
function show(v) {
  if (v === null) return null;
  if (v === undefined) return { undefined: true };
  if (typeof v === "number") return Number.isFinite(v) && !Object.is(v, -0) ? v : { number: String(Object.is(v, -0) ? "-0" : v) };
  if (typeof v === "bigint") return { bigint: String(v) };
  if (typeof v !== "object") return v;
  // (not `instanceof`: values the driver makes come from the adaptor realm, as in OpenFn)
  if (Object.prototype.toString.call(v) === "[object Date]") return { date: Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString(), local: String(v) };
  if (Buffer.isBuffer(v)) return { buffer: v.toString("hex") };
  if (Array.isArray(v)) return v.map(show);
  const out = { proto: Object.getPrototypeOf(v)?.constructor?.name ?? null };
  for (const k of Object.keys(v)) out[k] = show(v[k]);
  if (typeof v.toPostgres === "function") out.toPostgres = v.toPostgres();
  if (typeof v.toISOString === "function") out.toISOString = v.toISOString();
  return out;
}

const errorFields = (e) => {
  const out = { name: e.name, message: e.message, ctor: e.constructor.name };
  for (const k of ["length", "severity", "code", "detail", "hint", "position", "internalPosition", "internalQuery", "where", "schema", "table", "column", "dataType", "constraint", "file", "line", "routine"]) {
    // the temp schema's number and the server's source position vary from run to run
    out[k] = e[k] === undefined ? "(undefined)" : k === "line" || k === "file" || k === "routine" || k === "length" ? typeof e[k] : k === "schema" ? e[k].replace(/^pg_temp_\d+$/, "pg_temp_N") : e[k];
  }
  out.keys = Object.keys(e);
  return out;
};

const resultShape = (r) => ({
  command: r.command,
  rowCount: r.rowCount,
  oid: r.oid,
  rows: show(r.rows),
  fields: r.fields.map((f) => ({ ...f, proto: f.constructor.name, dataTypeModifier: f.dataTypeModifier, tableID: f.tableID ? "table" : 0 })),
  rowAsArray: r.rowAsArray,
  keys: Object.keys(r),
  json: JSON.parse(JSON.stringify({ ...r, fields: [], _types: undefined })),
});

const SELECTS = {
  int2: "select 32767::int2 as v",
  int4: "select -2147483648::int4 as v",
  int8: "select 9223372036854775807::int8 as v",
  oid: "select 4294967295::oid as v",
  float4: "select 3.14159::float4 as v",
  float8: "select 'NaN'::float8 as a, '-Infinity'::float8 as b, 1e308::float8 as c, -0.0::float8 as d",
  numeric: "select 123456789012345678901234567890.123456789::numeric as v, 'NaN'::numeric as n",
  money: "select 12.34::money as v",
  bool: "select true as t, false as f",
  text: "select 'héllo\n\"quoted\" \\ back'::text as v, ''::text as empty",
  varchar: "select 'x'::varchar(10) as v, 'ab'::char(4) as c",
  uuid: "select 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as v",
  json: `select '{"a":[1,2.5,"x",null,true]}'::json as j, '{"b":{"c":1}}'::jsonb as b, 'null'::jsonb as n, '"s"'::json as s`,
  bytea: "select '\\xdeadbeef00'::bytea as v, ''::bytea as empty",
  date: "select '2024-02-29'::date as v, '0001-01-01 BC'::date as bc, 'infinity'::date as inf",
  timestamp: "select '2024-01-02 03:04:05.123456'::timestamp as v, '1999-12-31 23:59:59'::timestamp as w, '-infinity'::timestamp as ninf",
  timestamptz: "select '2024-01-02 03:04:05.5+05:30'::timestamptz as v, '1900-06-01 00:00:00+00'::timestamptz as old",
  time: "select '13:14:15.678'::time as v, '13:14:15+02'::timetz as tz",
  interval: "select '1 year 2 mons 3 days 04:05:06.789'::interval as v, '-1 day -00:00:01'::interval as neg, '0'::interval as zero",
  point: "select '(1.5,-2)'::point as p, '<(1,2),3>'::circle as c, '((0,0),(1,1))'::box as b",
  inet: "select '192.168.0.1/24'::inet as i, '10.0.0.0/8'::cidr as c, '08:00:2b:01:02:03'::macaddr as m",
  arrays: `select array[1,2,null]::int4[] as ints, array[9007199254740993]::int8[] as bigs, array['a','b c','"q"','back\\slash',null,'NULL']::text[] as texts, array[[1,2],[3,4]]::int2[] as nested, '{}'::int4[] as empty, array[true,false]::bool[] as bools, array[1.5,2]::float8[] as floats, array['2024-01-01'::date] as dates, array['2024-01-02 03:04:05+00'::timestamptz] as tstz, array['{"a":1}'::jsonb] as jsons, array['\\x01ff'::bytea] as byteas, array['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid] as uuids, array[1.1::numeric] as nums, array['1 day'::interval] as intervals`,
  enumish: "select 'x'::name as n, 'abc'::bpchar as b, 12::int2vector as v",
  range: "select '[1,10)'::int4range as r",
  xml: "select '<a>1</a>'::xml as x",
};

const PARAMS = [
  ["number", 42],
  ["float", 1.5],
  ["string", "text é ' \" \\"],
  ["true", true],
  ["null", null],
  ["undefined", undefined],
  ["date", new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678))],
  ["buffer", Buffer.from([0, 1, 2, 255])],
  ["array", [1, null, "two", [3, 4]]],
  ["arrayOfStrings", ['a"b', "c,d", "e\\f", "", null]],
  ["object", { a: [1, { b: null }], c: "x" }],
  ["toPostgres", { toPostgres: () => "custom" }],
  // BigInt(...) rather than a literal: OpenFn's compiler rejects BigInt literals in jobs
  ["bigint", BigInt("12345678901234567890")],
];

export default [
  async (state) => {
    const url = state.configuration.pg;
    const data = {};
    const client = new pg.Client({ connectionString: url, application_name: "fnhost-pg-types" });
    const notices = [];
    client.on("notice", (n) => notices.push({ ...show(n), line: typeof n.line, file: typeof n.file, routine: typeof n.routine }));
    // a query sent before connect() resolves waits for the connection (language-postgresql does this)
    const connecting = client.connect();
    const early = client.query("select 1 as early");
    await connecting;
    data.early = show((await early).rows);
    await client.query("set timezone = 'America/New_York'");
    await client.query("set intervalstyle = 'postgres'");

    data.selects = {};
    for (const [name, text] of Object.entries(SELECTS)) {
      try {
        data.selects[name] = resultShape(await client.query(text));
      } catch (e) {
        data.selects[name] = { error: errorFields(e) };
      }
    }

    data.params = {};
    for (const [name, value] of PARAMS) {
      try {
        const r = await client.query("select $1::text as as_text, pg_typeof($1)::text as type", [value]);
        data.params[name] = show(r.rows[0]);
      } catch (e) {
        data.params[name] = { error: { name: e.name, message: e.message } };
      }
    }
    try {
      const r = await client.query("select $1::bytea as b, $2::jsonb as j, $3::int[] as a, $4::timestamptz as t", [Buffer.from("hi"), { k: [1] }, [1, 2], new Date(0)]);
      data.roundTrip = show(r.rows[0]);
    } catch (e) {
      data.roundTrip = { error: e.message };
    }
    const circular = {};
    circular.toPostgres = () => circular;
    try {
      await client.query("select $1::text", [circular]);
    } catch (e) {
      data.circular = { name: e.name, message: e.message };
    }

    // rowMode, named statements, types overrides, multi-statement, empty query
    try {
      data.binary = resultShape(await client.query({ text: "select 1::int4 as i, 9007199254740993::int8 as big, 'x é'::text as t, true as b, 1.5::float8 as f, '2024-01-02T03:04:05.678Z'::timestamptz as ts, '\\x00ff'::bytea as bytes, null::int4 as nothing", binary: true }));
      // with the extended protocol the results really come in binary format
      data.binaryExtended = resultShape(await client.query({ text: "select $1::int4 as i, 9007199254740993::int8 as big, 'x é'::text as t, true as b, 1.5::float8 as f, '2024-01-02T03:04:05.678Z'::timestamptz as ts, '\\x00ff'::bytea as bytes, null::int4 as nothing", values: [7], binary: true }));
    } catch (e) {
      data.binary = { error: e.message };
    }
    data.rowMode = resultShape(await client.query({ text: "select 1 as a, 'x' as a, null as b", rowMode: "array" }));
    data.duplicateColumns = show((await client.query("select 1 as a, 2 as a")).rows);
    data.named = [];
    for (const n of [1, 2]) data.named.push(show((await client.query({ name: "double", text: "select $1::int * 2 as d", values: [n] })).rows));
    try {
      await client.query({ name: "double", text: "select 3", values: [] });
    } catch (e) {
      data.namedConflict = { name: e.name, message: e.message };
    }
    const types = { getTypeParser: (oid, format) => (oid === 23 ? (v) => `int:${v}` : pg.types.getTypeParser(oid, format)) };
    data.customTypes = show((await client.query({ text: "select 7::int4 as i, 'x'::text as t", types })).rows);
    client.setTypeParser(1700, (v) => Number(v));
    data.clientParser = show((await client.query("select 1.25::numeric as n")).rows);
    const multi = await client.query("select 1 as one; select 'two' as two; create temp table t_multi (a int); insert into t_multi values (1), (2)");
    data.multi = multi.map(resultShape);
    data.empty = resultShape(await client.query(""));
    data.emptyExtended = resultShape(await client.query({ text: "", values: [] }));

    // commands and their counts
    await client.query("create temp table items (id serial primary key, name text not null unique, n int check (n > 0), parent int references items(id))");
    data.insert = resultShape(await client.query("insert into items (name, n) values ($1, $2), ($3, $4) returning *", ["a", 1, "b", 2]));
    data.update = resultShape(await client.query("update items set n = n + 1"));
    data.upsert = resultShape(await client.query("insert into items (name, n) values ('a', 5) on conflict (name) do update set n = excluded.n returning id, n"));
    data.delete = resultShape(await client.query("delete from items where name = 'b'"));
    data.select0 = resultShape(await client.query("select * from items where false"));
    data.createTable = resultShape(await client.query("create temp table other (x int)"));

    // errors with every field
    data.errors = {};
    const failing = {
      unique: ["insert into items (name, n) values ('a', 1)"],
      notNull: ["insert into items (name) values (null)"],
      check: ["insert into items (name, n) values ('c', -1)"],
      foreignKey: ["insert into items (name, n, parent) values ('d', 1, 999)"],
      syntax: ["selec 1"],
      missingTable: ["select * from nowhere"],
      missingColumn: ["select nothing from items"],
      divide: ["select 1/0"],
      badInput: ["select $1::int", ["abc"]],
      tooFewParams: ["select $1::int, $2::int", [1]],
      raise: ["do $$ begin raise exception 'custom % here', 42 using detail = 'the detail', hint = 'the hint', errcode = 'P0042'; end $$"],
    };
    for (const [name, [text, values]] of Object.entries(failing)) {
      try {
        await client.query(text, values);
        data.errors[name] = "no error";
      } catch (e) {
        data.errors[name] = errorFields(e);
      }
    }
    data.afterErrors = show((await client.query("select count(*)::int as n from items")).rows);

    // a transaction that fails, then recovers
    await client.query("begin");
    try {
      await client.query("insert into items (name, n) values ('a', 1)");
    } catch (e) {
      data.inTx = e.code;
    }
    try {
      await client.query("select 1");
    } catch (e) {
      data.aborted = { code: e.code, message: e.message };
    }
    data.txStatus = client.getTransactionStatus?.() ?? null;
    await client.query("rollback");
    data.txStatusAfter = client.getTransactionStatus?.() ?? null;

    // notices and notifications
    await client.query("do $$ begin raise notice 'hello %', 'notice' using detail = 'd'; raise warning 'careful'; end $$");
    const notified = new Promise((resolve) => client.once("notification", (n) => resolve(show(n))));
    await client.query("listen fnhost_channel");
    await client.query("select pg_notify('fnhost_channel', 'payload é')");
    data.notification = await notified;
    data.notification.processId = typeof data.notification.processId;
    data.notices = notices;

    // callbacks and events
    data.callback = await new Promise((resolve) => client.query("select $1::int as v", [5], (err, res) => resolve(err ? err.message : show(res.rows))));
    data.rowEvents = await new Promise((resolve) => {
      const seen = [];
      const q = new pg.Query("select generate_series(1, 3) as n");
      q.on("row", (row) => seen.push(row.n));
      q.on("end", (r) => resolve({ seen, rows: r.rows.length, rowCount: r.rowCount }));
      client.query(q);
    });

    // pg-format statements
    const rows = [["x", 1], ["y'q", 2]];
    await client.query("create temp table fmt (name text, n int)");
    data.pgFormat = {
      text: format("insert into %I (name, n) values %L", "fmt", rows),
      insert: resultShape(await client.query(format("insert into %I (name, n) values %L", "fmt", rows))),
      select: show((await client.query(format("select * from %I where name in (%L) order by n", "fmt", ["x", "y'q"]))).rows),
    };
    data.escape = [pg.escapeLiteral("it's \\ here"), pg.escapeIdentifier('we"ird'), client.escapeLiteral("o'k")];

    // a long result arrives whole and in order
    const big = await client.query("select g as n, md5(g::text) as h from generate_series(1, 20000) g");
    data.big = { count: big.rows.length, first: big.rows[0], last: big.rows[big.rows.length - 1], sum: big.rows.reduce((a, r) => a + r.n, 0) };

    // queries queued behind each other resolve in order
    const order = [];
    await Promise.all([1, 2, 3, 4].map((i) => client.query("select pg_sleep($1), $2::int as i", [0.01 * (5 - i), i]).then((r) => order.push(r.rows[0].i))));
    data.order = order;

    await client.end();
    data.afterEnd = await client.query("select 1").then(() => "ok", (e) => e.message);
    data.endTwice = await client.end().then(() => "resolved");

    // connection failures
    const failConnect = async (config) => {
      const c = new pg.Client(config);
      const events = [];
      c.on("error", (e) => events.push(["error", e.message]));
      c.on("end", () => events.push(["end"]));
      const queued = c.query("select 1").then(() => "ok", (e) => e.message);
      try {
        await c.connect();
        await c.end();
        return { connected: true };
      } catch (e) {
        const q = await queued;
        await new Promise((r) => setTimeout(r, 50));
        return { name: e.name, message: e.message, code: e.code, errno: e.errno, syscall: e.syscall, queued: q, events };
      }
    };
    // (no URL global in a job's sandbox, as in OpenFn)
    const [, , , host, port] = url.match(/^postgres(?:ql)?:\/\/([^:@]+):([^@]*)@([^:/]+):(\d+)\//);
    data.refused = await failConnect({ host: "127.0.0.1", port: 9, user: "x", database: "x", password: "x" });
    data.wrongPassword = await failConnect({ connectionString: url.replace("fnhost:fnhost@", "fnhost:wrong@") });
    data.noDatabase = await failConnect({ host, port: Number(port), user: "fnhost", password: "fnhost", database: "nowhere" });
    const reuse = new pg.Client(url);
    await reuse.connect();
    data.reuse = await reuse.connect().then(() => "ok", (e) => e.message);
    await reuse.end();

    // a pool
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    const counts = [];
    pool.on("connect", () => counts.push("connect"));
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => pool.query("select $1::int * 10 as v", [i])));
    data.pool = {
      values: results.map((r) => r.rows[0].v),
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      connects: counts.length,
    };
    const held = await pool.connect();
    data.pool.held = show((await held.query("select 'held' as h")).rows);
    held.release();
    try {
      held.release();
    } catch (e) {
      data.pool.releaseTwice = e.message;
    }
    await pool.end();
    data.pool.afterEnd = await pool.query("select 1").then(() => "ok", (e) => e.message);
    return { ...state, data };
  },
];
