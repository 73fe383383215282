'use strict';
// Run with the layers on NODE_PATH, as Lambda does (tests/handlers.rs sets it). Kept outside
// the layer's folder so the test is not packaged into the layer.
const test = require('node:test');
const assert = require('node:assert/strict');
const { AppError, apiHandler, metrics } = require('@matbakh/shared-utils');

const STAGE = { corsAllowedOrigins: 'https://matbakh.app,https://app.matbakh.app' };
const ALLOWED = 'https://app.matbakh.app';
const FOREIGN = 'https://evil.example';

/** Calls `handler` with `event` and returns the response and the EMF documents it emitted. */
async function invoke(handler, event) {
  const lines = [];
  const previous = metrics.setWriter((line) => lines.push(line));
  try {
    const response = await handler(event, { awsRequestId: 'req-9' });
    return { response, emitted: lines.map((l) => JSON.parse(l)) };
  } finally {
    metrics.setWriter(previous);
  }
}

const event = (origin, extra = {}) => ({
  httpMethod: 'GET',
  resource: '/api/v1/business/partners/{id}',
  headers: origin === undefined ? {} : { origin },
  stageVariables: STAGE,
  ...extra,
});

// What each path of apiHandler answers: a result, an AppError, an unexpected error, bad JSON.
const PATHS = {
  success: [apiHandler(async () => ({ body: { ok: true } })), 200],
  'client error': [apiHandler(async () => { throw new AppError('Admins only', 403, { error: 'Forbidden' }); }), 403],
  'server error': [apiHandler(async () => { throw new Error('db at 10.0.0.5 down'); }), 500],
  'invalid JSON': [apiHandler(async () => ({ body: {} })), 400, { httpMethod: 'POST', body: '{x' }],
};

for (const [name, [handler, status, extra]] of Object.entries(PATHS)) {
  test(`${name}: an allowed origin is echoed, with Vary: Origin`, async () => {
    const { response } = await invoke(handler, event(ALLOWED, extra));
    assert.equal(response.statusCode, status);
    assert.equal(response.headers['Access-Control-Allow-Origin'], ALLOWED);
    assert.equal(response.headers.Vary, 'Origin');
    assert.equal(response.headers['Access-Control-Expose-Headers'], 'X-Request-ID');
    // Bearer tokens, no cookies: credentials are never allowed.
    assert.equal(response.headers['Access-Control-Allow-Credentials'], undefined);
    assert.equal(response.headers['Content-Type'], 'application/json');
  });

  test(`${name}: a foreign origin gets no Access-Control-Allow-Origin`, async () => {
    const { response } = await invoke(handler, event(FOREIGN, extra));
    assert.equal(response.statusCode, status);
    assert.equal(response.headers['Access-Control-Allow-Origin'], undefined);
    assert.equal(response.headers['Access-Control-Expose-Headers'], undefined);
    assert.equal(response.headers.Vary, 'Origin');
    assert.doesNotMatch(JSON.stringify(response), /evil\.example/);
  });

  test(`${name}: no origin gets no Access-Control-Allow-Origin`, async () => {
    const { response } = await invoke(handler, event(undefined, extra));
    assert.equal(response.statusCode, status);
    assert.equal(response.headers['Access-Control-Allow-Origin'], undefined);
    assert.equal(response.headers.Vary, 'Origin');
  });
}

test('origins match exactly, the header name in any case', async () => {
  const [handler] = PATHS.success;
  const header = async (headers, stageVariables = STAGE) =>
    (await invoke(handler, { ...event(undefined), headers, stageVariables })).response.headers['Access-Control-Allow-Origin'];
  assert.equal(await header({ Origin: 'https://matbakh.app' }), 'https://matbakh.app');
  assert.equal(await header({ ORIGIN: 'https://matbakh.app' }), 'https://matbakh.app');
  for (const near of ['https://matbakh.app.evil.example', 'http://matbakh.app', 'https://matbakh.app/', 'null', '*']) {
    assert.equal(await header({ Origin: near }), undefined, near);
  }
  // A stage without the allow-list (or an event without stage variables) allows nothing.
  assert.equal(await header({ Origin: ALLOWED }, {}), undefined);
  assert.equal(await header({ Origin: ALLOWED }, null), undefined);
});

test('every request emits APILatency in Matbakh/Application by endpoint and status code', async () => {
  for (const [name, [handler, status, extra]] of Object.entries(PATHS)) {
    const { emitted } = await invoke(handler, event(FOREIGN, extra));
    assert.equal(emitted.length, 1, name);
    const [doc] = emitted;
    const [directive] = doc._aws.CloudWatchMetrics;
    assert.equal(doc._aws.CloudWatchMetrics.length, 1);
    assert.ok(Number.isInteger(doc._aws.Timestamp) && Math.abs(doc._aws.Timestamp - Date.now()) < 60000, name);
    assert.equal(directive.Namespace, 'Matbakh/Application');
    assert.deepEqual(directive.Dimensions, [['Endpoint', 'StatusCode']]);
    assert.deepEqual(directive.Metrics, [{ Name: 'APILatency', Unit: 'Milliseconds' }]);
    // The resource template below /api/v1, never a path parameter's value.
    assert.equal(doc.Endpoint, '/business/partners/{id}', name);
    assert.equal(doc.StatusCode, String(status), name);
    assert.equal(typeof doc.APILatency, 'number');
    assert.ok(doc.APILatency >= 0);
  }
});

test('the environment the stack sets is a dimension of every metric', async () => {
  process.env.MATBAKH_ENVIRONMENT = 'staging';
  try {
    const { emitted } = await invoke(PATHS.success[0], event(ALLOWED));
    const [directive] = emitted[0]._aws.CloudWatchMetrics;
    assert.deepEqual(directive.Dimensions, [['Environment', 'Endpoint', 'StatusCode']]);
    assert.equal(emitted[0].Environment, 'staging');
    const lines = [];
    const previous = metrics.setWriter((line) => lines.push(line));
    try { metrics.count('VCRequestsSuccessful'); } finally { metrics.setWriter(previous); }
    const counted = JSON.parse(lines[0]);
    assert.deepEqual(counted._aws.CloudWatchMetrics[0].Dimensions, [['Environment']]);
    assert.equal(counted.VCRequestsSuccessful, 1);
  } finally {
    delete process.env.MATBAKH_ENVIRONMENT;
  }
});

test('a failing metric writer never fails the request', async () => {
  const previous = metrics.setWriter(() => { throw new Error('stdout closed'); });
  try {
    const r = await PATHS.success[0](event(ALLOWED), {});
    assert.equal(r.statusCode, 200);
  } finally {
    metrics.setWriter(previous);
  }
});

test('external API answers are archived under raw/external-apis/<source>/ by UTC day', async () => {
  const { archiveExternalResponse } = require('@matbakh/shared-utils');
  const saved = { ...process.env };
  process.env.DATA_LAKE_BUCKET = 'matbakh-data-lake-dev';
  process.env.EXTERNAL_API_ARCHIVE_PREFIX = 'raw/external-apis/';
  try {
    const puts = [];
    const key = await archiveExternalResponse('google-business', { rating: 4.5 }, {
      put: async (input) => puts.push(input),
      now: new Date('2025-01-14T23:30:00-01:00'),
      id: 'call-1',
    });
    assert.equal(key, 'raw/external-apis/google-business/year=2025/month=01/day=15/call-1.json');
    assert.deepEqual(puts, [{
      Bucket: 'matbakh-data-lake-dev', Key: key, Body: '{"rating":4.5}', ContentType: 'application/json',
    }]);
    await assert.rejects(archiveExternalResponse('twitter', {}, { put: async () => {} }), /unknown external source twitter/);
    delete process.env.DATA_LAKE_BUCKET;
    await assert.rejects(archiveExternalResponse('ga4-exports', {}, { put: async () => {} }), /add external_api_archive/);
  } finally {
    process.env = saved;
  }
});
