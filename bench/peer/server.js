// The peer of the benchmark: PostGraphile 4.14 in library mode on the database the
// service migrated and generated, set up as a city would run it in production.
//
//   DATABASE_URL=postgres://... PORT=0 NODE_ENV=production node bench/peer/server.js
//
// Prints "PostGraphile is up at http://127.0.0.1:PORT/graphql" once listening.
// GET /statements answers the number of SQL statements its pool has sent, transaction
// control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE) left out as the service's
// samverkan_sql_statements_total leaves it out: the peer's counterpart of that counter.
"use strict";

const http = require("http");
const { Pool } = require("pg");
const { postgraphile } = require("postgraphile");
const ConnectionFilterPlugin = require("postgraphile-plugin-connection-filter");

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is required");
  process.exit(2);
}

let statements = 0;
const TRANSACTION_CONTROL = /^\s*(begin|commit|rollback|savepoint|release)\b/i;
// Idle connections are kept (node-postgres closes them after 10 s by default): the
// interleaved rounds leave each side idle for a while, and the service's pool keeps its.
const pool = new Pool({
  connectionString: url,
  max: Number(process.env.PEER_POOL_SIZE || 10),
  idleTimeoutMillis: 0,
});
pool.on("connect", (client) => {
  const query = client.query;
  client.query = function countedQuery(...args) {
    const text = typeof args[0] === "string" ? args[0] : (args[0] && args[0].text) || "";
    if (!TRANSACTION_CONTROL.test(text)) statements += 1;
    return query.apply(this, args);
  };
});
pool.on("error", (e) => console.error("pool error", e.message));

const graphql = postgraphile(pool, "public", {
  // Production: no GraphiQL, no query log, no watch, no stack traces.
  graphiql: false,
  disableQueryLog: true,
  watchPg: false,
  showErrorStack: false,
  // The production option set of the PostGraphile 4 docs (usage-cli, "Recommended
  // options", For Production), less the inflector plugin (names only) and query batching
  // (the benchmark sends one operation per request).
  extendedErrors: ["errcode"],
  dynamicJson: true,
  setofFunctionsContainNulls: false,
  ignoreRBAC: false,
  legacyRelations: "omit",
  // The service's audit_event has a node_id column, which PostGraphile's global-ID field
  // (nodeId) would clash with: the global ID is named globalId instead.
  nodeIdFieldName: "globalId",
  // A filter through a relation (commitments of a district's groups) needs the
  // connection-filter plugin.
  appendPlugins: [ConnectionFilterPlugin],
  graphileBuildOptions: {
    connectionFilterRelations: true,
    connectionFilterAllowNullInput: true,
  },
});

const server = http.createServer((req, res) => {
  if (req.url === "/statements") {
    res.writeHead(200, { "Content-Type": "text/plain" });
    res.end(`${statements}\n`);
    return;
  }
  graphql(req, res);
});
server.keepAliveTimeout = 65000;
server.listen(Number(process.env.PORT || 0), "127.0.0.1", () => {
  console.log(`PostGraphile is up at http://127.0.0.1:${server.address().port}/graphql`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close();
    pool.end().finally(() => process.exit(0));
  });
}
