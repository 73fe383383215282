'use strict';
// Run with the layers on NODE_PATH, as Lambda does (tests/handlers.rs sets it). The deletion
// tests start a real three-shard Redis cluster on loopback (redis-server and redis-cli, which
// scripts/setup.sh installs) and stop it by pid; they fail, never skip, without Redis.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const { redisClient } = require('@matbakh/database-client');
const { createHandler, staleKeys } = require('./index.js');

test('section 6 maps each table to its keys', () => {
  assert.deepEqual(staleKeys({ table: 'business_partners', operation: 'UPDATE', record_id: 'b1' }), {
    table: 'business_partners',
    keys: ['business_profile:b1', 'partner_kpis:b1'],
    patterns: [],
  });
  assert.deepEqual(staleKeys({ table: 'visibility_check_results', operation: 'INSERT', record_id: 7 }), {
    table: 'visibility_check_results',
    keys: ['vc_result:7'],
    patterns: ['dashboard:*'],
  });
  assert.deepEqual(staleKeys({ table: 'gmb_categories', operation: 'DELETE', record_id: null }), {
    table: 'gmb_categories',
    keys: [],
    patterns: ['gmb_categories:*'],
  });
});

test('the payload may arrive as JSON text', () => {
  const text = JSON.stringify({ table: 'business_partners', operation: 'DELETE', record_id: 'b2' });
  assert.deepEqual(staleKeys(text).keys, ['business_profile:b2', 'partner_kpis:b2']);
});

test('what section 6 does not name is ignored, not an error', () => {
  assert.match(staleKeys({ table: 'users', operation: 'UPDATE', record_id: 1 }).ignored, /table users/);
  assert.match(staleKeys({ table: 'toString', record_id: 1 }).ignored, /table toString/);
  assert.match(staleKeys({ table: 'business_partners', record_id: null }).ignored, /needs its record_id/);
  assert.match(staleKeys({ table: 'business_partners', record_id: { id: 1 } }).ignored, /needs its record_id/);
  assert.match(staleKeys('not json').ignored, /not a JSON object/);
  assert.match(staleKeys([1]).ignored, /not a JSON object/);
  assert.match(staleKeys({ operation: 'UPDATE' }).ignored, /no table/);
});

test('an ignored payload succeeds without touching Redis', async () => {
  const handler = createHandler({ redis: async () => assert.fail('Redis must not be used') });
  const result = await handler({ table: 'users', operation: 'UPDATE', record_id: 1 });
  assert.deepEqual(result, { deleted: 0, ignored: 'no cache keys are derived from table users' });
});

// ---------------------------------------------------------------- a real Redis cluster

/** Whether a TCP port on loopback can be bound now. */
function bindable(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port whose cluster bus port (port + 10000) is free too. */
async function freePort(taken) {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    if (!taken.includes(port) && (await bindable(port)) && (await bindable(port + 10000))) return port;
  }
}

/** Calls `probe` until it returns true, `attempts` times at most, 100 ms apart. */
async function until(what, probe, attempts = 100) {
  for (let i = 0; i < attempts; i++) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting: ${what}`);
}

/** Three `redis-server --cluster-enabled yes` nodes joined by `redis-cli --cluster create`. */
async function startCluster() {
  for (const tool of ['redis-server', 'redis-cli']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch (err) {
      throw new Error(`${tool} is required for the cluster tests (run scripts/setup.sh or apt-get install redis-server redis-tools): ${err.message}`);
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matbakh-redis-cluster-'));
  const ports = [];
  for (let i = 0; i < 3; i++) ports.push(await freePort(ports));
  const processes = ports.map((port) =>
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
       '--cluster-config-file', path.join(dir, `nodes-${port}.conf`), '--dir', dir,
       '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { stdio: 'ignore' },
    ),
  );
  const stop = () => {
    for (const p of processes) if (p.exitCode === null) process.kill(p.pid);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const cli = (port, ...args) => execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]).toString();
    for (const port of ports) await until(`redis-server on ${port}`, async () => cli(port, 'PING').trim() === 'PONG');
    execFileSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'ignore' });
    for (const port of ports) {
      await until(`cluster state ok on ${port}`, async () => /cluster_state:ok/.test(cli(port, 'CLUSTER', 'INFO')));
    }
    return { ports, stop };
  } catch (err) {
    stop();
    throw err;
  }
}

/** Every key on one node (SCAN there; a test-sized keyspace). */
async function keysOn(client, port) {
  const keys = [];
  let cursor = '0';
  do {
    const [next, found] = await client.commandOn('127.0.0.1', port, 'SCAN', cursor, 'COUNT', 1000);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

test('deletes exact keys and pattern keys on every shard of a real cluster', async (t) => {
  const cluster = await startCluster();
  t.after(cluster.stop);
  const client = redisClient({ host: '127.0.0.1', port: cluster.ports[0], useTls: false });
  t.after(() => client.close());

  const stale = [...Array.from({ length: 30 }, (_, i) => `dashboard:${i}`), 'vc_result:42'];
  const kept = [
    ...Array.from({ length: 30 }, (_, i) => `gmb_categories:${i}`),
    'vc_result:43', 'business_profile:42', 'dashboard', 'dashboards:1', 'my-dashboard:1',
  ];
  for (const key of [...stale, ...kept]) await client.command('SET', key, 'cached');

  // The pattern's keys are spread over all three shards, so one node's SCAN or KEYS would miss some.
  const before = await Promise.all(cluster.ports.map((port) => keysOn(client, port)));
  for (const keys of before) assert.ok(keys.some((k) => k.startsWith('dashboard:')), `a shard without dashboard keys: ${keys}`);
  assert.equal(before.flat().length, stale.length + kept.length);

  // Record what reaches Redis: never KEYS, and a SCAN on each primary.
  const sent = [];
  const recording = {
    command: (...args) => (sent.push(['endpoint', ...args]), client.command(...args)),
    commandOn: (host, port, ...args) => (sent.push([port, ...args]), client.commandOn(host, port, ...args)),
    primaries: () => client.primaries(),
  };
  const handler = createHandler({ redis: async () => recording });
  const result = await handler({ table: 'visibility_check_results', operation: 'UPDATE', record_id: 42 });
  assert.deepEqual(result, { deleted: stale.length });

  const after = (await Promise.all(cluster.ports.map((port) => keysOn(client, port)))).flat().sort();
  assert.deepEqual(after, [...kept].sort());
  assert.ok(!sent.some(([, command]) => /^keys$/i.test(command)), 'KEYS was sent');
  const scanned = new Set(sent.filter(([, command]) => command === 'SCAN').map(([port]) => port));
  assert.deepEqual([...scanned].sort(), [...cluster.ports].sort());
  const multiKey = sent.filter(([, command, ...keys]) => command === 'UNLINK' && keys.length !== 1);
  assert.deepEqual(multiKey, [], 'UNLINK of several keys may span slots (CROSSSLOT)');

  // gmb_categories: the other pattern, on every shard too.
  assert.deepEqual(await handler({ table: 'gmb_categories', operation: 'DELETE', record_id: 3 }), { deleted: 30 });
  // business_partners: two exact keys in different slots, of which one exists.
  assert.deepEqual(await handler({ table: 'business_partners', operation: 'UPDATE', record_id: 42 }), { deleted: 1 });
  const left = (await Promise.all(cluster.ports.map((port) => keysOn(client, port)))).flat().sort();
  assert.deepEqual(left, ['dashboard', 'dashboards:1', 'my-dashboard:1', 'vc_result:43']);
});
