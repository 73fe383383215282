'use strict';
// The routes of section 4 that no dedicated function serves (auth, users, business,
// integrations). Routes are answered as they are ported; the others say so with the
// ErrorResponse shape instead of failing obscurely.

const { AppError, apiHandler } = require('@matbakh/shared-utils');

/** `METHOD /path` (API Gateway's resource template, below /api/v1) → handler. */
const ROUTES = {
  'GET /users/profile': async ({ event }) => {
    const claims = event.requestContext?.authorizer?.claims;
    if (!claims) throw new AppError('Sign in first', 401, { error: 'Unauthorized' });
    return { body: { user_id: claims.sub, email: claims.email, persona: claims['custom:persona'] ?? 'unknown' } };
  },
};

const NOT_YET_PORTED = [
  'POST /auth/login', 'POST /auth/logout', 'POST /auth/refresh', 'POST /auth/forgot-password',
  'POST /auth/reset-password', 'PUT /users/profile', 'GET /users/preferences', 'PUT /users/preferences',
  'DELETE /users/delete-account', 'GET /business/partners', 'POST /business/partners',
  'GET /business/partners/{id}', 'PUT /business/partners/{id}', 'DELETE /business/partners/{id}',
  'GET /business/profiles', 'POST /business/profiles', 'GET /business/profiles/{id}', 'PUT /business/profiles/{id}',
  'DELETE /business/profiles/{id}', 'GET /integrations/google/oauth', 'POST /integrations/google/oauth',
  'GET /integrations/facebook/oauth', 'POST /integrations/facebook/oauth', 'POST /integrations/gmb/sync',
];

exports.handler = apiHandler(async (request) => {
  const resource = (request.event.resource || '').replace(/^\/api\/v1/, '');
  const key = `${request.event.httpMethod} ${resource}`;
  const route = ROUTES[key];
  if (route) return route(request);
  if (NOT_YET_PORTED.includes(key)) {
    throw new AppError(`${key} is not served by the AWS stack yet`, 501, { error: 'NotImplemented' });
  }
  throw new AppError(`No route ${key}`, 404, { error: 'NotFound' });
});
