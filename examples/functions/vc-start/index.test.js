'use strict';
// Run with the layers on NODE_PATH, as Lambda does (tests/handlers.rs sets it).
const test = require('node:test');
const assert = require('node:assert/strict');
const { createHandler } = require('./index.js');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function call(body) {
  const saved = [];
  const handler = createHandler({ saveLead: async (lead) => saved.push(lead), loadResult: async () => null });
  const event = { httpMethod: 'POST', resource: '/api/v1/vc/start', body: typeof body === 'string' ? body : JSON.stringify(body) };
  return handler(event, { awsRequestId: 'req-1' }).then((r) => ({ ...r, json: JSON.parse(r.body), saved }));
}

const valid = {
  email: 'owner@restaurant-example.de',
  business_name: 'Restaurant Example',
  website: 'https://restaurant-example.de',
  consent: { analytics: true, marketing: false },
};

test('a valid request is accepted with a lead id', async () => {
  const r = await call(valid);
  assert.equal(r.statusCode, 202);
  assert.equal(r.json.success, true);
  assert.match(r.json.lead_id, UUID);
  assert.equal(r.json.verification_required, true);
  assert.equal(r.saved.length, 1);
  assert.equal(r.saved[0].lead_id, r.json.lead_id);
  assert.equal(r.headers['X-Request-ID'], 'req-1');
});

test('only email and business_name are required', async () => {
  const r = await call({ email: 'a@b.de', business_name: 'AB' });
  assert.equal(r.statusCode, 202);
});

for (const [name, patch, field] of [
  ['missing email', { email: undefined }, 'email'],
  ['malformed email', { email: 'not-an-email' }, 'email'],
  ['too long email', { email: `${'a'.repeat(251)}@b.de` }, 'email'],
  ['missing business_name', { business_name: undefined }, 'business_name'],
  ['too short business_name', { business_name: 'A' }, 'business_name'],
  ['too long business_name', { business_name: 'A'.repeat(101) }, 'business_name'],
  ['website without scheme', { website: 'restaurant.de' }, 'website'],
  ['too long website', { website: `https://r.de/${'a'.repeat(250)}` }, 'website'],
  ['consent without analytics', { consent: { marketing: true } }, 'consent.analytics'],
  ['non-boolean analytics', { consent: { analytics: 'yes' } }, 'consent.analytics'],
  ['non-boolean marketing', { consent: { analytics: true, marketing: 1 } }, 'consent.marketing'],
]) {
  test(`${name} is a 400 ErrorResponse naming ${field}`, async () => {
    const r = await call({ ...valid, ...patch });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json.error, 'ValidationError');
    assert.equal(typeof r.json.message, 'string');
    assert.equal(r.json.request_id, 'req-1');
    assert.deepEqual(Object.keys(r.json.details), [field]);
    assert.equal(r.saved.length, 0);
  });
}

test('a body that is not JSON is a 400', async () => {
  const r = await call('{oops');
  assert.equal(r.statusCode, 400);
  assert.equal(r.json.error, 'InvalidJson');
});

test('a failing store is a 500 that reveals nothing', async () => {
  const handler = createHandler({ saveLead: async () => { throw new Error('redis down at 10.0.10.5'); } });
  const r = await handler({ httpMethod: 'POST', resource: '/api/v1/vc/start', body: JSON.stringify(valid) }, { awsRequestId: 'req-2' });
  assert.equal(r.statusCode, 500);
  assert.doesNotMatch(r.body, /10\.0\.10\.5/);
});

test('results are served by token, unknown ones are a 404', async () => {
  const id = '0b5a3c3e-5d1c-4f0e-9a53-1f7a3c0f2b11';
  const handler = createHandler({ saveLead: async () => {}, loadResult: async (t) => (t === id ? { analysis: 'ok' } : null) });
  const get = (token) => handler({ httpMethod: 'GET', resource: '/api/v1/vc/result/{token}', pathParameters: { token } }, {});
  assert.deepEqual(JSON.parse((await get(id)).body), { analysis: 'ok' });
  assert.equal((await get('0b5a3c3e-5d1c-4f0e-9a53-1f7a3c0f2b12')).statusCode, 404);
  assert.equal((await get('../../etc')).statusCode, 404);
});

test('routes not ported yet answer 501 in the ErrorResponse shape', async () => {
  const handler = createHandler({ saveLead: async () => {}, loadResult: async () => null });
  const r = await handler({ httpMethod: 'POST', resource: '/api/v1/vc/verify', body: '{}' }, {});
  assert.equal(r.statusCode, 501);
  assert.equal(JSON.parse(r.body).error, 'NotImplemented');
});

// Section 4 CORS and section 8 metrics, as the deployed handler answers browsers.
const { metrics } = require('@matbakh/shared-utils');

/** Calls the handler with an Origin (or none) and collects the EMF documents it emits. */
async function callWith(origin, { body = valid, saveLead = async () => {} } = {}) {
  const handler = createHandler({ saveLead, loadResult: async () => null });
  const emitted = [];
  const previous = metrics.setWriter((line) => emitted.push(JSON.parse(line)));
  try {
    const r = await handler({
      httpMethod: 'POST',
      resource: '/api/v1/vc/start',
      headers: origin ? { Origin: origin } : {},
      stageVariables: { corsAllowedOrigins: 'https://matbakh.app,https://app.matbakh.app' },
      body: JSON.stringify(body),
    }, { awsRequestId: 'req-3' });
    return { r, emitted };
  } finally {
    metrics.setWriter(previous);
  }
}

const failingStore = async () => { throw new Error('redis down'); };
const OUTCOMES = [
  ['accepted', {}, 202],
  ['invalid', { body: { email: 'x' } }, 400],
  ['store down', { saveLead: failingStore }, 500],
];

for (const [name, options, status] of OUTCOMES) {
  test(`${name} (${status}): CORS for allowed, foreign and missing origins`, async () => {
    const allowed = (await callWith('https://matbakh.app', options)).r;
    assert.equal(allowed.statusCode, status);
    assert.equal(allowed.headers['Access-Control-Allow-Origin'], 'https://matbakh.app');
    assert.equal(allowed.headers.Vary, 'Origin');
    for (const origin of ['https://attacker.example', undefined]) {
      const r = (await callWith(origin, options)).r;
      assert.equal(r.statusCode, status);
      assert.equal(r.headers['Access-Control-Allow-Origin'], undefined, String(origin));
      assert.equal(r.headers.Vary, 'Origin');
    }
  });
}

/** The Matbakh/Application metrics of the emitted documents, name → {unit, value, dimensions}. */
function metricsOf(emitted) {
  const found = {};
  for (const doc of emitted) {
    for (const directive of doc._aws.CloudWatchMetrics) {
      assert.equal(directive.Namespace, 'Matbakh/Application');
      for (const { Name, Unit } of directive.Metrics) {
        const dimensions = Object.fromEntries(directive.Dimensions[0].map((d) => [d, doc[d]]));
        found[Name] = { unit: Unit, value: doc[Name], dimensions };
      }
    }
  }
  return found;
}

test('a started check counts VCRequestsSuccessful and its latency', async () => {
  const m = metricsOf((await callWith('https://matbakh.app')).emitted);
  assert.deepEqual(Object.keys(m).sort(), ['APILatency', 'VCRequestsSuccessful']);
  assert.deepEqual(m.VCRequestsSuccessful, { unit: 'Count', value: 1, dimensions: {} });
  assert.equal(m.APILatency.unit, 'Milliseconds');
  assert.deepEqual(m.APILatency.dimensions, { Endpoint: '/vc/start', StatusCode: '202' });
});

for (const [name, options, status] of OUTCOMES.slice(1)) {
  test(`a ${name} check counts VCRequestsFailed and its latency with status ${status}`, async () => {
    const m = metricsOf((await callWith(undefined, options)).emitted);
    assert.deepEqual(Object.keys(m).sort(), ['APILatency', 'VCRequestsFailed']);
    assert.deepEqual(m.VCRequestsFailed, { unit: 'Count', value: 1, dimensions: {} });
    assert.deepEqual(m.APILatency.dimensions, { Endpoint: '/vc/start', StatusCode: String(status) });
  });
}

test('other routes emit their latency only', async () => {
  const handler = createHandler({ saveLead: async () => {}, loadResult: async () => null });
  const emitted = [];
  const previous = metrics.setWriter((line) => emitted.push(JSON.parse(line)));
  try {
    await handler({ httpMethod: 'GET', resource: '/api/v1/vc/result/{token}', pathParameters: { token: 'nope' } }, {});
  } finally {
    metrics.setWriter(previous);
  }
  const m = metricsOf(emitted);
  assert.deepEqual(Object.keys(m), ['APILatency']);
  assert.deepEqual(m.APILatency.dimensions, { Endpoint: '/vc/result/{token}', StatusCode: '404' });
});
