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
