// pg-cursor and pg-query-stream (custom query objects that drive `client.connection` message
// by message) against the real PostgreSQL: reads in batches, a cursor over a failing query, a
// row stream, a stream that fails. Run on the bridge, on the npm pg on fnhost and on Node.
import pg from "pg";
import Cursor from "pg-cursor";
import QueryStream from "pg-query-stream";

export default [
  async (state) => {
    const client = new pg.Client({ connectionString: state.configuration.pg });
    await client.connect();
    const data = {};

    const cursor = client.query(new Cursor("select g as n, 'row ' || g as label from generate_series(1, 10) g where g > $1", [0]));
    const batches = [];
    for (;;) {
      const rows = await cursor.read(4);
      batches.push(rows);
      if (rows.length === 0) break;
    }
    await cursor.close();
    data.batches = batches;

    const arrays = client.query(new Cursor("select 1 as a, 2 as b", [], { rowMode: "array" }));
    data.arrays = await arrays.read(10);
    await arrays.close();

    const failing = client.query(new Cursor("select 1/0"));
    data.failing = await failing.read(1).then(() => "no error", (e) => ({ name: e.name, message: e.message, code: e.code }));
    data.afterFailing = (await client.query("select 'still fine' as s")).rows;

    const closedEarly = client.query(new Cursor("select generate_series(1, 1000) as n"));
    data.firstOfMany = await closedEarly.read(2);
    await closedEarly.close();
    data.afterClose = (await client.query("select 'after close' as s")).rows;

    const stream = client.query(new QueryStream("select g as n from generate_series(1, 25) g", [], { batchSize: 7 }));
    const streamed = [];
    for await (const row of stream) streamed.push(row.n);
    data.stream = streamed;

    const bad = client.query(new QueryStream("select * from nowhere"));
    data.badStream = await new Promise((resolve) => {
      bad.on("error", (e) => resolve({ name: e.name, message: e.message, code: e.code }));
      bad.on("data", () => {});
      bad.on("end", () => resolve("ended"));
    });
    data.afterBadStream = (await client.query("select 'after stream' as s")).rows;

    await client.end();
    return { ...state, data };
  },
];
