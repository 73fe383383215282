'use strict';
// The visibility check routes of section 4 (/api/v1/vc/*). POST /vc/start validates a
// VCStartRequest and registers the lead: 400 with the ErrorResponse shape on invalid input,
// 202 with the lead id otherwise; the lead waits in Redis for its e-mail verification.
// GET /vc/result/{token} returns the analysis vc-bedrock-run stored. The other routes are
// answered as not yet served, in the same ErrorResponse shape.

const { randomUUID } = require('node:crypto');
const { AppError, apiHandler, isEmail, isWebUri, length, log, metrics } = require('@matbakh/shared-utils');

/** Seconds a lead waits for its verification before it expires. */
const PENDING_LEAD_TTL_SECONDS = 24 * 60 * 60;

/** The problems of a VCStartRequest, field path → message; empty when the request is valid. */
function validate(body) {
  const problems = {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { body: 'must be a JSON object' };
  }
  const { email, business_name: name, website, consent } = body;
  if (email === undefined) problems.email = 'is required';
  else if (typeof email !== 'string' || !isEmail(email)) problems.email = 'must be an e-mail address';
  else if (length(email) > 255) problems.email = 'must be at most 255 characters';

  if (name === undefined) problems.business_name = 'is required';
  else if (typeof name !== 'string') problems.business_name = 'must be a string';
  else if (length(name) < 2 || length(name) > 100) problems.business_name = 'must be 2 to 100 characters';

  if (website !== undefined) {
    if (!isWebUri(website)) problems.website = 'must be an http(s) URI';
    else if (length(website) > 255) problems.website = 'must be at most 255 characters';
  }

  if (consent !== undefined) {
    if (consent === null || typeof consent !== 'object' || Array.isArray(consent)) {
      problems.consent = 'must be an object';
    } else {
      if (typeof consent.analytics !== 'boolean') problems['consent.analytics'] = 'is required and must be a boolean';
      if (consent.marketing !== undefined && typeof consent.marketing !== 'boolean') {
        problems['consent.marketing'] = 'must be a boolean';
      }
    }
  }
  return problems;
}

/** The handler, with where leads and results are kept passed in (tests pass in-memory ones). */
function createHandler({ saveLead, loadResult }) {
  const routes = {
    // Section 8: every start counts as VCRequestsSuccessful or VCRequestsFailed (any error,
    // an invalid request included, as the design's handler counts it).
    'POST /vc/start': async (request) => {
      try {
        const response = await startCheck(request);
        metrics.count('VCRequestsSuccessful');
        return response;
      } catch (err) {
        metrics.count('VCRequestsFailed');
        throw err;
      }
    },
    'GET /vc/result/{token}': async ({ event }) => {
      const token = event.pathParameters?.token;
      const result = typeof token === 'string' && /^[0-9a-f-]{36}$/.test(token) ? await loadResult(token) : null;
      if (!result) throw new AppError('No result for this token (yet)', 404, { error: 'NotFound' });
      return { body: result };
    },
  };

  async function startCheck({ body, requestId }) {
    const problems = validate(body);
    if (Object.keys(problems).length > 0) {
      throw new AppError('The request is not a valid VCStartRequest', 400, { error: 'ValidationError', details: problems });
    }
    const lead = {
      lead_id: randomUUID(),
      email: body.email,
      business_name: body.business_name,
      website: body.website ?? null,
      consent: { analytics: body.consent?.analytics ?? false, marketing: body.consent?.marketing ?? false },
      created_at: new Date().toISOString(),
    };
    await saveLead(lead);
    log('info', 'visibility check started', { requestId, leadId: lead.lead_id });
    return {
      statusCode: 202,
      body: {
        success: true,
        lead_id: lead.lead_id,
        message: 'Visibility check started; confirm your e-mail address to receive the result',
        verification_required: true,
      },
    };
  }

  return apiHandler(async (request) => {
    const { httpMethod, resource = '' } = request.event;
    const key = `${httpMethod} ${resource.replace(/^\/api\/v1/, '')}`;
    if (routes[key]) return routes[key](request);
    throw new AppError(`${key} is not served by the AWS stack yet`, 501, { error: 'NotImplemented' });
  });
}

const redis = () => require('@matbakh/database-client').redis();

const inRedis = {
  saveLead: async (lead) =>
    (await redis()).command('SET', `vc:lead:${lead.lead_id}`, JSON.stringify(lead), 'EX', PENDING_LEAD_TTL_SECONDS),
  loadResult: async (token) => JSON.parse((await (await redis()).command('GET', `vc:result:${token}`)) || 'null'),
};

module.exports = { createHandler, validate, handler: createHandler(inRedis) };
