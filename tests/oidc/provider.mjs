// A real OpenID Connect provider for the tests: panva's certified `oidc-provider` (version
// pinned in package.json), configured for the client-credentials grant with JWT access
// tokens, on 127.0.0.1. Started by tests/api/oidc_provider.rs; not for anything else.
//
//   node provider.mjs CONFIG.json [PORT]     (PORT 0 or absent: any free port)
//
// Prints ONE line on stdout once it listens: {"issuer":"http://127.0.0.1:PORT","port":PORT}.
// Exits when its stdin closes, so that a killed test leaves no provider behind.
//
// CONFIG.json (every field but `clients` and `keys_file` optional):
//   {
//     "port": 0,                  // overridden by the PORT argument
//     "audience": "samverkan",    // `aud` of every access token
//     "alg": "RS256",             // RS256 or ES256: the algorithm of generated keys
//     "keys_file": "/tmp/x.json", // private JWKS; generated (one key of `alg`) when missing.
//                                 // Its first key signs; the others are only published.
//     "jwks_max_age": 300,        // seconds, in jwks_uri's `Cache-Control: public, max-age=N`
//     "access_token_ttl": 600,    // seconds
//     "scope": "",                // space-delimited scopes the clients may ask for
//     "clients": [{
//       "client_id": "...", "client_secret": "...",
//       "claims": {...},          // added to the client's access tokens (extraTokenClaims;
//                                 // cannot replace iss, aud, sub, exp, iat, jti, client_id)
//       "override_claims": {...}  // replace any claim, `sub` included (and `aud`, `exp`, ...
//                                 // for tokens that a verifier must refuse)
//     }]
//   }
//
// Key rotation without a restart: POST /test/rotate (loopback only, tests only) with a JSON
// body, answered with the new public JWKS. oidc-provider reads its keys only when a Provider
// is constructed, so a new Provider is built and the HTTP server's handler swapped to it; the
// issuer and port stay. The keys file is rewritten, so a restart keeps the rotated keys.
//   {}                         a new key of `alg` replaces all keys
//   {"alg": "ES256"}           a new key of that algorithm replaces all keys
//   {"keep_previous": true}    the new key signs; the previous keys stay published
//   {"keys": [private JWKs]}   exactly this key set (first key signs)

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const configPath = process.argv[2] ?? process.env.OIDC_PROVIDER_CONFIG;
if (!configPath) {
  console.error('usage: node provider.mjs CONFIG.json [PORT]');
  process.exit(2);
}
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const port = Number(process.argv[3] ?? config.port ?? 0);
const audience = config.audience ?? 'samverkan';
const defaultAlg = config.alg ?? 'RS256';
const jwksMaxAge = config.jwks_max_age ?? 300;
const clients = new Map(config.clients.map((c) => [c.client_id, c]));

/** A private JWK for `alg` (RS256: RSA 2048; ES256: P-256) with a fresh `kid`. */
function generateKey(alg) {
  const { privateKey } = alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg, use: 'sig' };
}

/** Writes the keys file whole (rename), so a reader never sees half of it. */
function saveKeys(jwks) {
  writeFileSync(`${config.keys_file}.tmp`, JSON.stringify(jwks));
  renameSync(`${config.keys_file}.tmp`, config.keys_file);
}

function loadKeys() {
  if (!existsSync(config.keys_file)) saveKeys({ keys: [generateKey(defaultAlg)] });
  return JSON.parse(readFileSync(config.keys_file, 'utf8'));
}

/** An oidc-provider instance for `issuer` signing with the first key of `jwks`. */
function buildProvider(issuer, jwks) {
  const alg = jwks.keys[0].alg ?? defaultAlg;
  const provider = new Provider(issuer, {
    jwks,
    clients: config.clients.map((c) => ({
      client_id: c.client_id,
      client_secret: c.client_secret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    })),
    // Without this, an ES256-only key set leaves the clients' default ID token algorithm
    // (RS256) without a key, and client validation fails.
    clientDefaults: { id_token_signed_response_alg: alg },
    cookies: { keys: [randomUUID()] }, // unused (no sign-in pages); silences a warning
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // A token request without `resource` gets a token for the service all the same.
        defaultResource: () => `urn:samverkan:${audience}`,
        getResourceServerInfo: () => ({
          scope: config.scope ?? '', // space-delimited scopes a client may ask for
          audience,
          accessTokenTTL: config.access_token_ttl ?? 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg } },
        }),
      },
    },
    extraTokenClaims: (ctx, token) => clients.get(token.clientId)?.claims,
    formats: {
      customizers: {
        jwt: (ctx, token, jwt) => {
          Object.assign(jwt.payload, clients.get(token.clientId)?.override_claims);
        },
      },
    },
  });
  // oidc-provider sends no Cache-Control on jwks_uri; a real provider does (Entra ID and
  // Keycloak both say how long to keep keys), and the service honours it.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/jwks' && ctx.status === 200) {
      ctx.set('Cache-Control', `public, max-age=${jwksMaxAge}`);
    }
  });
  return provider;
}

function publicJwks(jwks) {
  return {
    keys: jwks.keys.map(({ kty, kid, alg, use, crv, n, e, x, y }) => ({
      kty, kid, alg, use, crv, n, e, x, y,
    })),
  };
}

let providerCallback = (req, res) => {
  res.writeHead(503).end();
};
let issuer;
let currentKeys;

async function rotate(req, res) {
  let body = '';
  for await (const chunk of req) body += chunk;
  try {
    const request = body ? JSON.parse(body) : {};
    const keys = request.keys ?? [
      generateKey(request.alg ?? defaultAlg),
      ...(request.keep_previous ? currentKeys.keys : []),
    ];
    const next = buildProvider(issuer, { keys });
    saveKeys({ keys });
    currentKeys = { keys };
    providerCallback = next.callback();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(publicJwks(currentKeys)));
  } catch (err) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end(String(err));
  }
}

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/test/rotate') {
    rotate(req, res);
  } else {
    providerCallback(req, res);
  }
});

server.listen(port, '127.0.0.1', () => {
  const actual = server.address().port;
  issuer = `http://127.0.0.1:${actual}`;
  currentKeys = loadKeys();
  providerCallback = buildProvider(issuer, currentKeys).callback();
  process.stdout.write(`${JSON.stringify({ issuer, port: actual })}\n`);
});

// The test harness holds our stdin open; when it goes (test ended or killed), so do we.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
