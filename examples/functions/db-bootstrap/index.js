'use strict';
// The database bootstrap (issue #14, "the database as code"): runs inside the VPC, where
// the database is reachable, and is invoked by `apply` after the data stack deployed.
// Event `{"action": "status"}` reports the applied and pending migrations and changes
// nothing; `{"action": "apply"}` sets up the roles and extensions and applies the pending
// migrations (runner.js). Both answer `{applied, pending, roles}`; problems are thrown with
// what the operator should do.
//
// Environment: RDS_ENDPOINT, RDS_PORT, DB_NAME (default matbakh); DB_INSTANCE_IDENTIFIER
// (the primary: its RDS-managed master secret, {"username","password"}, is looked up with
// DescribeDBInstances at run time, so no template output or variable carries its ARN) or
// MASTER_SECRET_ARN (that secret's ARN, e.g. for a database RDS does not manage); APP_SECRET_ARN (required),
// ETL_SECRET_ARN and ANALYTICS_SECRET_ARN (optional), each {"username","password",...};
// MIGRATIONS_DIR (default /opt/migrations); ENABLE_PGAUDIT=true to create pgaudit too
// (the parameter group must preload it). DB_TLS_CA_FILE only for a database that is not RDS.
// Passwords are never logged.

const runner = require('./runner.js');

const ACTIONS = ['status', 'apply'];
/** Role key → the environment variable naming its secret; `required` ones must be set. */
const ROLE_SECRETS = [
  { key: 'app', env: 'APP_SECRET_ARN', required: true },
  { key: 'etl', env: 'ETL_SECRET_ARN', required: false },
  { key: 'analytics', env: 'ANALYTICS_SECRET_ARN', required: false },
];

function log(level, message, fields = {}) {
  console.log(JSON.stringify({ level, message, ...fields }));
}

/** A `pg` client on the database as `{username, password}`, over verified TLS (the database-client layer's CAs). */
async function connectWithLayer(env, { username, password }) {
  const { settings, tlsOptions } = require('@matbakh/database-client');
  const database = settings(env).database;
  if (!database) throw new runner.BootstrapError('RDS_ENDPOINT is not set; the bootstrap must be deployed with the database endpoint in its environment');
  const { Client } = require('pg');
  const client = new Client({
    host: database.host,
    port: database.port,
    user: username,
    password,
    database: env.DB_NAME || 'matbakh',
    ssl: tlsOptions(database),
    connectionTimeoutMillis: 10000,
    application_name: 'matbakh-db-bootstrap',
  });
  // A connection the server ends between queries fails the next query; without a listener
  // the 'error' event would end the process instead.
  client.on('error', (err) => log('error', 'database connection lost', { error: err.message }));
  await client.connect();
  return client;
}

/**
 * A JSON secret from Secrets Manager, read at every invocation (not cached like the layer's
 * secretJson): the master secret rotates, and a warm container must not keep an old password.
 * Uses the AWS SDK v3 the Node.js Lambda runtime ships.
 */
async function fetchSecret(arn) {
  const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
  const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
  return JSON.parse(SecretString);
}

/**
 * The handler, given how to read a secret (`getSecret(arn)` → its parsed JSON), how to
 * connect (`connect(env, credentials)` → a connected pg client) and the environment.
 */
/** The ARN of the master secret RDS manages for the instance `identifier` (DescribeDBInstances). */
async function describeMasterSecretArn(identifier) {
  const { RDSClient, DescribeDBInstancesCommand } = require('@aws-sdk/client-rds');
  const { DBInstances } = await new RDSClient({}).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
  const arn = DBInstances?.[0]?.MasterUserSecret?.SecretArn;
  if (!arn) {
    throw new runner.BootstrapError(`${identifier} has no master secret managed by RDS; turn ManageMasterUserPassword on (the data stack does) or set MASTER_SECRET_ARN`);
  }
  return arn;
}

function createHandler({
  getSecret = fetchSecret, connect = connectWithLayer, env = process.env, readMigrations = runner.loadMigrations,
  masterSecretArn = describeMasterSecretArn,
} = {}) {
  return async (event = {}) => {
    const action = event.action;
    if (!ACTIONS.includes(action)) {
      throw new runner.BootstrapError(`unknown action ${JSON.stringify(action)}; invoke with {"action": "status"} or {"action": "apply"}`);
    }
    if (!env.MASTER_SECRET_ARN && !env.DB_INSTANCE_IDENTIFIER) {
      throw new runner.BootstrapError('neither DB_INSTANCE_IDENTIFIER nor MASTER_SECRET_ARN is set; the bootstrap connects as the master user from the RDS-managed secret');
    }
    const migrations = readMigrations(env.MIGRATIONS_DIR || '/opt/migrations');
    const master = await getSecret(env.MASTER_SECRET_ARN || await masterSecretArn(env.DB_INSTANCE_IDENTIFIER));
    const client = await connect(env, master);
    client.on?.('notice', (n) => log('info', 'database notice', { notice: n.message }));
    try {
      if (action === 'status') {
        const result = await runner.status(client, { migrations });
        return { ...result, roles: [] };
      }
      const credentials = {};
      for (const { key, env: name, required } of ROLE_SECRETS) {
        if (env[name]) credentials[key] = await getSecret(env[name]);
        else if (required) throw new runner.BootstrapError(`${name} is not set; the ${key} role's login user takes its password from that secret`);
      }
      const extensions = ['pg_cron', ...(env.ENABLE_PGAUDIT === 'true' ? ['pgaudit'] : [])];
      const result = await runner.apply(client, { migrations, credentials, extensions, log });
      log('info', 'bootstrap applied', { applied: result.applied.map((m) => m.file), pending: result.pending.length });
      return result;
    } finally {
      await client.end();
    }
  };
}

module.exports = { createHandler, handler: createHandler() };
