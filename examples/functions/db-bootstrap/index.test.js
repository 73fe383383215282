'use strict';
// Run with the layers on NODE_PATH, as Lambda does (tests/handlers.rs sets it). No database:
// a recording client stands in for pg. The bootstrap against a real PostgreSQL is tested
// by tests/node/database_bootstrap.test.js (tests/database_bootstrap.rs).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createHandler } = require('./index.js');
const { loadMigrations, scramVerifier, verify } = require('./runner.js');

function folder(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'db-bootstrap-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

test('migrations load in version order with their sha256; other files are ignored', () => {
  const dir = folder({ '002_b.sql': 'SELECT 2;', '001_a.sql': 'SELECT 1;', 'README.md': 'how to add one' });
  const migrations = loadMigrations(dir);
  assert.deepEqual(migrations.map((m) => [m.version, m.name, m.file]), [[1, 'a', '001_a.sql'], [2, 'b', '002_b.sql']]);
  assert.equal(migrations[0].checksum, require('node:crypto').createHash('sha256').update('SELECT 1;').digest('hex'));
});

test('a gap, a duplicate version or a misnamed .sql file is refused with what to do', () => {
  assert.throws(() => loadMigrations(folder({ '001_a.sql': '', '003_c.sql': '' })), /without gaps: 001_a.sql is followed by 003_c.sql; renumber/);
  assert.throws(() => loadMigrations(folder({ '002_b.sql': '' })), /the first migration must be 001/);
  assert.throws(() => loadMigrations(folder({ '001_a.sql': '', '001_b.sql': '' })), /001_a.sql and 001_b.sql share version 1/);
  assert.throws(() => loadMigrations(folder({ '001_Add Table.sql': '' })), /001_Add Table.sql is not named NNN_name.sql/);
  assert.throws(() => loadMigrations('/nonexistent/migrations'), /cannot read the migrations folder \/nonexistent\/migrations .*set MIGRATIONS_DIR/);
});

test('the history is checked against the files: changed, renamed and missing migrations are refused', () => {
  const migrations = loadMigrations(folder({ '001_a.sql': 'SELECT 1;', '002_b.sql': 'SELECT 2;' }));
  const row = (m, extra = {}) => ({ version: m.version, name: m.name, checksum: m.checksum, applied_at: new Date(0), ...extra });
  assert.deepEqual(verify(migrations, [row(migrations[0])]).map((m) => m.file), ['002_b.sql']);
  assert.deepEqual(verify(migrations, migrations.map((m) => row(m))), []);
  const old = 'a'.repeat(64);
  assert.throws(
    () => verify(migrations, [row(migrations[0], { checksum: old })]),
    new RegExp(`001_a.sql was changed after it was applied: applied checksum ${old}, file checksum ${migrations[0].checksum}`),
  );
  assert.throws(() => verify(migrations, [row(migrations[0], { name: 'first' })]), /001_a.sql was applied as 001_first.sql/);
  assert.throws(() => verify(migrations.slice(0, 1), migrations.map((m) => row(m))), /002_b.sql was applied on 1970-01-01T00:00:00.000Z but is missing/);
});

test('the SCRAM verifier is PostgreSQL-shaped, repeatable and differs per user and password', () => {
  const v = scramVerifier('matbakh_app', 'secret');
  assert.match(v, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
  assert.equal(scramVerifier('matbakh_app', 'secret'), v);
  assert.notEqual(scramVerifier('matbakh_app_clone', 'secret'), v);
  assert.notEqual(scramVerifier('matbakh_app', 'secret2'), v);
  assert.ok(!v.includes('secret'));
});

/** A stand-in for a pg client: records every statement, answers the bootstrap's reads. */
function recordingClient() {
  const statements = [];
  const roles = new Set();
  return {
    statements,
    on() {},
    async end() {},
    async query(sql, params = []) {
      statements.push({ sql, params });
      if (/to_regclass/.test(sql)) return { rows: [{ t: null }] };
      if (/^SELECT 1 FROM pg_roles/.test(sql)) return { rows: roles.has(params[0]) ? [{}] : [] };
      if (/^SELECT rolsuper/.test(sql)) return { rows: [{ rolsuper: false, rolreplication: false, rolbypassrls: false }] };
      if (/current_database/.test(sql)) return { rows: [{ db: 'matbakh' }] };
      const created = /^CREATE ROLE "([^"]+)"/.exec(sql);
      if (created) roles.add(created[1]);
      return { rows: [], rowCount: 0 };
    },
  };
}

const SECRETS = {
  master: { username: 'postgres', password: 'master-pw' },
  app: { username: 'matbakh_app', password: 'app-plaintext-pw' },
  etl: { username: 'etl_user', password: 'etl-plaintext-pw' },
};
const ENV = { MASTER_SECRET_ARN: 'master', APP_SECRET_ARN: 'app', ETL_SECRET_ARN: 'etl', MIGRATIONS_DIR: '/migrations' };

function handlerWith({ env = ENV, secrets = SECRETS, migrations = [] } = {}) {
  const client = recordingClient();
  const connected = [];
  const handler = createHandler({
    env,
    getSecret: async (arn) => secrets[arn],
    connect: async (_env, credentials) => {
      connected.push(credentials.username);
      return client;
    },
    readMigrations: () => migrations,
  });
  return { handler, client, connected };
}

test('apply connects as the master user, sets passwords as SCRAM verifiers and never sends the plaintext', async () => {
  const { handler, client, connected } = handlerWith();
  const result = await handler({ action: 'apply' });
  assert.deepEqual(connected, ['postgres']);
  assert.deepEqual(result.applied, []);
  assert.deepEqual(result.roles.map((r) => [r.group, r.login]), [['matbakh_app_rw', 'matbakh_app'], ['matbakh_etl_ro', 'etl_user'], ['matbakh_analytics_ro', null]]);
  const sent = JSON.stringify(client.statements);
  for (const secret of [SECRETS.app.password, SECRETS.etl.password]) assert.ok(!sent.includes(secret), 'a plaintext password reached the server');
  const create = client.statements.find((s) => /^CREATE ROLE "matbakh_app" /.test(s.sql)).sql;
  assert.ok(create.includes(scramVerifier('matbakh_app', SECRETS.app.password)), create);
  assert.match(create, /NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS LOGIN/);
  const extensions = client.statements.filter((s) => /^CREATE EXTENSION/.test(s.sql)).map((s) => s.sql);
  assert.deepEqual(extensions, ['CREATE EXTENSION IF NOT EXISTS "pg_cron"']);
  assert.equal(client.statements.at(-1).sql, "SELECT pg_advisory_unlock(hashtextextended('matbakh-infra:db-bootstrap', 0))");
});

test('ENABLE_PGAUDIT=true also creates pgaudit', async () => {
  const { handler, client } = handlerWith({ env: { ...ENV, ENABLE_PGAUDIT: 'true' } });
  await handler({ action: 'apply' });
  const extensions = client.statements.filter((s) => /^CREATE EXTENSION/.test(s.sql)).map((s) => s.sql);
  assert.deepEqual(extensions, ['CREATE EXTENSION IF NOT EXISTS "pg_cron"', 'CREATE EXTENSION IF NOT EXISTS "pgaudit"']);
});

test('status changes nothing: it only reads', async () => {
  const migrations = loadMigrations(folder({ '001_a.sql': 'SELECT 1;' }));
  const { handler, client } = handlerWith({ migrations });
  const result = await handler({ action: 'status' });
  assert.deepEqual(result.pending.map((m) => m.file), ['001_a.sql']);
  assert.ok(client.statements.every((s) => /^SELECT /.test(s.sql)), JSON.stringify(client.statements));
});

test('wrong events and missing settings are refused with what to do', async () => {
  await assert.rejects(handlerWith().handler({ action: 'migrate' }), /unknown action "migrate"; invoke with \{"action": "status"\} or \{"action": "apply"\}/);
  await assert.rejects(handlerWith().handler({}), /unknown action undefined/);
  await assert.rejects(handlerWith({ env: { ...ENV, MASTER_SECRET_ARN: '' } }).handler({ action: 'status' }), /neither DB_INSTANCE_IDENTIFIER nor MASTER_SECRET_ARN is set/);
  await assert.rejects(handlerWith({ env: { ...ENV, APP_SECRET_ARN: undefined } }).handler({ action: 'apply' }), /APP_SECRET_ARN is not set/);
  const foreign = { ...SECRETS, app: { username: 'postgres', password: 'x' } };
  await assert.rejects(handlerWith({ secrets: foreign }).handler({ action: 'apply' }), /the app secret names user "postgres"; it must be one of matbakh_app, matbakh_app_clone/);
  const empty = { ...SECRETS, etl: { username: 'etl_user' } };
  await assert.rejects(handlerWith({ secrets: empty }).handler({ action: 'apply' }), /the etl secret has no password/);
});

test('without MASTER_SECRET_ARN the master secret is the one RDS manages for DB_INSTANCE_IDENTIFIER', async () => {
  const looked = [];
  const client = recordingClient();
  const connected = [];
  const handler = createHandler({
    env: { ...ENV, MASTER_SECRET_ARN: undefined, DB_INSTANCE_IDENTIFIER: 'matbakh-dev' },
    getSecret: async (arn) => ({ 'rds!db-1': SECRETS.master, ...SECRETS })[arn],
    masterSecretArn: async (identifier) => { looked.push(identifier); return 'rds!db-1'; },
    connect: async (_env, credentials) => { connected.push(credentials.username); return client; },
    readMigrations: () => [],
  });
  await handler({ action: 'status' });
  assert.deepEqual(looked, ['matbakh-dev']);
  assert.deepEqual(connected, [SECRETS.master.username]);
});
