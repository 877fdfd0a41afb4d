// make bench's second yardstick (optional): the sqlite3 job of tests/bench.sh in DuckDB.
// Usage: node tests/bench-duckdb.mjs DATASET_DIR OUT_CSV   (DuckDB from `make duckdb`)
//        node tests/bench-duckdb.mjs --version                 (prints e.g. "v1.5.6")
// Runs the revenue pipeline over DATASET_DIR/log/*.jsonl in one DuckDB thread and writes the
// same CSV as the sqlite3 query (same columns, order and number format). Prints nothing on
// success; on failure one line on stderr and exit 1 (the bench goes on without it).
//
// The job is the sqlite3 one, not lklab's strict parser: each file is read as lines, a line
// that is not valid JSON is dropped, a missing or mistyped field becomes NULL (and lands in a
// NULL group, as in sqlite3), value is round(value * 100) cents. Lines are read as text and
// taken apart with the JSON functions (one parse per line: json_extract_string with a list of
// paths) rather than with read_ndjson, because read_ndjson gives no line position (needed to
// keep the FIRST copy of a duplicate) and would type and drop lines by its own rules. Two
// differences with sqlite3 remain, both on malformed lines only: the CSV reader drops lines
// that are not UTF-8 (sqlite3 keeps them), and an impossible date (2026-02-30) is NULL here
// while sqlite3 formats it as is.
import { createRequire } from 'node:module';
import { readdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [ds, outCsv] = process.argv.slice(2);
const version = ds === '--version';
if (!version && !outCsv) {
  console.error('usage: node tests/bench-duckdb.mjs DATASET_DIR OUT_CSV | --version');
  process.exit(2);
}
const sq = (s) => `'${s.replaceAll("'", "''")}'`;

try {
  const { DuckDBInstance } = createRequire(join(root, 'out/duckdb/'))('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const con = await db.connect();
  if (version) {
    console.log((await con.runAndReadAll('SELECT version()')).getRows()[0][0]);
    process.exit(0);
  }
  // Partition files in name order; within a file, line order. preserve_insertion_order (the
  // default, set here to be explicit) makes the table's rowid follow that order.
  const files = readdirSync(join(ds, 'log')).filter((f) => f.endsWith('.jsonl')).sort()
    .map((f) => sq(resolve(ds, 'log', f)));
  if (files.length === 0) throw new Error(`no ${ds}/log/*.jsonl`);
  await con.run('SET threads = 1; SET preserve_insertion_order = true');
  await con.run(`CREATE TABLE raw AS SELECT line FROM read_csv([${files.join(', ')}],
    columns = {'line': 'VARCHAR'}, header = false, auto_detect = false,
    delim = '\x01', quote = '', escape = '', ignore_errors = true)`);
  await con.run(`COPY (
    WITH f AS (
      SELECT rowid AS rid, json_extract_string(line,
               ['$.event_id', '$.tenant', '$.type', '$.key', '$.value', '$.event_time']) AS x
      FROM raw WHERE json_valid(line)),
    ev AS (
      SELECT rid, x[1] AS id, x[2] AS tenant, x[3] AS type, x[4] AS key,
             CAST(round(TRY_CAST(x[5] AS DOUBLE) * 100) AS BIGINT) AS v,
             date_trunc('minute', TRY_CAST(x[6] AS TIMESTAMP)) AS w
      FROM f),
    first AS (SELECT * FROM ev WHERE rid IN (SELECT min(rid) FROM ev GROUP BY id))
    SELECT tenant, type, strftime(w, '%Y-%m-%dT%H:%M:00.000Z') AS window_start,
           strftime(w + INTERVAL 1 MINUTE, '%Y-%m-%dT%H:%M:00.000Z') AS window_end,
           count(*) AS events, printf('%.2f', sum(v) / 100.0) AS value_sum,
           printf('%.2f', min(v) / 100.0) AS value_min, printf('%.2f', max(v) / 100.0) AS value_max,
           count(DISTINCT key) AS distinct_keys
    FROM first GROUP BY tenant, type, w ORDER BY tenant NULLS FIRST, type NULLS FIRST, w NULLS FIRST
  ) TO ${sq(resolve(outCsv))} (FORMAT csv, HEADER true)`);
} catch (e) {
  console.error(`duckdb: ${String(e.message ?? e).split('\n')[0]}`);
  process.exit(1);
}
