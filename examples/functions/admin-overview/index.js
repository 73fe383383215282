'use strict';
// The admin routes of section 4 (/api/v1/admin/*). Only callers in the Cognito `admin` or
// `super_admin` group (section 3, RBAC) get an answer. GET /admin/overview returns headline
// numbers from the database, cached in Redis for five minutes (section 6); the other admin
// routes are answered as not yet served.

const { AppError, apiHandler, callerGroups } = require('@matbakh/shared-utils');

const ADMIN_GROUPS = ['admin', 'super_admin'];
const CACHE_KEY = 'admin:overview';
const CACHE_SECONDS = 300;

const OVERVIEW_SQL = `
  SELECT (SELECT count(*) FROM visibility_check_leads) AS leads,
         (SELECT count(*) FROM visibility_check_leads WHERE created_at > now() - interval '7 days') AS leads_7d,
         (SELECT count(*) FROM business_partners) AS partners`;

function createHandler({ cacheGet, cacheSet, query }) {
  return apiHandler(async ({ event }) => {
    if (!callerGroups(event).some((g) => ADMIN_GROUPS.includes(g))) {
      throw new AppError('Admins only', 403, { error: 'Forbidden' });
    }
    const route = `${event.httpMethod} ${(event.resource || '').replace(/^\/api\/v1/, '')}`;
    if (route !== 'GET /admin/overview') {
      throw new AppError(`${route} is not served by the AWS stack yet`, 501, { error: 'NotImplemented' });
    }
    const cached = await cacheGet(CACHE_KEY);
    if (cached) return { body: { ...JSON.parse(cached), cached: true } };
    const { rows } = await query(OVERVIEW_SQL);
    const overview = {
      leads: Number(rows[0].leads),
      leads_last_7_days: Number(rows[0].leads_7d),
      partners: Number(rows[0].partners),
      generated_at: new Date().toISOString(),
    };
    await cacheSet(CACHE_KEY, JSON.stringify(overview), CACHE_SECONDS);
    return { body: { ...overview, cached: false } };
  });
}

function defaultDependencies() {
  const client = require('@matbakh/database-client');
  return {
    cacheGet: async (key) => (await client.redis()).command('GET', key),
    cacheSet: async (key, value, seconds) => (await client.redis()).command('SET', key, value, 'EX', seconds),
    query: async (sql) => (await client.postgres()).query(sql),
  };
}

let handler;
exports.handler = (event, context) => (handler ??= createHandler(defaultDependencies()))(event, context);
exports.createHandler = createHandler;
