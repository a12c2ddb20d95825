// A ProConnect-like OpenID Provider for sigma's tests: oidc-provider (the
// OpenID Foundation-certified implementation), on loopback only.
//
// Like ProConnect it publishes its discovery document, asks for e-mail and
// password on its own login page, gives the claims given_name, usual_name,
// email, uid and siret through a signed userinfo (a JWT), returns an `acr`
// (eidas1, or a two-factor value when asked through the `claims` parameter
// and the person typed their code), requires PKCE and ends its session at its
// end_session endpoint.
//
// Environment:
//   OIDC_PORT       port to listen on (0: any free one); "READY <port>" is printed
//   OIDC_SCENARIO   JSON file read at each request:
//                   {"accounts": {"<email>": {sub, given_name, usual_name, uid,
//                    siret, password, two_factor}}, "misbehave": null | "<mode>",
//                    "delay_seconds": n}
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI, OIDC_POST_LOGOUT_REDIRECT_URI
//
// "misbehave" makes the provider hand out tokens it signed but that a client
// must refuse, to test that sigma does: audience, audience_with_azp, expired, issuer, nonce,
// unknown_key, alg_none, userinfo_sub, slow (token endpoint answers after
// delay_seconds).
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { SignJWT, UnsecuredJWT, decodeJwt, exportJWK, generateKeyPair, importJWK } from 'jose';
import Provider, { interactionPolicy } from 'oidc-provider';

export const TWO_FACTOR_ACRS = [
  'eidas2',
  'eidas3',
  'https://proconnect.gouv.fr/assurance/self-asserted-2fa',
  'https://proconnect.gouv.fr/assurance/consistency-checked-2fa',
];
// What this provider returns when the person typed their second factor's code.
const TWO_FACTOR_ACR = 'https://proconnect.gouv.fr/assurance/self-asserted-2fa';
const ONE_FACTOR_ACR = 'eidas1';
// The code every test account with two_factor gives on the second step.
const TWO_FACTOR_CODE = '123456';

const env = process.env;

function scenario() {
  return JSON.parse(readFileSync(env.OIDC_SCENARIO, 'utf8'));
}

function accountByEmail(email) {
  const accounts = scenario().accounts ?? {};
  const key = Object.keys(accounts).find((known) => known.toLowerCase() === (email ?? '').trim().toLowerCase());
  return key === undefined ? null : { email: key, ...accounts[key] };
}

function accountBySub(sub) {
  const accounts = scenario().accounts ?? {};
  const key = Object.keys(accounts).find((email) => accounts[email].sub === sub);
  return key === undefined ? null : { email: key, ...accounts[key] };
}

async function signingKey(kid) {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

const publishedKey = await signingKey(`sigma-test-${randomUUID()}`);
// Never published: a token signed with it must be refused.
const unpublishedKey = await signingKey(`unknown-${randomUUID()}`);

const escapeHtml = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

function page(title, body) {
  return `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(title)} - ProConnect (test)</title></head>
<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

function twoFactorRequested(params) {
  let requested = (params.acr_values ?? '').split(' ');
  try {
    const claims = params.claims ? JSON.parse(params.claims) : {};
    const acr = claims.id_token?.acr ?? {};
    requested = requested.concat(acr.values ?? [], acr.value ? [acr.value] : []);
  } catch {
    // A malformed claims parameter is refused by oidc-provider itself.
  }
  return requested.some((acr) => TWO_FACTOR_ACRS.includes(acr));
}

function loginForm(uid, { askCode, error = '', email = '' }) {
  const code = askCode
    ? `<p><label for="code">Code de votre application d'authentification</label>
       <input id="code" name="code" autocomplete="one-time-code" inputmode="numeric"></p>`
    : '';
  return page(
    'Connexion',
    `${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
  <p><label for="email">Adresse e-mail professionnelle</label>
  <input id="email" name="email" type="email" value="${escapeHtml(email)}" autocomplete="username"></p>
  <p><label for="password">Mot de passe</label>
  <input id="password" name="password" type="password" autocomplete="current-password"></p>
  ${code}
  <button type="submit">Se connecter</button>
</form>`,
  );
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

// sigma, not the provider, must decide what a returned acr is worth: drop the
// checks that would make oidc-provider refuse an acr below the one asked for.
const policy = interactionPolicy.base();
const loginPrompt = policy.get('login');
loginPrompt.checks.remove('essential_acrs');
loginPrompt.checks.remove('essential_acr');

const server = http.createServer();
await new Promise((resolve) => server.listen(Number(env.OIDC_PORT ?? 0), '127.0.0.1', resolve));
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env.OIDC_CLIENT_ID,
      client_secret: env.OIDC_CLIENT_SECRET,
      redirect_uris: [env.OIDC_REDIRECT_URI],
      post_logout_redirect_uris: [env.OIDC_POST_LOGOUT_REDIRECT_URI],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
      userinfo_signed_response_alg: 'RS256',
    },
  ],
  jwks: { keys: [publishedKey] },
  cookies: { keys: [randomUUID()] },
  acrValues: [ONE_FACTOR_ACR, ...TWO_FACTOR_ACRS],
  claims: {
    openid: ['sub'],
    given_name: ['given_name'],
    usual_name: ['usual_name'],
    email: ['email'],
    uid: ['uid'],
    siret: ['siret'],
  },
  scopes: ['openid', 'given_name', 'usual_name', 'email', 'uid', 'siret'],
  features: {
    devInteractions: { enabled: false },
    claimsParameter: { enabled: true },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // ProConnect does not ask: the form posts itself.
      async logoutSource(ctx, form) {
        ctx.body = page(
          'Déconnexion',
          `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button>
<script>document.querySelector('button[name=logout]').click();</script>`,
        );
      },
    },
  },
  pkce: { required: () => true },
  interactions: { policy, url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, sub) {
    const account = accountBySub(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        const claims = { sub, given_name: account.given_name, usual_name: account.usual_name, email: account.email };
        if (account.uid !== undefined) claims.uid = account.uid;
        if (account.siret !== undefined) claims.siret = account.siret;
        return claims;
      },
    };
  },
  ttl: { Session: 3600, Interaction: 600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600, Grant: 3600 },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Erreur', `<p>${escapeHtml(out.error)} : ${escapeHtml(out.error_description ?? '')}</p>`);
  },
});

async function resign(token, changes, key = publishedKey) {
  const payload = { ...decodeJwt(token), ...changes };
  if (key === null) return new UnsecuredJWT(payload).encode();
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .sign(await importJWK(key, 'RS256'));
}

const idTokenChanges = {
  audience: () => ({ aud: 'another-client' }),
  // Names sigma as the authorized party of a token meant for another client.
  audience_with_azp: () => ({ aud: 'another-client', azp: env.OIDC_CLIENT_ID }),
  expired: () => ({ exp: Math.floor(Date.now() / 1000) - 600, iat: Math.floor(Date.now() / 1000) - 1200 }),
  issuer: () => ({ iss: 'http://127.0.0.1:1' }),
  nonce: () => ({ nonce: 'not-the-nonce-sigma-sent' }),
};

provider.use(async (ctx, next) => {
  const { misbehave, delay_seconds: delay = 0 } = scenario();
  if (misbehave === 'slow' && ctx.path === '/token') {
    await new Promise((resolve) => setTimeout(resolve, delay * 1000));
  }
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
    if (idTokenChanges[misbehave]) {
      ctx.body = { ...ctx.body, id_token: await resign(ctx.body.id_token, idTokenChanges[misbehave]()) };
    } else if (misbehave === 'unknown_key') {
      ctx.body = { ...ctx.body, id_token: await resign(ctx.body.id_token, {}, unpublishedKey) };
    } else if (misbehave === 'alg_none') {
      ctx.body = { ...ctx.body, id_token: await resign(ctx.body.id_token, {}, null) };
    }
  }
  if (ctx.path === '/me' && ctx.status === 200 && misbehave === 'userinfo_sub') {
    ctx.body = await resign(ctx.body, { sub: 'someone-else' });
  }
});

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, page('Erreur', '<p>Interaction inconnue.</p>'));
  const askCode = twoFactorRequested(details.params);
  if (details.prompt.name === 'login') {
    if (action !== 'login' || req.method !== 'POST') return send(res, 200, loginForm(uid, { askCode }));
    const form = await readForm(req);
    const account = accountByEmail(form.get('email'));
    if (!account || account.password !== form.get('password')) {
      const error = 'Adresse e-mail ou mot de passe incorrect.';
      return send(res, 200, loginForm(uid, { askCode, error, email: form.get('email') ?? '' }));
    }
    const twoFactor = askCode && account.two_factor && form.get('code') === TWO_FACTOR_CODE;
    const acr = twoFactor ? TWO_FACTOR_ACR : ONE_FACTOR_ACR;
    const amr = twoFactor ? ['pwd', 'totp', 'mfa'] : ['pwd'];
    return provider.interactionFinished(req, res, { login: { accountId: account.sub, acr, amr } }, {
      mergeWithLastSubmission: false,
    });
  }
  // ProConnect asks no consent: the grant covers what the client asked.
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  const missing = details.prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const providerCallback = provider.callback();
server.on('request', async (req, res) => {
  // No icon, said plainly: the browser's request for one is not a failed load.
  if (req.url === '/favicon.ico') {
    res.writeHead(204);
    return res.end();
  }
  const match = req.url.match(/^\/interaction\/([\w-]+)(?:\/(login))?(?:\?.*)?$/);
  if (!match) return providerCallback(req, res);
  try {
    await interaction(req, res, match[1], match[2]);
  } catch (error) {
    send(res, 400, page('Erreur', `<p>${escapeHtml(error.message)}</p>`));
  }
});

console.log(`READY ${port}`);
