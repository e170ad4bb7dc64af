// A real OpenID Connect provider on loopback for Vuoro's sign-in tests: panva's certified oidc-provider with the
// settings a test needs and a few test-only controls. tests/oidc_provider.py starts, restarts and stops it.
//
//   node tests/oidc/provider.mjs CONFIG.json
//
// CONFIG.json (written by tests/oidc_provider.py):
//   {"port": 0,                        0: pick a free port; a restart passes the port it had
//    "keys_file": "/path/jwks.json",   {"keys": [private RSA JWKs with kid]}: the first one signs
//    "client": {"client_id", "client_secret", "redirect_uris": [...], "post_logout_redirect_uris": [...],
//               "token_endpoint_auth_method": "client_secret_basic" | "client_secret_post"},
//    "accounts": {"alice": {"name": "Alice Clerk", "vuoro_roles": ["vuoro-clerk"], ...}}}
// The issuer is http://127.0.0.1:PORT. When ready it prints "listening on http://127.0.0.1:PORT"; SIGTERM ends it.
//
// What a browser meets (no external resources on any page: the tests' network is loopback only):
//   - the login form at /interaction/UID: form#login-form, input[name=login], input[name=password] (any value),
//     button#sign-in. An account's sub is its login name unless its claims give one; an unknown login signs in
//     with {sub: login} only. No consent screen: every requested scope and claim is granted.
//   - the logout confirmation at /session/end (client_id + post_logout_redirect_uri + state, no id_token_hint
//     needed): form#op.logoutForm (hidden xsrf) submitted by button#logout-yes (name=logout, value=yes).
//
// Test-only endpoints:
//   GET  /_test/state   {"sessions", "jwks_requests", "token_requests", "end_session"}
//   GET  /_test/whoami  {"account": the account of the browser's provider session (its cookie), or null}
//   POST /_test/tamper  {"mode": null | "aud" | "aud_azp" | "exp" | "nonce" | "iss" | "sig" | "no_id_token"}: from then on
//        every successful token response has its id_token altered so ("aud", "aud_azp" -- aud another client,
//        azp this one --, "exp", "nonce", "iss" re-signed
//        with the real key, so only that claim is wrong; "sig": the signature broken; "no_id_token": removed).

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import { CompactSign, decodeJwt, decodeProtectedHeader, importJWK } from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { keys } = JSON.parse(readFileSync(config.keys_file, 'utf8'));
if (!Array.isArray(keys) || keys.length === 0) {
  throw new Error(`${config.keys_file}: no keys`);
}

// ---------------------------------------------------------------------------------------------------- accounts

const accountsBySub = new Map();
for (const [login, claims] of Object.entries(config.accounts ?? {})) {
  const sub = claims.sub ?? login;
  accountsBySub.set(sub, { ...claims, sub });
}
const accountIdFor = (login) => config.accounts?.[login]?.sub ?? login;

const RESERVED = new Set(['sub', 'sid', 'auth_time', 'acr', 'amr', 'iss', 'aud', 'exp', 'iat', 'nonce', 'azp']);
const profileClaims = new Set(['name', 'preferred_username', 'given_name', 'family_name', 'email',
  'email_verified', 'locale', 'vuoro_roles', 'vuoro_desks']);
for (const claims of accountsBySub.values()) {
  for (const name of Object.keys(claims)) {
    if (!RESERVED.has(name)) profileClaims.add(name);
  }
}

// ------------------------------------------------------------------------------------------------------ adapter

// One Map for every model, so that live sessions can be counted; payloads are copied in and out, as a database
// would, so nothing the provider holds changes what is stored behind its back.
const store = new Map(); // key -> { payload, expiresAt (ms) | undefined }
const now = () => Date.now();
const live = (entry) => entry && (entry.expiresAt === undefined || entry.expiresAt > now());

function get(key) {
  const entry = store.get(key);
  if (!live(entry)) {
    store.delete(key);
    return undefined;
  }
  return entry.payload;
}

class MemoryAdapter {
  constructor(name) {
    this.name = name;
  }

  key(id) {
    return `${this.name}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const expiresAt = typeof expiresIn === 'number' ? now() + expiresIn * 1000 : undefined;
    store.set(this.key(id), { payload: structuredClone(payload), expiresAt });
    if (this.name === 'Session' && payload.uid) {
      store.set(`sessionUid:${payload.uid}`, { payload: id, expiresAt });
    }
    if (payload.userCode) {
      store.set(`userCode:${payload.userCode}`, { payload: id, expiresAt });
    }
    if (payload.grantId) {
      const grantKey = `grant:${payload.grantId}`;
      const members = get(grantKey) ?? [];
      store.set(grantKey, { payload: [...new Set([...members, this.key(id)])], expiresAt: undefined });
    }
  }

  async find(id) {
    const payload = get(this.key(id));
    return payload === undefined ? undefined : structuredClone(payload);
  }

  async findByUid(uid) {
    const id = get(`sessionUid:${uid}`);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode) {
    const id = get(`userCode:${userCode}`);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id) {
    const payload = get(this.key(id));
    if (payload) payload.consumed = Math.floor(now() / 1000);
  }

  async destroy(id) {
    const payload = get(this.key(id));
    store.delete(this.key(id));
    if (payload?.uid && this.name === 'Session') store.delete(`sessionUid:${payload.uid}`);
    if (payload?.userCode) store.delete(`userCode:${payload.userCode}`);
  }

  async revokeByGrantId(grantId) {
    const grantKey = `grant:${grantId}`;
    for (const key of get(grantKey) ?? []) store.delete(key);
    store.delete(grantKey);
  }
}

function liveSessions() {
  let count = 0;
  for (const [key, entry] of store) {
    if (key.startsWith('Session:') && live(entry) && entry.payload.accountId) count += 1;
  }
  return count;
}

// -------------------------------------------------------------------------------------------------------- pages

const escape = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"></head>
<body><main><h1>${escape(title)}</h1>
${body}
</main></body>
</html>`;
}

// ----------------------------------------------------------------------------------------------------- provider

async function logoutSource(ctx, form) {
  ctx.body = page('Sign out', `${form}
<p>Do you want to sign out from ${escape(ctx.host)}?</p>
<button id="logout-yes" type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>
<button id="logout-no" type="submit" form="op.logoutForm">No, stay signed in</button>`);
}

async function postLogoutSuccessSource(ctx) {
  ctx.body = page('Signed out', '<p id="signed-out">Your sign-out was successful.</p>');
}

async function renderError(ctx, out) {
  ctx.type = 'html';
  ctx.body = page('Error', Object.entries(out)
    .map(([key, value]) => `<pre class="error"><strong>${escape(key)}</strong>: ${escape(value)}</pre>`).join('\n'));
}

// No consent screen: whatever the client asks for is granted, on the grant the session already has or a new one
// (the pattern oidc-provider documents for first-party clients).
async function loadExistingGrant(ctx) {
  const { oidc } = ctx;
  const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
  const grant = (grantId && await oidc.provider.Grant.find(grantId))
    || new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
  const scopes = [...oidc.requestParamOIDCScopes];
  if (scopes.length) grant.addOIDCScope(scopes.join(' '));
  const claims = [...oidc.requestParamClaims];
  if (claims.length) grant.addOIDCClaims(claims);
  await grant.save();
  return grant;
}

const ttl = {
  AccessToken: 600,
  AuthorizationCode: 60,
  IdToken: 600,
  Interaction: 600,
  Grant: 3600,
  Session: 3600,
  RefreshToken: 3600,
};

const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(config.port ?? 0, '127.0.0.1', resolve);
});
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

const { client } = config;
const provider = new Provider(issuer, {
  adapter: MemoryAdapter,
  clients: [{
    client_id: client.client_id,
    client_secret: client.client_secret,
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris ?? [],
    token_endpoint_auth_method: client.token_endpoint_auth_method ?? 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    id_token_signed_response_alg: 'RS256',
  }],
  jwks: { keys },
  findAccount: async (ctx, sub) => {
    const claims = accountsBySub.get(sub) ?? { sub };
    return { accountId: sub, claims: async () => structuredClone(claims) };
  },
  claims: { openid: ['sub'], profile: [...profileClaims] },
  conformIdTokenClaims: false,
  loadExistingGrant,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // cookies are per host, not per port: names of their own, so the relying party's on 127.0.0.1 are never hit
  cookies: {
    names: { session: 'op_session', interaction: 'op_interaction', resume: 'op_interaction_resume' },
    keys: [randomBytes(32).toString('base64url')],
  },
  renderError,
  ttl,
});
// the client's metadata is checked when it is first looked up: now, so that a bad one fails the start, not a test
await provider.Client.find(client.client_id);
provider.on('server_error', (ctx, error) => console.error('server_error', ctx.method, ctx.path, error));

// -------------------------------------------------------------------------------------- counters and tampering

const counts = { jwks_requests: 0, token_requests: 0, end_session: 0 };
provider.on('end_session.success', () => { counts.end_session += 1; });

const TAMPER_MODES = new Set([null, 'aud', 'aud_azp', 'exp', 'nonce', 'iss', 'sig', 'no_id_token']);
let tamper = null;

const signingKeys = new Map(keys.map((jwk) => [jwk.kid, jwk]));
const b64url = (data) => Buffer.from(data).toString('base64url');

async function tampered(idToken, mode) {
  if (mode === 'sig') {
    const [header, payload, signature] = idToken.split('.');
    const bytes = Buffer.from(signature, 'base64url');
    for (let i = 0; i < bytes.length; i += 1) bytes[i] ^= 0x5a;
    return `${header}.${payload}.${b64url(bytes)}`;
  }
  const header = decodeProtectedHeader(idToken);
  const claims = decodeJwt(idToken);
  const seconds = Math.floor(now() / 1000);
  if (mode === 'aud') claims.aud = 'someone-else';
  // another client's token that names this client as the authorized party: only an aud check refuses it
  if (mode === 'aud_azp') Object.assign(claims, { azp: claims.aud, aud: 'someone-else' });
  if (mode === 'exp') Object.assign(claims, { exp: seconds - 600, iat: seconds - 1200 });
  if (mode === 'nonce') delete claims.nonce;
  if (mode === 'iss') claims.iss = 'http://evil.example';
  const jwk = signingKeys.get(header.kid);
  if (!jwk) throw new Error(`no private key with kid ${header.kid}`);
  const key = await importJWK(jwk, header.alg);
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader(header).sign(key);
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// One line a request in the log (tests/oidc_provider.py shows the log when a start fails; it is under workdir).
provider.use(async (ctx, next) => {
  try {
    await next();
  } finally {
    console.log(`${ctx.method} ${ctx.path} ${ctx.status}`);
  }
});

// The test-only endpoints, before anything of the provider's.
provider.use(async (ctx, next) => {
  if (ctx.path === '/favicon.ico') { // a browser asks on every page; a 404 would be an error in its console
    ctx.status = 204;
    return undefined;
  }
  if (!ctx.path.startsWith('/_test/')) return next();
  ctx.set('Cache-Control', 'no-store');
  if (ctx.method === 'GET' && ctx.path === '/_test/state') {
    ctx.body = { sessions: liveSessions(), ...counts, tamper };
  } else if (ctx.method === 'GET' && ctx.path === '/_test/whoami') {
    const id = ctx.cookies.get(provider.cookieName('session'));
    const session = id ? get(`Session:${id}`) : undefined;
    ctx.body = { account: session?.accountId ?? null };
  } else if (ctx.method === 'POST' && ctx.path === '/_test/tamper') {
    const { mode = null } = await readJson(ctx.req);
    if (!TAMPER_MODES.has(mode)) {
      ctx.status = 400;
      ctx.body = { error: `unknown tamper mode ${JSON.stringify(mode)}` };
      return undefined;
    }
    tamper = mode;
    ctx.body = { tamper };
  } else {
    ctx.status = 404;
    ctx.body = { error: 'no such test endpoint' };
  }
  return undefined;
});

// Counting, and altering the token endpoint's answers, around the provider.
provider.use(async (ctx, next) => {
  if (ctx.method === 'GET' && ctx.path === '/jwks') counts.jwks_requests += 1;
  if (ctx.method === 'POST' && ctx.path === '/token') counts.token_requests += 1;
  await next();
  if (ctx.path !== '/token' || ctx.status !== 200 || tamper === null) return;
  const body = ctx.body;
  if (!body || typeof body !== 'object' || typeof body.id_token !== 'string') return;
  if (tamper === 'no_id_token') {
    const { id_token: _, ...rest } = body;
    ctx.body = rest;
  } else {
    ctx.body = { ...body, id_token: await tampered(body.id_token, tamper) };
  }
});

// The login page: oidc-provider's devInteractions page loads web fonts from the internet, so this one of ours
// stands in for it (same field names). A consent prompt never shows (loadExistingGrant grants all), but if one
// came it is granted here too rather than left without a page.
provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([^/]+)$/.exec(ctx.path);
  if (!match) return next();
  ctx.set('Cache-Control', 'no-store');
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { uid, prompt, params } = details;
  if (ctx.method === 'POST') {
    const form = await readForm(ctx.req);
    const login = form.get('login');
    if (prompt.name !== 'login' || !login) {
      ctx.status = 400;
      ctx.body = page('Error', '<p class="error">missing login</p>');
      return undefined;
    }
    const returnTo = await provider.interactionResult(ctx.req, ctx.res,
      { login: { accountId: accountIdFor(login) } }, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(returnTo);
    return undefined;
  }
  if (prompt.name === 'login') {
    const hint = params.login_hint ? ` value="${escape(params.login_hint)}"` : '';
    ctx.type = 'html';
    ctx.body = page('Sign in', `<form id="login-form" method="post" action="/interaction/${escape(uid)}" autocomplete="off">
<input type="hidden" name="prompt" value="login">
<label>Login <input id="login" type="text" name="login" autocomplete="username" required autofocus${hint}></label>
<label>Password <input id="password" type="password" name="password" autocomplete="current-password" required></label>
<button id="sign-in" class="login login-submit" type="submit">Sign in</button>
</form>`);
    return undefined;
  }
  const grant = new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  const returnTo = await provider.interactionResult(ctx.req, ctx.res,
    { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  ctx.status = 303;
  ctx.redirect(returnTo);
  return undefined;
});

server.on('request', provider.callback());
console.log(`listening on ${issuer}`);

function stop(signal) {
  console.log(`${signal}: stopping`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
