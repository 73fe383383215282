'use strict';
// The database bootstrap's logic, on a connected `pg` client of the master user: the roles
// (NOLOGIN groups holding the privileges, LOGIN users that are members), the extensions,
// and the versioned migrations with their schema history. No AWS, no environment: the
// handler (index.js) reads the secrets and the settings and passes them in.

const crypto = require('node:crypto');
const path = require('node:path');

/** The NOLOGIN role that owns the schema's objects; migrations run as it. */
const OWNER = 'matbakh_owner';
/** The schema the application's tables live in (the design's SQL names them unqualified). */
const APP_SCHEMA = 'public';
/** The schema of the bootstrap's own bookkeeping; no application role may use it. */
const META_SCHEMA = 'matbakh_meta';
const HISTORY = `${META_SCHEMA}.schema_history`;
/** Held for a whole run, so two runs never interleave (the second waits, then finds nothing pending). */
const LOCK_KEY = "hashtextextended('matbakh-infra:db-bootstrap', 0)";

const DML = 'SELECT, INSERT, UPDATE, DELETE';
/**
 * The roles: each group holds the privileges; its users (the secret's user, and the
 * `_clone` the alternating-users rotation creates with the same memberships) log in.
 */
const ROLES = [
  { key: 'app', group: 'matbakh_app_rw', users: ['matbakh_app', 'matbakh_app_clone'], tables: DML, sequences: 'USAGE, SELECT' },
  { key: 'etl', group: 'matbakh_etl_ro', users: ['etl_user', 'etl_user_clone'], tables: 'SELECT', sequences: null },
  {
    key: 'analytics',
    group: 'matbakh_analytics_ro',
    users: ['matbakh_analytics', 'matbakh_analytics_clone'],
    tables: 'SELECT',
    sequences: null,
  },
];

/** What no application role may do: stated when a role is created. */
const LOCKED_DOWN = 'NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';
/**
 * The part of it a non-superuser (the RDS master) may state in ALTER ROLE, on every run;
 * PostgreSQL lets only superusers name SUPERUSER, REPLICATION or BYPASSRLS there, so those
 * are checked instead (see `checkLockedDown`).
 */
const ALTERABLE = 'NOCREATEDB NOCREATEROLE';

const FILE_NAME = /^(\d{3,})_([a-z0-9][a-z0-9_]*)\.sql$/;

class BootstrapError extends Error {
  constructor(message) {
    super(message);
    this.name = 'BootstrapError';
  }
}

const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

/**
 * The migrations in `dir`, ordered: `NNN_name.sql` files numbered 1, 2, 3… without gaps or
 * duplicates. Other `.sql` names are refused (a typo would otherwise be skipped silently);
 * files that are not `.sql` (a README) are ignored.
 */
function loadMigrations(dir, fs = require('node:fs')) {
  let names;
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    throw new BootstrapError(`cannot read the migrations folder ${dir} (${err.code || err.message}); set MIGRATIONS_DIR to the folder of NNN_name.sql files`);
  }
  const byVersion = new Map();
  for (const file of names.filter((n) => n.endsWith('.sql')).sort()) {
    const match = FILE_NAME.exec(file);
    if (!match) {
      throw new BootstrapError(`migration file ${file} is not named NNN_name.sql (three or more digits, then lowercase letters, digits and _); rename it`);
    }
    const version = Number(match[1]);
    if (byVersion.has(version)) {
      throw new BootstrapError(`migrations ${byVersion.get(version).file} and ${file} share version ${version}; give the newer one the next free number`);
    }
    const bytes = fs.readFileSync(path.join(dir, file));
    byVersion.set(version, { version, name: match[2], file, sql: bytes.toString('utf8'), checksum: sha256(bytes) });
  }
  const migrations = [...byVersion.values()].sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      const after = i === 0 ? 'the first migration must be 001' : `${migrations[i - 1].file} is followed by ${m.file}`;
      throw new BootstrapError(`migration versions must run 1, 2, 3… without gaps: ${after}; renumber the unapplied file(s)`);
    }
  });
  return migrations;
}

const fileOf = (row) => `${String(row.version).padStart(3, '0')}_${row.name}.sql`;

/**
 * Compares the history with the files: every applied migration must still be there, under
 * the same name and with the same checksum. Returns the pending migrations.
 */
function verify(migrations, history) {
  const files = new Map(migrations.map((m) => [m.version, m]));
  for (const row of history) {
    const m = files.get(row.version);
    if (!m) {
      throw new BootstrapError(
        `migration ${fileOf(row)} was applied on ${new Date(row.applied_at).toISOString()} but is missing from the migrations folder; restore it (applied migrations are never removed)`,
      );
    }
    if (m.name !== row.name) {
      throw new BootstrapError(`migration ${m.file} was applied as ${fileOf(row)}; restore the applied file's name (applied migrations are never renamed)`);
    }
    if (m.checksum !== row.checksum) {
      throw new BootstrapError(
        `migration ${m.file} was changed after it was applied: applied checksum ${row.checksum}, file checksum ${m.checksum}; ` +
          'restore the applied file and put the change in a new migration (the next NNN_name.sql)',
      );
    }
  }
  const applied = new Set(history.map((r) => r.version));
  return migrations.filter((m) => !applied.has(m.version));
}

/** The history rows, or none when the bootstrap never ran (status must not create the table). */
async function readHistory(client) {
  const { rows } = await client.query('SELECT to_regclass($1) AS t', [HISTORY]);
  if (!rows[0].t) return [];
  const result = await client.query(`SELECT version, name, checksum, applied_at, execution_ms FROM ${HISTORY} ORDER BY version`);
  return result.rows;
}

const describe = (m) => ({ version: m.version, file: m.file, checksum: m.checksum });

/** What is applied and what is pending; changes nothing. Refuses what `apply` would refuse. */
async function status(client, { migrations }) {
  const history = await readHistory(client);
  const pending = verify(migrations, history);
  return {
    applied: history.map((r) => ({ version: r.version, file: fileOf(r), checksum: r.checksum })),
    pending: pending.map(describe),
  };
}

/**
 * A SCRAM-SHA-256 verifier for `password`, so the plaintext never reaches the server (nor
 * its statement log): what `psql`'s \password sends. The salt is derived from the user and
 * the password, so the same password gives the same verifier and a re-run changes nothing.
 * PostgreSQL SASLprep-normalizes passwords; for ASCII (what Secrets Manager generates)
 * that is the identity, other passwords are NFKC-normalized here.
 */
function scramVerifier(user, password, iterations = 4096) {
  const normalized = /^[\x20-\x7e]*$/.test(password) ? password : password.normalize('NFKC');
  const salt = crypto.createHmac('sha256', `matbakh-scram-salt:${user}`).update(normalized).digest().subarray(0, 16);
  const salted = crypto.pbkdf2Sync(normalized, salt, iterations, 32, 'sha256');
  const hmac = (key, text) => crypto.createHmac('sha256', key).update(text).digest();
  const storedKey = crypto.createHash('sha256').update(hmac(salted, 'Client Key')).digest();
  const serverKey = hmac(salted, 'Server Key');
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

const ident = (name) => `"${name.replace(/"/g, '""')}"`;
const literal = (text) => `'${text.replace(/'/g, "''")}'`;

/**
 * The login users to set up: per role, the secret's `{username, password}` (or none when
 * the role has no secret configured). A secret naming a user the role does not have is refused.
 */
function loginsFrom(credentials) {
  return ROLES.map((role) => {
    const secret = credentials[role.key];
    if (!secret) return { role, login: null };
    const { username, password } = secret;
    if (!role.users.includes(username)) {
      throw new BootstrapError(`the ${role.key} secret names user ${JSON.stringify(username)}; it must be one of ${role.users.join(', ')}`);
    }
    if (typeof password !== 'string' || password.length === 0) {
      throw new BootstrapError(`the ${role.key} secret has no password; store {"username": "${username}", "password": "..."} in it`);
    }
    return { role, login: { username, password } };
  });
}

async function roleExists(client, name) {
  const { rows } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  return rows.length > 0;
}

/** Creates the role locked down, or brings an existing one back to `attributes`. */
async function ensureRole(client, name, attributes) {
  if (!(await roleExists(client, name))) await client.query(`CREATE ROLE ${ident(name)} ${LOCKED_DOWN} ${attributes}`);
  else await client.query(`ALTER ROLE ${ident(name)} ${ALTERABLE} ${attributes}`);
  await checkLockedDown(client, name);
}

async function checkLockedDown(client, name) {
  const { rows } = await client.query('SELECT rolsuper, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = $1', [name]);
  const granted = Object.entries(rows[0]).filter(([, on]) => on).map(([attribute]) => attribute.slice(3).toUpperCase());
  if (granted.length > 0) {
    throw new BootstrapError(`role ${name} has ${granted.join(', ')}, which an application role must not have; as a superuser run ALTER ROLE ${name} NO${granted.join(' NO')}, then apply again`);
  }
}

/** Owner, groups, login users and the bookkeeping schema; one transaction. */
async function setUpRoles(client, logins, log) {
  await ensureRole(client, OWNER, 'NOLOGIN');
  // The master user (not a superuser on RDS) becomes a member, to SET ROLE to the owner.
  await client.query(`GRANT ${ident(OWNER)} TO CURRENT_USER`);
  await client.query(`GRANT USAGE, CREATE ON SCHEMA ${ident(APP_SCHEMA)} TO ${ident(OWNER)}`);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(META_SCHEMA)} AUTHORIZATION ${ident(OWNER)}`);
  await client.query(`REVOKE ALL ON SCHEMA ${ident(META_SCHEMA)} FROM PUBLIC`);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${HISTORY} (
       version integer PRIMARY KEY CHECK (version > 0),
       name text NOT NULL,
       checksum text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
       applied_at timestamptz NOT NULL DEFAULT now(),
       execution_ms integer NOT NULL,
       applied_by text NOT NULL DEFAULT session_user
     )`,
  );
  await client.query(`ALTER TABLE ${HISTORY} OWNER TO ${ident(OWNER)}`);

  const { rows } = await client.query('SELECT current_database() AS db');
  const database = ident(rows[0].db);
  const report = [];
  for (const { role, login } of logins) {
    await ensureRole(client, role.group, 'NOLOGIN');
    await client.query(`GRANT CONNECT ON DATABASE ${database} TO ${ident(role.group)}`);
    await client.query(`GRANT USAGE ON SCHEMA ${ident(APP_SCHEMA)} TO ${ident(role.group)}`);
    if (login) {
      // Only the secret's user is created: the rotation creates the other one itself.
      await ensureRole(client, login.username, `LOGIN INHERIT PASSWORD ${literal(scramVerifier(login.username, login.password))}`);
      log('info', 'login user set from its secret', { role: role.key, user: login.username });
    }
    const members = [];
    for (const user of role.users) {
      if (!(await roleExists(client, user))) continue;
      await client.query(`GRANT ${ident(role.group)} TO ${ident(user)}`);
      await client.query(`ALTER ROLE ${ident(user)} ${ALTERABLE}`);
      await checkLockedDown(client, user);
      members.push(user);
    }
    report.push({ role: role.key, group: role.group, users: members, login: login ? login.username : null });
  }
  return report;
}

/** The groups' privileges on the application schema, now and for the owner's future objects. */
async function grantPrivileges(client) {
  const schema = ident(APP_SCHEMA);
  for (const role of ROLES) {
    const group = ident(role.group);
    // Revoke, then grant: the result is exactly the listed privileges, whatever was granted by hand.
    await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM ${group}`);
    await client.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${schema} FROM ${group}`);
    await client.query(`GRANT ${role.tables} ON ALL TABLES IN SCHEMA ${schema} TO ${group}`);
    await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(OWNER)} IN SCHEMA ${schema} REVOKE ALL ON TABLES FROM ${group}`);
    await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(OWNER)} IN SCHEMA ${schema} GRANT ${role.tables} ON TABLES TO ${group}`);
    await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(OWNER)} IN SCHEMA ${schema} REVOKE ALL ON SEQUENCES FROM ${group}`);
    if (role.sequences) {
      await client.query(`GRANT ${role.sequences} ON ALL SEQUENCES IN SCHEMA ${schema} TO ${group}`);
      await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(OWNER)} IN SCHEMA ${schema} GRANT ${role.sequences} ON SEQUENCES TO ${group}`);
    }
  }
}

async function inTransaction(client, fn) {
  await client.query('BEGIN');
  try {
    const result = await fn();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/**
 * Sets up roles and extensions and applies the pending migrations, each once, in its own
 * transaction with its history row, as the owner role. Returns what it applied, what is
 * still pending (nothing, unless it failed) and the roles.
 * `credentials`: `{app, etl, analytics}` → `{username, password}` (absent: no login user).
 * `extensions`: names for CREATE EXTENSION IF NOT EXISTS (run as the master user).
 */
async function apply(client, { migrations, credentials, extensions = ['pg_cron'], log = () => {}, now = () => Date.now() }) {
  const logins = loginsFrom(credentials);
  await client.query(`SELECT pg_advisory_lock(${LOCK_KEY})`);
  try {
    // Refuse a changed or missing migration before anything changes.
    verify(migrations, await readHistory(client));
    const roles = await inTransaction(client, () => setUpRoles(client, logins, log));
    for (const name of extensions) {
      await client.query(`CREATE EXTENSION IF NOT EXISTS ${ident(name)}`);
    }
    // The default privileges are in place before the migrations create anything.
    await inTransaction(client, () => grantPrivileges(client));

    const pending = verify(migrations, await readHistory(client));
    const applied = [];
    for (const m of pending) {
      const started = now();
      await inTransaction(client, async () => {
        await client.query(`SET LOCAL ROLE ${ident(OWNER)}`);
        await client.query(`SET LOCAL search_path = ${ident(APP_SCHEMA)}`);
        try {
          await client.query(m.sql);
        } catch (err) {
          const where = err.position ? ` at line ${m.sql.slice(0, Number(err.position) - 1).split('\n').length}` : '';
          throw new BootstrapError(`migration ${m.file} failed${where}: ${err.message}; nothing of it was applied — fix the file (it is not applied yet) and run apply again`);
        }
        const ms = Math.max(0, Math.round(now() - started));
        await client.query(`INSERT INTO ${HISTORY} (version, name, checksum, execution_ms) VALUES ($1, $2, $3, $4)`, [m.version, m.name, m.checksum, ms]);
      });
      log('info', 'migration applied', { file: m.file, checksum: m.checksum });
      applied.push(describe(m));
    }
    // Objects a migration created as another role (or by hand) get the groups' privileges too.
    await inTransaction(client, () => grantPrivileges(client));
    const after = verify(migrations, await readHistory(client));
    return { applied, pending: after.map(describe), roles };
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`).catch(() => {});
  }
}

module.exports = { APP_SCHEMA, BootstrapError, HISTORY, META_SCHEMA, OWNER, ROLES, apply, loadMigrations, scramVerifier, status, verify };
