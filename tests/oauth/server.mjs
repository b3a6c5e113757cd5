// Test-only OAuth 2.0 authorization server for memsecret's token integration
// tests: npm's oidc-provider with one client_credentials client, a short
// access-token TTL and token introspection, on plain HTTP bound to 127.0.0.1
// (memsecret allows http:// only to loopback).
//
// Usage: node server.mjs
// Environment (all optional):
//   OAUTH_TTL_SECONDS     access-token lifetime (default 4)
//   OAUTH_CLIENT_ID       client id (default "memsecret-it")
//   OAUTH_CLIENT_SECRET   client secret (default contains + % : = to exercise
//                         RFC 6749 §2.3.1 form-urlencoding of Basic credentials)
//   OAUTH_AUTH_METHOD     client_secret_basic (default) or client_secret_post
//   OAUTH_DOWN_FILE       while this file exists, /token answers 503 with
//                         Retry-After: 1 (simulates an issuer outage)
//
// Prints exactly one line to stdout once listening:
//   {"port":<n>,"token_endpoint":"...","introspection_endpoint":"..."}
// It never prints tokens or secrets; oidc-provider's dev warnings go to stderr.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const ttl = Number(process.env.OAUTH_TTL_SECONDS || 4);
const clientId = process.env.OAUTH_CLIENT_ID || 'memsecret-it';
const clientSecret = process.env.OAUTH_CLIENT_SECRET || 'it+secret%with:odd=chars';
const authMethod = process.env.OAUTH_AUTH_METHOD || 'client_secret_basic';
const downFile = process.env.OAUTH_DOWN_FILE || '';

// Route console.* to stderr so stdout carries only the ready line.
for (const k of ['log', 'info', 'warn']) console[k] = (...a) => process.stderr.write(a.join(' ') + '\n');

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: authMethod,
    }],
    features: {
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      devInteractions: { enabled: false },
    },
    scopes: ['api:read', 'api:write'],
    ttl: { ClientCredentials: () => ttl },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (downFile && req.url.startsWith('/token') && !req.url.startsWith('/token/') && existsSync(downFile)) {
      res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '1' });
      res.end('{"error":"temporarily_unavailable","error_description":"test outage"}');
      return;
    }
    callback(req, res);
  });
  process.stdout.write(JSON.stringify({
    port,
    token_endpoint: `${issuer}/token`,
    introspection_endpoint: `${issuer}/token/introspection`,
  }) + '\n');
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
