'use strict';
// Run with the layers on NODE_PATH, as Lambda does (tests/handlers.rs sets it). Kept outside
// the layer's folder so the test is not packaged into the layer.
const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { decode, encode, redisClient, settings, tlsOptions, withRetry } = require('@matbakh/database-client');

test('RESP round trip', () => {
  assert.equal(encode(['SET', 'k', 'ü']), '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nü\r\n');
  assert.deepEqual(decode(Buffer.from('*3\r\n+OK\r\n:7\r\n$-1\r\n')), [['OK', 7, null], 18]);
  assert.equal(decode(Buffer.from('$5\r\nab')), null, 'incomplete replies wait for more data');
  assert.match(decode(Buffer.from('-ERR nope\r\n'))[0].message, /ERR nope/);
});

test('settings come from the environment', () => {
  const s = settings({ RDS_ENDPOINT: 'db', RDS_PORT: '5432', RDS_READER_ENDPOINTS: 'r1,r2', DB_SECRET_ARN: 'arn' });
  assert.deepEqual(s.database, { host: 'db', port: 5432, readers: ['r1', 'r2'], secretArn: 'arn', caFile: null });
  assert.equal(s.cache, null);
  assert.equal(settings({ RDS_ENDPOINT: 'db', DB_TLS_CA_FILE: '/tmp/ca.pem' }).database.caFile, '/tmp/ca.pem');
});

// The default (the bundled Amazon RDS CAs) needs the built layer: tests/database_layer.rs.
test('TLS verifies the server against the named CA file', () => {
  const read = (path, encoding) => `${path} as ${encoding}`;
  assert.deepEqual(tlsOptions({ caFile: '/tmp/ca.pem' }, read), { ca: '/tmp/ca.pem as utf8', rejectUnauthorized: true });
});

test('withRetry backs off exponentially and gives up after the last attempt', async () => {
  const waits = [];
  const sleep = async (ms) => waits.push(ms);
  await assert.rejects(withRetry(async () => { throw new Error('down'); }, { sleep }), /down/);
  assert.deepEqual(waits, [1000, 2000]);
  assert.equal(await withRetry(async (i) => (i < 1 ? Promise.reject(new Error('x')) : 'up'), { sleep }), 'up');
});

test('the Redis client authenticates and follows MOVED redirects', async () => {
  const seen = [];
  const server = (reply) => net.createServer((socket) => {
    socket.on('data', (d) => {
      const [args] = decode(d);
      seen.push(args.join(' '));
      socket.write(reply(args));
    });
  });
  const owner = server((args) => (args[0] === 'AUTH' ? '+OK\r\n' : '$5\r\nvalue\r\n'));
  await new Promise((r) => owner.listen(0, '127.0.0.1', r));
  const port = owner.address().port;
  const entry = server((args) => (args[0] === 'AUTH' ? '+OK\r\n' : `-MOVED 866 127.0.0.1:${port}\r\n`));
  await new Promise((r) => entry.listen(0, '127.0.0.1', r));
  const client = redisClient({ host: '127.0.0.1', port: entry.address().port, password: 't0ken', useTls: false });
  assert.equal(await client.command('GET', 'k'), 'value');
  assert.deepEqual(seen, ['AUTH t0ken', 'GET k', 'AUTH t0ken', 'GET k']);
  client.close();
  owner.close();
  entry.close();
});
