// The pg benchmark job (benches/pg_compare.sh): load ROWS rows into a fresh table with batched
// multi-row VALUES inserts, then ONE_BY_ONE rows with one INSERT each, then SELECT everything
// back; each phase timed inside the job, so the same file measures fnhost's bridge, the npm pg
// on fnhost and the npm pg on Node. state.configuration: { pg, rows, oneByOne, batch }.
import pg from "pg";

export default [
  async (state) => {
    const { pg: url, rows = 100000, oneByOne = 10000, batch = 1000 } = state.configuration;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const table = `bench_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
    await client.query(`create unlogged table ${table} (id int, name text, amount numeric, at timestamptz, tags jsonb)`);
    const row = (i) => [i, `name ${i}`, (i * 1.25).toFixed(2), new Date(1700000000000 + i * 1000), { i, even: i % 2 === 0 }];
    const times = {};
    let t = Date.now();
    for (let start = 0; start < rows; start += batch) {
      const values = [];
      const slots = [];
      for (let i = start; i < Math.min(rows, start + batch); i++) {
        const r = row(i);
        slots.push(`($${values.length + 1}, $${values.length + 2}, $${values.length + 3}, $${values.length + 4}, $${values.length + 5})`);
        values.push(...r);
      }
      await client.query(`insert into ${table} values ${slots.join(", ")}`, values);
    }
    times.insertBatched = Date.now() - t;
    t = Date.now();
    for (let i = 0; i < oneByOne; i++) {
      await client.query(`insert into ${table} values ($1, $2, $3, $4, $5)`, row(rows + i));
    }
    times.insertOneByOne = Date.now() - t;
    t = Date.now();
    const result = await client.query(`select * from ${table} order by id`);
    times.selectAll = Date.now() - t;
    const check = result.rows.reduce((a, r) => a + r.id + r.tags.i, 0);
    await client.query(`drop table ${table}`);
    await client.end();
    return { data: { rows: result.rows.length, check, times: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.round(v)])) } };
  },
];
