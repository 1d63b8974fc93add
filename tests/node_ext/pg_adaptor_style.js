// A job in the style of @openfn/language-postgresql: `execute` opens a client and calls
// `connect()` without waiting (the first query queues behind the connection), each operation
// sends one query and puts the rows into `state.data` with composeNextState, `insertMany` builds
// one multi-row INSERT with pg-format, `upsert` uses ON CONFLICT, and the client ends after the
// last operation. The adaptor functions live in this file so that the same file runs on Node
// (pg_adaptor_style.expected.json) and on fnhost, bridged and not.
import pg from "pg";
import format from "pg-format";

let client = null;

const composeNextState = (state, response) => ({ ...state, data: response, references: [...(state.references ?? []), state.data] });

function execute(...operations) {
  return async (state) => {
    client = new pg.Client({ connectionString: state.configuration.pg });
    client.connect();
    try {
      for (const op of operations) state = await op(state);
    } finally {
      client.end();
    }
    return state;
  };
}

const sql = (text, values) => async (state) => {
  const result = values ? await client.query(text, values) : await client.query(text);
  return composeNextState(state, result.rows);
};

const insertMany = (table, records) => async (state) => {
  const columns = Object.keys(records[0]);
  const values = records.map((r) => columns.map((c) => r[c]));
  const text = format(`INSERT INTO ${table} (%s) VALUES %L RETURNING *;`, columns, values);
  const result = await client.query(text);
  return composeNextState(state, result.rows);
};

const upsert = (table, uuid, record) => async (state) => {
  const columns = Object.keys(record);
  const updates = columns.filter((c) => c !== uuid).map((c) => `${c}=excluded.${c}`).join(", ");
  const text = format(`INSERT INTO ${table} (%s) VALUES (%L) ON CONFLICT (${uuid}) DO UPDATE SET ${updates} RETURNING *;`, columns, Object.values(record));
  const result = await client.query(text);
  return composeNextState(state, result.rows);
};

const show = (rows) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Object.prototype.toString.call(v) === "[object Date]" ? v.toISOString() : v])));

export default [
  execute(
    sql("create temp table patients (id text primary key, name text, visits int, seen timestamptz, meta jsonb)"),
    insertMany("patients", [
      { id: "p1", name: "Ada", visits: 1, seen: "2024-01-02T03:04:05Z", meta: JSON.stringify({ ward: "A" }) },
      { id: "p2", name: "O'Brien", visits: 2, seen: "2024-02-03T04:05:06Z", meta: JSON.stringify({ ward: "B" }) },
    ]),
    (state) => ({ ...state, inserted: show(state.data) }),
    upsert("patients", "id", { id: "p1", name: "Ada L.", visits: 5, seen: "2024-03-04T05:06:07Z", meta: JSON.stringify({ ward: "C" }) }),
    upsert("patients", "id", { id: "p3", name: "New", visits: 0, seen: "2024-04-05T06:07:08Z", meta: null }),
    (state) => ({ ...state, upserted: show(state.data) }),
    sql("select id, name, visits, seen, meta from patients where visits >= $1 order by id", [0]),
    (state) => ({ ...state, data: { inserted: state.inserted, upserted: state.upserted, all: show(state.data), references: state.references.length } }),
  ),
];
