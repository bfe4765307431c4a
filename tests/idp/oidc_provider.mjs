// A real OpenID Connect provider for the tests (npm oidc-provider), standing in for the
// municipality's identity provider (Microsoft Entra ID, AD FS ...).
//
//   node tests/idp/oidc_provider.mjs --port 0 --client-id puljeflow --client-secret s3cret \
//        --redirect-uri http://testserver/oidc/callback/ \
//        --accounts '[{"username": "carl", "sub": "carl-1", "email": "carl@example.org"}]'
//
// Prints one JSON line on stdout once it listens: {"issuer": "http://127.0.0.1:PORT"}.
//
// The login page is a minimal form (a username and "signed in with a second factor"): it
// sets the session's amr to ["pwd"] or ["pwd", "mfa"] and its acr to what is typed. Consent
// is granted without a page (the municipality's own application). Everything else is
// oidc-provider's own: authorization code flow with PKCE required, state and nonce, ID
// tokens signed RS256 with the key published at /jwks, RP-initiated logout.
//
// Options that make the provider misbehave, for the refusal tests (each token still signed
// with the provider's own key):
//   --kid KID                    the signing key's id (two providers with the same kid and
//                                different keys: a token from one fails on the other's JWKS)
//   --id-token-audience AUD      ID tokens name AUD as their audience, not the client
//   --id-token-expired SECONDS   ID tokens expired SECONDS ago when they are issued
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: options } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'client-id': { type: 'string', multiple: true, default: ['puljeflow'] },
    'client-secret': { type: 'string', default: 'puljeflow-test-secret' },
    'redirect-uri': { type: 'string', multiple: true, default: [] },
    'post-logout-redirect-uri': { type: 'string', multiple: true, default: [] },
    accounts: { type: 'string', default: '[]' },
    kid: { type: 'string', default: '' },
    'id-token-audience': { type: 'string', default: '' },
    'id-token-expired': { type: 'string', default: '' },
  },
});

const accounts = new Map();
for (const account of JSON.parse(options.accounts)) {
  accounts.set(account.username, account);
}
const bySubject = (sub) => [...accounts.values()].find((account) => account.sub === sub);

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }),
  kid: options.kid || randomBytes(8).toString('hex'),
  alg: 'RS256',
  use: 'sig',
};

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title>
<style>body{font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}
label{display:block;margin:.5rem 0}input[type=text]{width:100%;padding:.4rem}
button{padding:.5rem 1rem;margin-top:1rem}</style></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

async function formBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginForm(uid, error = '') {
  return page(
    'Test identity provider: sign in',
    `${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="username">Username</label><input id="username" name="username" type="text" autocomplete="off">
<label><input name="mfa" type="checkbox" value="yes"> Signed in with a second factor (MFA)</label>
<label for="acr">acr (optional)</label><input id="acr" name="acr" type="text">
<button type="submit">Sign in</button></form>`,
  );
}

function listen(port, host) {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(Number(port), host, () => resolve(server));
  });
}

const server = await listen(options.port, options.host);
const issuer = `http://${options.host}:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: options['client-id'].map((clientId) => ({
    client_id: clientId,
    client_secret: options['client-secret'],
    redirect_uris: options['redirect-uri'],
    post_logout_redirect_uris: options['post-logout-redirect-uri'],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(16).toString('hex')] },
  pkce: { required: () => true },
  claims: {
    openid: ['sub', 'acr', 'amr', 'auth_time'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
  },
  async findAccount(ctx, sub) {
    const account = bySubject(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          email: account.email,
          email_verified: account.email_verified ?? true,
          name: account.name ?? account.username,
          preferred_username: account.preferred_username ?? account.username,
        };
      },
    };
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        // Confirmed at once (a test provider): the form oidc-provider builds, sent by script.
        ctx.body = page(
          'Test identity provider: signing out',
          `${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button>
<script>document.getElementById('op.logoutForm').insertAdjacentHTML('beforeend',
'<input type="hidden" name="logout" value="yes">');document.getElementById('op.logoutForm').submit();</script>`,
        );
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Test identity provider: signed out', '<p>You are signed out.</p>');
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Test identity provider: error', `<pre>${escape(JSON.stringify(out))}</pre>`);
  },
});

// The refusal tests' misbehaviour: the ID token as oidc-provider builds it, then a wrong
// audience or an expiry in the past, signed with the same key.
const { IdToken } = provider;
const issue = IdToken.prototype.issue;
IdToken.prototype.issue = async function issueMisbehaving(opts = {}) {
  if (opts.use !== 'idtoken') return issue.call(this, opts);
  if (options['id-token-audience']) {
    const audience = options['id-token-audience'];
    const client = this.client;
    this.client = new Proxy(client, {
      get: (target, name) => (name === 'clientId' ? audience : Reflect.get(target, name)),
    });
  }
  if (options['id-token-expired']) {
    const now = Math.floor(Date.now() / 1000);
    return issue.call(this, { ...opts, expiresAt: now - Number(options['id-token-expired']) });
  }
  return issue.call(this, opts);
};

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { prompt, params, session } = details;
  ctx.set('cache-control', 'no-store');
  if (prompt.name === 'consent') {
    // The municipality's own application: consent without asking.
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    const target = await provider.interactionResult(ctx.req, ctx.res, { consent: { grantId } }, {
      mergeWithLastSubmission: true,
    });
    return ctx.redirect(target);
  }
  if (ctx.method === 'GET' && !match[2]) {
    ctx.type = 'html';
    ctx.body = loginForm(details.uid);
    return undefined;
  }
  if (ctx.method === 'POST' && match[2]) {
    const form = await formBody(ctx.req);
    const account = accounts.get(form.get('username') || '');
    if (!account) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = loginForm(details.uid, 'No such test account.');
      return undefined;
    }
    const login = {
      accountId: account.sub,
      amr: form.get('mfa') === 'yes' ? ['pwd', 'mfa'] : ['pwd'],
      ...(form.get('acr') ? { acr: form.get('acr') } : {}),
    };
    const target = await provider.interactionResult(ctx.req, ctx.res, { login }, {
      mergeWithLastSubmission: false,
    });
    return ctx.redirect(target);
  }
  ctx.status = 405;
  return undefined;
});

server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer })}\n`);

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
