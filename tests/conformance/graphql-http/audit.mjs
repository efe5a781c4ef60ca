// The graphql-http server audits (GraphQL over HTTP conformance) against a running
// Samverkan server.
//
//   SAMVERKAN_URL=http://127.0.0.1:PORT/graphql SAMVERKAN_TOKEN=… node audit.mjs [LABEL]
//
// Every request carries `Authorization: Bearer $SAMVERKAN_TOKEN` (the audits send none of
// their own, and every GraphQL request here needs one). Prints every audit with its
// result and exits 1 when any MUST or SHOULD audit does not pass (a MAY that fails is
// printed, not fatal).
import { auditServer } from 'graphql-http';

const url = process.env.SAMVERKAN_URL;
const token = process.env.SAMVERKAN_TOKEN;
const label = process.argv[2] ?? 'graphql-http';
if (!url || !token) {
  console.error('audit.mjs: set SAMVERKAN_URL and SAMVERKAN_TOKEN');
  process.exit(2);
}

/** `fetch` with the bearer token added to every request. */
function fetchWithToken(input, init = {}) {
  const headers = new Headers(init.headers ?? {});
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn: fetchWithToken });

let failed = 0;
let passed = 0;
for (const result of results) {
  const level = result.name.split(' ')[0];
  if (result.status === 'ok') {
    passed += 1;
    console.log(`ok   ${result.id} ${result.name}`);
    continue;
  }
  const fatal = level === 'MUST' || level === 'SHOULD';
  if (fatal) failed += 1;
  let body = '';
  try {
    body = await result.response.text();
  } catch {
    body = '(body already read)';
  }
  console.log(`${fatal ? 'FAIL' : 'may '} ${result.id} ${result.name}`);
  console.log(`       ${result.reason}`);
  console.log(`       HTTP ${result.response.status} ${result.response.headers.get('content-type') ?? ''}: ${body.slice(0, 300)}`);
}
console.log(`${label}: ${passed} passed, ${failed} MUST/SHOULD failed, ${results.length - passed - failed} MAY not met`);
process.exit(failed === 0 ? 0 : 1);
