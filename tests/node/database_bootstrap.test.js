'use strict';
// The db-bootstrap function against a real PostgreSQL 15 with pg_cron (started by
// tests/database_bootstrap.rs, which passes PGHOST, PGPORT, PG_SUPERUSER, PG_SUPERPASSWORD
// and DB_TLS_CA_FILE, and puts the built database-client layer on NODE_PATH). Kept outside
// examples/ so tests/handlers.rs (no database) does not run it. The tests run in order on
// one database: each builds on the state the previous ones left.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Client } = require('pg');

const { createHandler } = require('../../examples/functions/db-bootstrap/index.js');

for (const name of ['PGHOST', 'PGPORT', 'PG_SUPERUSER', 'PG_SUPERPASSWORD', 'DB_TLS_CA_FILE']) {
  if (!process.env[name]) throw new Error(`${name} is not set: run this through cargo test --test database_bootstrap`);
}
const { PGHOST: HOST, PGPORT: PORT, DB_TLS_CA_FILE: CA_FILE } = process.env;
const DB = 'matbakh';
const SUPER = { username: process.env.PG_SUPERUSER, password: process.env.PG_SUPERPASSWORD };
// The RDS master user: not a superuser, CREATEROLE and CREATEDB, the database's owner.
const MASTER = { username: 'rds_master', password: 'master-Secret-1' };
const APP = { username: 'matbakh_app', password: "app-Secret-1'; DROP ROLE x; --" };
const ETL = { username: 'etl_user', password: 'etl-Secret-1' };
const ANALYTICS = { username: 'matbakh_analytics', password: 'analytics-Secret-1' };

const SOURCE = path.join(__dirname, '../../examples/migrations');
const migrationsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'matbakh-migrations-'));
fs.cpSync(SOURCE, migrationsDir, { recursive: true });
const SHIPPED = fs.readdirSync(SOURCE).filter((f) => f.endsWith('.sql')).sort();

const secrets = { 'arn:master': MASTER, 'arn:app': APP, 'arn:etl': ETL, 'arn:analytics': ANALYTICS };
const logs = [];

/** The handler as deployed, its secrets from `secrets`, connecting through the layer over verified TLS. */
function bootstrap(extraEnv = {}) {
  const env = {
    RDS_ENDPOINT: HOST,
    RDS_PORT: PORT,
    DB_TLS_CA_FILE: CA_FILE,
    DB_NAME: DB,
    MASTER_SECRET_ARN: 'arn:master',
    APP_SECRET_ARN: 'arn:app',
    ETL_SECRET_ARN: 'arn:etl',
    ANALYTICS_SECRET_ARN: 'arn:analytics',
    MIGRATIONS_DIR: migrationsDir,
    ...extraEnv,
  };
  const getSecret = async (arn) => {
    if (!secrets[arn]) throw new Error(`ResourceNotFoundException: ${arn}`);
    return { ...secrets[arn], engine: 'postgres' };
  };
  return createHandler({ getSecret, env });
}

const originalLog = console.log;
console.log = (line) => logs.push(String(line));
test.after(() => {
  console.log = originalLog;
});

async function connect({ username, password }, database = DB) {
  const client = new Client({
    host: HOST,
    port: Number(PORT),
    user: username,
    password,
    database,
    ssl: { ca: fs.readFileSync(CA_FILE, 'utf8'), rejectUnauthorized: true },
  });
  await client.connect();
  return client;
}

async function as(credentials, fn, database = DB) {
  const client = await connect(credentials, database);
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const rows = async (client, sql, params) => (await client.query(sql, params)).rows;

/** The SQLSTATE `sql` fails with as `client`; fails the test if it succeeds. */
async function refused(client, sql, params) {
  try {
    await client.query(sql, params);
  } catch (err) {
    return err.code;
  }
  assert.fail(`${sql} succeeded`);
}

test.before(async () => {
  // What RDS does before the bootstrap: the master user owns the database; pg_cron (which
  // only a superuser may create in plain PostgreSQL; RDS lets rds_superuser) exists and the
  // master may use its schema.
  await as(SUPER, async (c) => {
    await c.query(`CREATE ROLE ${MASTER.username} LOGIN CREATEROLE CREATEDB PASSWORD '${MASTER.password}'`);
    await c.query(`CREATE DATABASE ${DB} OWNER ${MASTER.username}`);
  }, 'postgres');
  await as(SUPER, async (c) => {
    await c.query('CREATE EXTENSION pg_cron');
    await c.query(`GRANT USAGE ON SCHEMA cron TO ${MASTER.username}`);
  });
});

test('status on an empty database lists every migration as pending and changes nothing', async () => {
  const result = await bootstrap()({ action: 'status' });
  assert.deepEqual(result.applied, []);
  assert.deepEqual(result.pending.map((m) => m.file), SHIPPED);
  assert.ok(SHIPPED.length >= 5, `expected the shipped migrations, found ${SHIPPED}`);
  await as(SUPER, async (c) => {
    assert.deepEqual(await rows(c, "SELECT rolname FROM pg_roles WHERE rolname LIKE 'matbakh%' OR rolname LIKE 'etl%'"), []);
    assert.deepEqual(await rows(c, "SELECT nspname FROM pg_namespace WHERE nspname = 'matbakh_meta'"), []);
  });
});

test('two applies at once apply each migration exactly once', async () => {
  const results = await Promise.all([bootstrap()({ action: 'apply' }), bootstrap()({ action: 'apply' })]);
  const counts = results.map((r) => r.applied.length).sort();
  assert.deepEqual(counts, [0, SHIPPED.length], 'one run applies everything, the other (after the lock) nothing');
  for (const r of results) assert.deepEqual(r.pending, []);
  const history = await as(MASTER, (c) => rows(c, 'SELECT version, name, checksum, applied_by FROM matbakh_meta.schema_history ORDER BY version'));
  assert.deepEqual(
    history.map((h) => `${String(h.version).padStart(3, '0')}_${h.name}.sql`),
    SHIPPED,
  );
  for (const h of history) {
    const file = SHIPPED[h.version - 1];
    assert.equal(h.checksum, crypto.createHash('sha256').update(fs.readFileSync(path.join(SOURCE, file))).digest('hex'), file);
    assert.equal(h.applied_by, MASTER.username);
  }
  assert.deepEqual(results.find((r) => r.applied.length).roles, [
    { role: 'app', group: 'matbakh_app_rw', users: ['matbakh_app'], login: 'matbakh_app' },
    { role: 'etl', group: 'matbakh_etl_ro', users: ['etl_user'], login: 'etl_user' },
    { role: 'analytics', group: 'matbakh_analytics_ro', users: ['matbakh_analytics'], login: 'matbakh_analytics' },
  ]);
  const everything = logs.join('\n');
  for (const secret of [APP, ETL, ANALYTICS, MASTER]) assert.ok(!everything.includes(secret.password), 'a password was logged');
});

const ROLE_ATTRIBUTES = `SELECT rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolinherit
  FROM pg_roles WHERE rolname IN ('matbakh_owner', 'matbakh_app_rw', 'matbakh_etl_ro', 'matbakh_analytics_ro',
  'matbakh_app', 'etl_user', 'matbakh_analytics', 'matbakh_app_clone') ORDER BY rolname`;

test('the roles exist with exactly their attributes, memberships and privileges', async () => {
  await as(SUPER, async (c) => {
    const attributes = await rows(c, ROLE_ATTRIBUTES);
    assert.deepEqual(
      attributes.map((r) => [r.rolname, r.rolcanlogin]),
      [
        ['etl_user', true],
        ['matbakh_analytics', true],
        ['matbakh_analytics_ro', false],
        ['matbakh_app', true],
        ['matbakh_app_rw', false],
        ['matbakh_etl_ro', false],
        ['matbakh_owner', false],
      ],
    );
    for (const r of attributes) {
      for (const power of ['rolsuper', 'rolcreaterole', 'rolcreatedb', 'rolreplication', 'rolbypassrls']) {
        assert.equal(r[power], false, `${r.rolname} has ${power}`);
      }
    }
    const members = await rows(
      c,
      `SELECT g.rolname AS group, m.rolname AS member FROM pg_auth_members a
       JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
       WHERE g.rolname LIKE 'matbakh%' ORDER BY 1, 2`,
    );
    assert.deepEqual(members, [
      { group: 'matbakh_analytics_ro', member: 'matbakh_analytics' },
      { group: 'matbakh_app_rw', member: 'matbakh_app' },
      { group: 'matbakh_etl_ro', member: 'etl_user' },
      { group: 'matbakh_owner', member: MASTER.username },
    ]);

    // Every relation of the schema: owned by matbakh_owner, and each group holds exactly its privileges.
    const relations = await rows(
      c,
      `SELECT c.relname, c.relkind, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
       WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'm', 'v') ORDER BY 1`,
    );
    const names = relations.map((r) => r.relname);
    for (const wanted of ['user_roles', 'business_partners', 'visibility_check_leads', 'visibility_check_leads_default', 'visibility_check_results', 'gmb_categories', 'mv_daily_kpis']) {
      assert.ok(names.includes(wanted), `no ${wanted} in ${names}`);
    }
    const expected = {
      matbakh_app_rw: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
      matbakh_etl_ro: ['SELECT'],
      matbakh_analytics_ro: ['SELECT'],
    };
    const all = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];
    for (const { relname, owner } of relations) {
      assert.equal(owner, 'matbakh_owner', `${relname} is owned by ${owner}`);
      for (const [group, privileges] of Object.entries(expected)) {
        const [held] = await rows(
          c,
          `SELECT array_remove(ARRAY[${all.map((p, i) => `CASE WHEN has_table_privilege($1, $2, '${p}') THEN '${p}' END`).join(', ')}], NULL) AS held`,
          [group, `public.${relname}`],
        );
        assert.deepEqual(held.held, privileges, `${group} on ${relname}`);
      }
    }
    const [rls] = await rows(c, "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'public.business_partners'::regclass");
    assert.deepEqual(rls, { relrowsecurity: true, relforcerowsecurity: true }, 'business_partners enables and forces row-level security');
    for (const group of Object.keys(expected)) {
      const [schema] = await rows(c, "SELECT has_schema_privilege($1, 'matbakh_meta', 'USAGE') AS usage, has_schema_privilege($1, 'public', 'CREATE') AS create", [group]);
      assert.deepEqual(schema, { usage: false, create: false }, group);
    }
  });
});

test('matbakh_app cannot create roles, change the schema, read the history or refresh the view', async () => {
  await as(APP, async (c) => {
    assert.equal(await refused(c, 'CREATE ROLE intruder LOGIN'), '42501');
    assert.equal(await refused(c, 'DROP TABLE business_partners'), '42501');
    assert.equal(await refused(c, 'ALTER TABLE business_partners DISABLE ROW LEVEL SECURITY'), '42501');
    assert.equal(await refused(c, 'TRUNCATE visibility_check_results'), '42501');
    assert.equal(await refused(c, 'CREATE TABLE public.intruder (id int)'), '42501');
    assert.equal(await refused(c, 'SELECT * FROM matbakh_meta.schema_history'), '42501');
    assert.equal(await refused(c, 'SELECT refresh_daily_kpis()'), '42501');
    assert.equal(await refused(c, 'SELECT ensure_visibility_check_leads_partitions()'), '42501');
  });
});

const ALICE = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';
const ADMIN = '00000000-0000-4000-8000-0000000000ad';

/** Runs `fn` in a transaction as `userId` (set_current_user), on `client`. */
async function asUser(client, userId, fn) {
  await client.query('BEGIN');
  try {
    if (userId) await client.query('SELECT set_current_user($1)', [userId]);
    return await fn();
  } finally {
    await client.query('ROLLBACK').catch(() => {});
  }
}

test('row-level security: users read and write only their own partners, admins read all', async () => {
  await as(APP, async (c) => {
    const commit = async (userId, sql, params) => {
      await c.query('BEGIN');
      await c.query('SELECT set_current_user($1)', [userId]);
      await c.query(sql, params);
      await c.query('COMMIT');
    };
    await commit(ALICE, "INSERT INTO business_partners (user_id, company_name, status) VALUES ($1, 'Alice Grill', 'active')", [ALICE]);
    await commit(BOB, "INSERT INTO business_partners (user_id, company_name, status) VALUES ($1, 'Bob Bistro', 'active')", [BOB]);
    await commit(ADMIN, "INSERT INTO user_roles (user_id, role) VALUES ($1, 'admin')", [ADMIN]);

    const names = async (userId) => asUser(c, userId, async () => (await rows(c, 'SELECT company_name FROM business_partners ORDER BY 1')).map((r) => r.company_name));
    assert.deepEqual(await names(ALICE), ['Alice Grill']);
    assert.deepEqual(await names(BOB), ['Bob Bistro']);
    assert.deepEqual(await names(ADMIN), ['Alice Grill', 'Bob Bistro']);
    // No user set: no row (and no error), also after an earlier transaction set one.
    assert.deepEqual(await names(null), []);

    await asUser(c, ALICE, async () => {
      assert.equal(await refused(c, "INSERT INTO business_partners (user_id, company_name) VALUES ($1, 'Forged')", [BOB]), '42501');
    });
    await asUser(c, ALICE, async () => {
      const updated = await c.query("UPDATE business_partners SET status = 'pending' WHERE user_id = $1", [BOB]);
      assert.equal(updated.rowCount, 0, "Alice changed Bob's partner");
      const deleted = await c.query('DELETE FROM business_partners WHERE user_id = $1', [BOB]);
      assert.equal(deleted.rowCount, 0, "Alice deleted Bob's partner");
    });
  });
  // The readers (§7's ETL, the analytics replica) read every row and write none.
  for (const reader of [ETL, ANALYTICS]) {
    await as(reader, async (c) => {
      assert.deepEqual((await rows(c, 'SELECT company_name FROM business_partners ORDER BY 1')).map((r) => r.company_name), ['Alice Grill', 'Bob Bistro']);
      assert.equal(await refused(c, "INSERT INTO business_partners (user_id, company_name) VALUES ($1, 'x')", [ALICE]), '42501');
      assert.equal(await refused(c, "UPDATE business_partners SET status = 'deleted'"), '42501');
      assert.equal(await refused(c, 'DELETE FROM visibility_check_leads'), '42501');
      assert.equal(await refused(c, "INSERT INTO gmb_categories (name) VALUES ('x')"), '42501');
    });
  }
});

/** Everything apply may change: history, roles, passwords, memberships, privileges, default privileges. */
async function snapshot() {
  return as(SUPER, async (c) => ({
    history: await rows(c, 'SELECT * FROM matbakh_meta.schema_history ORDER BY version'),
    roles: await rows(c, ROLE_ATTRIBUTES),
    passwords: await rows(c, "SELECT rolname, rolpassword FROM pg_authid WHERE rolname LIKE 'matbakh%' OR rolname LIKE 'etl%' ORDER BY 1"),
    members: await rows(c, 'SELECT roleid::regrole::text, member::regrole::text, admin_option FROM pg_auth_members ORDER BY 1, 2'),
    acl: await rows(c, "SELECT relname, relacl::text FROM pg_class WHERE relnamespace IN ('public'::regnamespace, 'matbakh_meta'::regnamespace) ORDER BY 1"),
    schemas: await rows(c, "SELECT nspname, nspacl::text FROM pg_namespace WHERE nspname IN ('public', 'matbakh_meta') ORDER BY 1"),
    defaults: await rows(c, 'SELECT defaclrole::regrole::text, defaclnamespace::regnamespace::text, defaclobjtype, defaclacl::text FROM pg_default_acl ORDER BY 1, 2, 3'),
    database: await rows(c, "SELECT datacl::text FROM pg_database WHERE datname = 'matbakh'"),
  }));
}

test('apply again changes nothing', async () => {
  const before = await snapshot();
  assert.ok(before.passwords.every((p) => p.rolpassword === null || p.rolpassword.startsWith('SCRAM-SHA-256$')), 'passwords are stored as SCRAM verifiers');
  const result = await bootstrap()({ action: 'apply' });
  assert.deepEqual(result.applied, []);
  assert.deepEqual(result.pending, []);
  assert.deepEqual(await snapshot(), before);
});

const utcMonth = (date) => `y${date.getUTCFullYear()}m${String(date.getUTCMonth() + 1).padStart(2, '0')}`;

test('leads land in their month; after the last pre-created month in the default partition, until upkeep creates the month', async () => {
  const now = new Date();
  const far = new Date(Date.UTC(now.getUTCFullYear() + 2, now.getUTCMonth(), 15));
  await as(APP, async (c) => {
    const [current] = await rows(c, "INSERT INTO visibility_check_leads (email, business_name) VALUES ('a@example.de', 'Current') RETURNING tableoid::regclass::text AS partition");
    assert.equal(current.partition, `visibility_check_leads_${utcMonth(now)}`);
    const [early] = await rows(c, "INSERT INTO visibility_check_leads (email, business_name, created_at) VALUES ('b@example.de', 'Early', '2025-01-31T23:30:00Z') RETURNING tableoid::regclass::text AS partition");
    assert.equal(early.partition, 'visibility_check_leads_y2025m01');
    const [later] = await rows(c, "INSERT INTO visibility_check_leads (email, business_name, created_at) VALUES ('c@example.de', 'Later', $1) RETURNING tableoid::regclass::text AS partition", [far]);
    assert.equal(later.partition, 'visibility_check_leads_default');
  });
  // Pre-created: every month from 2025-01 through three months after this one.
  const partitions = await as(MASTER, async (c) =>
    (await rows(c, "SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = 'visibility_check_leads'::regclass ORDER BY 1")).map((r) => r.name),
  );
  const ahead = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 3, 1));
  assert.ok(partitions.includes(`visibility_check_leads_${utcMonth(ahead)}`), `${partitions}`);
  assert.ok(!partitions.includes(`visibility_check_leads_${utcMonth(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 4, 1)))}`), `${partitions}`);
  assert.ok(partitions.includes('visibility_check_leads_y2025m01'));

  // The upkeep (as the pg_cron job runs it: as the master user) creates the month and moves the row.
  await as(MASTER, async (c) => {
    const [{ created }] = await rows(c, 'SELECT ensure_visibility_check_leads_partitions($1, $1) AS created', [far]);
    assert.equal(created, 1);
    const [{ again }] = await rows(c, 'SELECT ensure_visibility_check_leads_partitions($1, $1) AS again', [far]);
    assert.equal(again, 0);
  });
  await as(APP, async (c) => {
    const moved = await rows(c, "SELECT tableoid::regclass::text AS partition FROM visibility_check_leads WHERE business_name = 'Later'");
    assert.deepEqual(moved, [{ partition: `visibility_check_leads_${utcMonth(far)}` }]);
    assert.deepEqual(await rows(c, 'SELECT count(*)::int AS n FROM visibility_check_leads_default'), [{ n: 0 }]);
  });
  await as(SUPER, async (c) => {
    const [p] = await rows(c, `SELECT pg_get_userbyid(relowner) AS owner, has_table_privilege('matbakh_app_rw', oid, 'INSERT') AS app_insert,
      has_table_privilege('matbakh_etl_ro', oid, 'INSERT') AS etl_insert FROM pg_class WHERE relname = $1`, [`visibility_check_leads_${utcMonth(far)}`]);
    assert.deepEqual(p, { owner: 'matbakh_owner', app_insert: true, etl_insert: false });
    const indexes = await rows(c, 'SELECT indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY 1', [`visibility_check_leads_${utcMonth(far)}`]);
    assert.ok(indexes.some((i) => /\(email, status\) WHERE \(status <> 'deleted'::text\)/.test(i.indexdef)), JSON.stringify(indexes));
  });
});

test('refresh_daily_kpis refreshes the view while it is being read', async () => {
  await as(APP, async (c) => {
    const [lead] = await rows(c, "INSERT INTO visibility_check_leads (email, business_name, status, created_at) VALUES ('k@example.de', 'KPI', 'completed', '2025-03-10T12:00:00Z') RETURNING id");
    await c.query("INSERT INTO visibility_check_leads (email, business_name, created_at) VALUES ('l@example.de', 'KPI 2', '2025-03-10T23:59:00Z')");
    await c.query('INSERT INTO visibility_check_results (lead_id, overall_score) VALUES ($1, 70), ($1, 90)', [lead.id]);
  });
  const reader = await connect(ANALYTICS);
  try {
    await reader.query('BEGIN');
    await reader.query('SELECT count(*) FROM mv_daily_kpis');
    await as(MASTER, async (c) => {
      // A plain REFRESH waits for the reader (so this guard fails it quickly instead of hanging);
      // the concurrent one does not.
      await c.query("SET lock_timeout = '2s'");
      assert.equal(await refused(c, 'REFRESH MATERIALIZED VIEW mv_daily_kpis'), '55P03');
      await c.query('SELECT refresh_daily_kpis()');
    });
    await reader.query('COMMIT');
  } finally {
    await reader.end();
  }
  await as(ANALYTICS, async (c) => {
    const [day] = await rows(c, "SELECT total_leads::int, completed_leads::int, avg_score::float AS avg_score FROM mv_daily_kpis WHERE date = '2025-03-10'");
    assert.deepEqual(day, { total_leads: 2, completed_leads: 1, avg_score: 80 });
  });
});

test('the pg_cron jobs are registered, as the master user, in the database', async () => {
  const jobs = await as(MASTER, (c) => rows(c, 'SELECT jobname, schedule, command, username, database, active FROM cron.job ORDER BY jobname'));
  assert.deepEqual(jobs, [
    { jobname: 'refresh-kpis', schedule: '0 1 * * *', command: 'SELECT public.refresh_daily_kpis()', username: MASTER.username, database: DB, active: true },
    {
      jobname: 'visibility-check-leads-partitions',
      schedule: '5 0 * * *',
      command: 'SELECT public.ensure_visibility_check_leads_partitions()',
      username: MASTER.username,
      database: DB,
      active: true,
    },
  ]);
  // What the jobs run works as their user.
  await as(MASTER, async (c) => {
    for (const job of jobs) await c.query(job.command);
  });
});

test('changes to cached tables are announced on cache_invalidation', async () => {
  const listener = await connect(MASTER);
  const received = [];
  let resolve;
  const three = new Promise((r) => (resolve = r));
  listener.on('notification', (n) => {
    received.push({ channel: n.channel, ...JSON.parse(n.payload) });
    if (received.length === 3) resolve();
  });
  await listener.query('LISTEN cache_invalidation');
  let id;
  await as(APP, async (c) => {
    [{ id }] = await rows(c, "INSERT INTO gmb_categories (name) VALUES ('Restaurant') RETURNING id");
    await c.query('UPDATE gmb_categories SET sort_order = 2 WHERE id = $1', [id]);
    await c.query('DELETE FROM gmb_categories WHERE id = $1', [id]);
  });
  await three;
  await listener.end();
  assert.deepEqual(received, ['INSERT', 'UPDATE', 'DELETE'].map((operation) => ({ channel: 'cache_invalidation', table: 'gmb_categories', operation, record_id: id })));
});

test('a new migration runs once, and its objects get the groups privileges', async () => {
  const next = String(SHIPPED.length + 1).padStart(3, '0');
  fs.writeFileSync(
    path.join(migrationsDir, `${next}_partner_notes.sql`),
    'CREATE TABLE partner_notes (id bigserial PRIMARY KEY, note text NOT NULL);\n',
  );
  const status = await bootstrap()({ action: 'status' });
  assert.deepEqual(status.pending.map((m) => m.file), [`${next}_partner_notes.sql`]);
  const first = await bootstrap()({ action: 'apply' });
  assert.deepEqual(first.applied.map((m) => m.file), [`${next}_partner_notes.sql`]);
  const second = await bootstrap()({ action: 'apply' });
  assert.deepEqual(second.applied, []);
  await as(APP, async (c) => {
    await c.query("INSERT INTO partner_notes (note) VALUES ('uses the sequence')");
    assert.equal(await refused(c, 'DROP TABLE partner_notes'), '42501');
  });
  await as(ETL, async (c) => {
    assert.deepEqual(await rows(c, 'SELECT note FROM partner_notes'), [{ note: 'uses the sequence' }]);
    assert.equal(await refused(c, "INSERT INTO partner_notes (note) VALUES ('x')"), '42501');
  });
});

test("a rotated secret's clone user logs in with the group's privileges", async () => {
  const clone = { username: 'matbakh_app_clone', password: 'app-Secret-2' };
  secrets['arn:app'] = clone;
  try {
    const result = await bootstrap()({ action: 'apply' });
    assert.deepEqual(result.roles[0], { role: 'app', group: 'matbakh_app_rw', users: ['matbakh_app', 'matbakh_app_clone'], login: 'matbakh_app_clone' });
    await as(clone, async (c) => {
      await asUser(c, ALICE, async () => {
        assert.deepEqual(await rows(c, 'SELECT company_name FROM business_partners'), [{ company_name: 'Alice Grill' }]);
      });
      assert.equal(await refused(c, 'CREATE ROLE intruder'), '42501');
    });
    // The previous user still logs in (rotation alternates, it does not lock out).
    await as(APP, (c) => c.query('SELECT 1'));
  } finally {
    secrets['arn:app'] = APP;
  }
});

test('a changed applied migration is refused, naming the file and both checksums', async () => {
  const file = path.join(migrationsDir, SHIPPED[1]);
  const original = fs.readFileSync(file);
  const before = await snapshot();
  fs.writeFileSync(file, Buffer.concat([original, Buffer.from('\n-- edited after it was applied\n')]));
  try {
    const applied = crypto.createHash('sha256').update(original).digest('hex');
    const changed = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    for (const action of ['apply', 'status']) {
      await assert.rejects(bootstrap()({ action }), (err) => {
        assert.match(err.message, new RegExp(`migration ${SHIPPED[1]} was changed after it was applied`));
        assert.ok(err.message.includes(`applied checksum ${applied}`), err.message);
        assert.ok(err.message.includes(`file checksum ${changed}`), err.message);
        assert.match(err.message, /new migration/);
        return true;
      });
    }
    assert.deepEqual(await snapshot(), before, 'a refused apply changed something');
  } finally {
    fs.writeFileSync(file, original);
  }
  assert.deepEqual((await bootstrap()({ action: 'status' })).pending, []);
});

test('a removed applied migration and a gap in the versions are refused', async () => {
  const last = fs.readdirSync(migrationsDir).filter((f) => f.endsWith('.sql')).sort().pop();
  const aside = path.join(os.tmpdir(), `aside-${process.pid}-${last}`);
  fs.renameSync(path.join(migrationsDir, last), aside);
  try {
    await assert.rejects(bootstrap()({ action: 'apply' }), new RegExp(`migration ${last} was applied on .* but is missing from the migrations folder`));
  } finally {
    fs.renameSync(aside, path.join(migrationsDir, last));
  }
  const gap = path.join(migrationsDir, '099_too_far.sql');
  fs.writeFileSync(gap, 'SELECT 1;\n');
  try {
    await assert.rejects(bootstrap()({ action: 'apply' }), /without gaps: .* is followed by 099_too_far.sql/);
  } finally {
    fs.unlinkSync(gap);
  }
});

test('a failing migration leaves nothing behind and says so', async () => {
  const next = String(fs.readdirSync(migrationsDir).filter((f) => f.endsWith('.sql')).length + 1).padStart(3, '0');
  const file = path.join(migrationsDir, `${next}_broken.sql`);
  fs.writeFileSync(file, 'CREATE TABLE half_done (id int);\nSELECT no_such_function();\n');
  try {
    await assert.rejects(bootstrap()({ action: 'apply' }), new RegExp(`migration ${next}_broken.sql failed.*no_such_function.*nothing of it was applied`));
    await as(MASTER, async (c) => {
      assert.deepEqual(await rows(c, "SELECT to_regclass('public.half_done') AS t"), [{ t: null }]);
      assert.deepEqual(await rows(c, 'SELECT version FROM matbakh_meta.schema_history WHERE version = $1', [Number(next)]), []);
    });
  } finally {
    fs.unlinkSync(file);
  }
});
