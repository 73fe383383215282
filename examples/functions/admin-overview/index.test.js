'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { createHandler } = require('./index.js');

const event = (groups) => ({
  httpMethod: 'GET',
  resource: '/api/v1/admin/overview',
  requestContext: { authorizer: { claims: { sub: 'u1', 'cognito:groups': groups } } },
});

function deps() {
  const cache = new Map();
  let queries = 0;
  return {
    queries: () => queries,
    cacheGet: async (k) => cache.get(k) ?? null,
    cacheSet: async (k, v) => cache.set(k, v),
    query: async () => (queries++, { rows: [{ leads: '12', leads_7d: '3', partners: '4' }] }),
  };
}

test('non-admins are refused with 403', async () => {
  const r = await createHandler(deps())(event('user'), {});
  assert.equal(r.statusCode, 403);
  assert.equal(JSON.parse(r.body).error, 'Forbidden');
});

test('admins get the overview, the second time from the cache', async () => {
  const d = deps();
  const handler = createHandler(d);
  const first = JSON.parse((await handler(event('admin'), {})).body);
  assert.deepEqual([first.leads, first.leads_last_7_days, first.partners, first.cached], [12, 3, 4, false]);
  const second = JSON.parse((await handler(event('[super_admin]'), {})).body);
  assert.equal(second.cached, true);
  assert.equal(d.queries(), 1);
});

test('the 403 for non-admins carries CORS only for an allowed origin', async () => {
  const stageVariables = { corsAllowedOrigins: 'https://app.matbakh.app' };
  const call = (origin) => createHandler(deps())({ ...event('user'), headers: { origin }, stageVariables }, {});
  const allowed = await call('https://app.matbakh.app');
  assert.equal(allowed.statusCode, 403);
  assert.equal(allowed.headers['Access-Control-Allow-Origin'], 'https://app.matbakh.app');
  const foreign = await call('https://attacker.example');
  assert.equal(foreign.statusCode, 403);
  assert.equal(foreign.headers['Access-Control-Allow-Origin'], undefined);
  assert.equal(foreign.headers.Vary, 'Origin');
});
