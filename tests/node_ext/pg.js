// The npm `pg` driver (8.x) over Deno's node:net, against the real PostgreSQL the tests start
// (tests/pg/start.sh; scram-sha-256 password login). state.configuration: { pg (URL) }.
// pg.expected.json is what Node produces against the same server.
import pg from "pg";

const fields = (e) => ({ name: e.name, message: e.message, code: e.code, severity: e.severity, detail: e.detail, constraint: e.constraint, table: e.table, schema: e.schema === "pg_temp" ? e.schema : typeof e.schema, routine: e.routine });

export default [
  async (state) => {
    const url = state.configuration.pg;
    const data = {};
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const typed = await client.query(
      "select $1::int as n, $2::text as t, $3::jsonb as j, 1.5::numeric as num, true as b, null::text as nothing, 9007199254740993::int8 as big, '2024-01-02T03:04:05Z'::timestamptz as ts",
      [42, "text é", JSON.stringify({ a: [1, 2] })],
    );
    const row = typed.rows[0];
    data.typed = { ...row, ts: row.ts.toISOString() };
    data.fields = typed.fields.map((f) => [f.name, f.dataTypeID]);
    data.command = [typed.command, typed.rowCount];
    await client.query("create temp table items (k int primary key, v text)");
    await client.query("insert into items values ($1, $2)", [1, "one"]);
    try {
      await client.query("insert into items values ($1, $2)", [1, "again"]);
    } catch (e) {
      data.unique = fields(e);
    }
    try {
      await client.query("select * from nowhere");
    } catch (e) {
      data.missing = fields(e);
    }
    await client.query("begin");
    await client.query("insert into items values (2, 'two')");
    await client.query("rollback");
    await client.query("begin");
    await client.query("insert into items values (3, 'three')");
    await client.query("commit");
    data.transaction = (await client.query("select k, v from items order by k")).rows;
    data.arrays = (await client.query({ text: "select 1 as a, 'x' as b", rowMode: "array" })).rows;
    await client.end();

    const pool = new pg.Pool({ connectionString: url, max: 8 });
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => pool.query("select pg_sleep(0.05), $1::int as i", [i])),
    );
    data.pool = [results.map((r) => r.rows[0].i), pool.totalCount <= 8];
    await pool.end();
    return { ...state, data };
  },
];
