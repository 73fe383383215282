'use strict';
// Cache invalidation of design section 6. The design's listener holds a `LISTEN` connection
// for `pg_notify('cache_invalidation', …)`, which a Lambda function cannot; instead the
// trigger function calls `aws_lambda.invoke(…, payload, 'Event')` (RDS's aws_lambda
// extension), and Lambda passes the trigger's JSON `{ table, operation, record_id }` to this
// handler as the event. The handler deletes the Redis keys section 6 names for the table:
// exact keys one by one (in cluster mode a multi-key command must stay within one hash slot),
// patterns with `SCAN … MATCH` on every primary (`KEYS`, or a SCAN on one node, sees one
// shard only).

const { log } = require('@matbakh/shared-utils');

/** Keys a `SCAN` returns per call (a hint to Redis, not a limit). */
const SCAN_COUNT = 500;

/**
 * Section 6: what a change to a table makes stale, as exact keys of the changed record (of
 * its id) and patterns.
 */
const STALE = {
  business_partners: { keys: (id) => [`business_profile:${id}`, `partner_kpis:${id}`], patterns: [] },
  visibility_check_results: { keys: (id) => [`vc_result:${id}`], patterns: ['dashboard:*'] },
  gmb_categories: { keys: null, patterns: ['gmb_categories:*'] },
};

/**
 * The keys and patterns to delete for one trigger payload, or `{ ignored: reason }` when
 * there is nothing to delete (an unknown table, a payload that is not the trigger's): a
 * retry would not change that, so it is logged and not an error.
 */
function staleKeys(payload) {
  const event = typeof payload === 'string' ? parseJson(payload) : payload;
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    return { ignored: 'the payload is not a JSON object' };
  }
  const { table, record_id: id } = event;
  if (typeof table !== 'string') return { ignored: 'the payload has no table' };
  if (!Object.hasOwn(STALE, table)) return { ignored: `no cache keys are derived from table ${table}` };
  const { keys, patterns } = STALE[table];
  if (keys && !((typeof id === 'string' && id !== '') || Number.isInteger(id))) {
    return { ignored: `a change to ${table} needs its record_id` };
  }
  return { table, keys: keys ? keys(id) : [], patterns };
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Whether a per-node command hit a key that lives elsewhere (a slot being migrated). */
const redirected = (err) => /^(MOVED|ASK) /.test(err.message);

/**
 * Deletes `keys` (each by itself, routed to its slot's node) and every key matching one of
 * `patterns` on every primary of the cluster. Returns how many keys existed and were deleted.
 */
async function invalidate(client, { keys, patterns }) {
  let deleted = 0;
  for (const n of await Promise.all(keys.map((key) => client.command('UNLINK', key)))) deleted += n;
  if (patterns.length === 0) return deleted;
  for (const [host, port] of await client.primaries()) {
    for (const pattern of patterns) {
      let cursor = '0';
      do {
        const [next, found] = await client.commandOn(host, port, 'SCAN', cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
        const counts = await Promise.all(
          found.map((key) =>
            client
              .commandOn(host, port, 'UNLINK', key)
              .catch((err) => (redirected(err) ? client.command('UNLINK', key) : Promise.reject(err))),
          ),
        );
        for (const n of counts) deleted += n;
        cursor = next;
      } while (cursor !== '0');
    }
  }
  return deleted;
}

/** The handler, with the Redis client passed in (tests pass one to a local cluster). */
function createHandler({ redis }) {
  return async (event) => {
    const stale = staleKeys(event);
    if (stale.ignored) {
      log('warn', 'cache invalidation ignored', { reason: stale.ignored, event });
      return { deleted: 0, ignored: stale.ignored };
    }
    // A Redis error is thrown: Lambda retries an event invocation twice.
    const deleted = await invalidate(await redis(), stale);
    log('info', 'cache invalidated', { table: stale.table, keys: stale.keys, patterns: stale.patterns, deleted });
    return { deleted };
  };
}

module.exports = {
  SCAN_COUNT,
  createHandler,
  invalidate,
  staleKeys,
  handler: createHandler({ redis: () => require('@matbakh/database-client').redis() }),
};
