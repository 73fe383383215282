'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { createHandler } = require('./index.js');

const IDS = { userPoolId: 'eu-central-1_Pool', clientId: 'api-client-id' };

/** A Cognito client that records each command and answers from `answers[command]`. */
function fakeCognito(answers = {}) {
  const calls = [];
  const cognito = async (command, input) => {
    calls.push([command, input]);
    const answer = answers[command];
    if (answer instanceof Error) throw answer;
    return answer ?? {};
  };
  return { calls, handler: createHandler({ cognito, settings: async () => IDS }) };
}

function cognitoException(name, message = name) {
  const err = new Error(message);
  err.name = name;
  return err;
}

const post = (path, body, claims) => ({
  httpMethod: 'POST',
  resource: `/api/v1${path}`,
  body: body === undefined ? null : JSON.stringify(body),
  requestContext: claims ? { authorizer: { claims } } : {},
});

async function call(handler, event) {
  const r = await handler(event, { awsRequestId: 'req-1' });
  return { status: r.statusCode, body: JSON.parse(r.body) };
}

const AUTH_RESULT = {
  AuthenticationResult: { AccessToken: 'at', IdToken: 'it', RefreshToken: 'rt', ExpiresIn: 3600, TokenType: 'Bearer' },
};

test('login signs in with AdminInitiateAuth on the api client and returns the tokens', async () => {
  const { calls, handler } = fakeCognito({ AdminInitiateAuth: AUTH_RESULT });
  const r = await call(handler, post('/auth/login', { email: 'max@example.com', password: 'Secret123' }));
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { access_token: 'at', id_token: 'it', refresh_token: 'rt', expires_in: 3600, token_type: 'Bearer' });
  assert.deepEqual(calls, [['AdminInitiateAuth', {
    UserPoolId: 'eu-central-1_Pool',
    ClientId: 'api-client-id',
    AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: 'max@example.com', PASSWORD: 'Secret123' },
  }]]);
});

test('a wrong password and an unknown user get the same 401', async () => {
  const answers = [];
  for (const name of ['NotAuthorizedException', 'UserNotFoundException']) {
    const { handler } = fakeCognito({ AdminInitiateAuth: cognitoException(name, `Cognito says ${name}`) });
    answers.push(await call(handler, post('/auth/login', { email: 'max@example.com', password: 'nope' })));
  }
  assert.deepEqual(answers[0], answers[1]);
  assert.equal(answers[0].status, 401);
  assert.deepEqual(answers[0].body, {
    error: 'InvalidCredentials',
    message: 'The email address or the password is wrong',
    request_id: 'req-1',
  });
});

test('login maps Cognito states to the ErrorResponse', async () => {
  const cases = [
    ['UserNotConfirmedException', 403, 'UserNotConfirmed'],
    ['PasswordResetRequiredException', 403, 'PasswordResetRequired'],
    ['UserLambdaValidationException', 403, 'SignInRefused'],
    ['TooManyRequestsException', 429, 'TooManyRequests'],
  ];
  for (const [name, status, error] of cases) {
    const { handler } = fakeCognito({ AdminInitiateAuth: cognitoException(name) });
    const r = await call(handler, post('/auth/login', { email: 'max@example.com', password: 'Secret123' }));
    assert.deepEqual([r.status, r.body.error], [status, error], name);
  }
  const { handler } = fakeCognito({ AdminInitiateAuth: cognitoException('InternalErrorException', 'internal detail') });
  const r = await call(handler, post('/auth/login', { email: 'max@example.com', password: 'Secret123' }));
  assert.deepEqual([r.status, r.body.error], [500, 'InternalServerError']);
  assert.doesNotMatch(r.body.message, /internal detail/);
});

test('login with a pending challenge (MFA) says so instead of returning no tokens', async () => {
  const { handler } = fakeCognito({ AdminInitiateAuth: { ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 's' } });
  const r = await call(handler, post('/auth/login', { email: 'max@example.com', password: 'Secret123' }));
  assert.equal(r.status, 401);
  assert.equal(r.body.error, 'ChallengeRequired');
  assert.deepEqual(r.body.details, { challenge: 'SOFTWARE_TOKEN_MFA' });
  assert.equal(r.body.session, undefined);
});

test('login validates its input before calling Cognito', async () => {
  const { calls, handler } = fakeCognito();
  const bad = [
    [undefined, undefined],
    [['a'], undefined],
    [{ email: 'not-an-email', password: 'x' }, 'email'],
    [{ email: 'max@example.com' }, 'password'],
    [{ email: 'max@example.com', password: '' }, 'password'],
    [{ email: 'max@example.com', password: 'x'.repeat(257) }, 'password'],
    [{ email: 'max@example.com', password: 42 }, 'password'],
  ];
  for (const [body, field] of bad) {
    const r = await call(handler, post('/auth/login', body));
    assert.deepEqual([r.status, r.body.error], [400, 'ValidationError'], JSON.stringify(body));
    assert.equal(r.body.details?.field, field);
  }
  assert.deepEqual(calls, []);
});

test('refresh uses REFRESH_TOKEN_AUTH and returns new access and id tokens', async () => {
  const { AccessToken, IdToken, ExpiresIn, TokenType } = AUTH_RESULT.AuthenticationResult;
  const { calls, handler } = fakeCognito({ AdminInitiateAuth: { AuthenticationResult: { AccessToken, IdToken, ExpiresIn, TokenType } } });
  const r = await call(handler, post('/auth/refresh', { refresh_token: 'rt' }));
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { access_token: 'at', id_token: 'it', expires_in: 3600, token_type: 'Bearer' });
  assert.deepEqual(calls, [['AdminInitiateAuth', {
    UserPoolId: 'eu-central-1_Pool',
    ClientId: 'api-client-id',
    AuthFlow: 'REFRESH_TOKEN_AUTH',
    AuthParameters: { REFRESH_TOKEN: 'rt' },
  }]]);
});

test('a revoked or expired refresh token is a 401', async () => {
  const { handler } = fakeCognito({ AdminInitiateAuth: cognitoException('NotAuthorizedException', 'Refresh Token has been revoked') });
  const r = await call(handler, post('/auth/refresh', { refresh_token: 'rt' }));
  assert.deepEqual([r.status, r.body.error], [401, 'InvalidRefreshToken']);
  const missing = await call(handler, post('/auth/refresh', { refresh_token: 'has spaces' }));
  assert.deepEqual([missing.status, missing.body.details], [400, { field: 'refresh_token' }]);
});

test('forgot-password sends ForgotPassword and answers the same whether or not the account exists', async () => {
  const { calls, handler } = fakeCognito({ ForgotPassword: { CodeDeliveryDetails: { Destination: 'm***@e***' } } });
  const known = await call(handler, post('/auth/forgot-password', { email: 'max@example.com' }));
  assert.equal(known.status, 202);
  assert.equal(known.body.CodeDeliveryDetails, undefined);
  assert.deepEqual(calls, [['ForgotPassword', { ClientId: 'api-client-id', Username: 'max@example.com' }]]);
  for (const name of ['UserNotFoundException', 'NotAuthorizedException', 'InvalidParameterException', 'UserNotConfirmedException']) {
    const { handler: h } = fakeCognito({ ForgotPassword: cognitoException(name) });
    assert.deepEqual(await call(h, post('/auth/forgot-password', { email: 'nobody@example.com' })), known, name);
  }
  const { handler: throttled } = fakeCognito({ ForgotPassword: cognitoException('LimitExceededException') });
  const r = await call(throttled, post('/auth/forgot-password', { email: 'max@example.com' }));
  assert.deepEqual([r.status, r.body.error], [429, 'TooManyRequests']);
});

test('reset-password confirms the code with ConfirmForgotPassword', async () => {
  const { calls, handler } = fakeCognito();
  const r = await call(handler, post('/auth/reset-password', { email: 'max@example.com', code: '123456', password: 'NewSecret1' }));
  assert.equal(r.status, 200);
  assert.deepEqual(calls, [['ConfirmForgotPassword', {
    ClientId: 'api-client-id',
    Username: 'max@example.com',
    ConfirmationCode: '123456',
    Password: 'NewSecret1',
  }]]);
});

test('reset-password: a wrong code and an unknown user look the same; policy failures say why', async () => {
  const answers = [];
  for (const name of ['CodeMismatchException', 'ExpiredCodeException', 'UserNotFoundException']) {
    const { handler } = fakeCognito({ ConfirmForgotPassword: cognitoException(name) });
    answers.push(await call(handler, post('/auth/reset-password', { email: 'max@example.com', code: '1', password: 'NewSecret1' })));
  }
  assert.deepEqual(answers[1], answers[0]);
  assert.deepEqual(answers[2], answers[0]);
  assert.deepEqual([answers[0].status, answers[0].body.error], [400, 'InvalidCode']);
  const { handler } = fakeCognito({
    ConfirmForgotPassword: cognitoException('InvalidPasswordException', 'Password must have uppercase characters'),
  });
  const weak = await call(handler, post('/auth/reset-password', { email: 'max@example.com', code: '1', password: 'weak' }));
  assert.deepEqual([weak.status, weak.body.error, weak.body.message], [400, 'InvalidPassword', 'Password must have uppercase characters']);
  const noCode = await call(handler, post('/auth/reset-password', { email: 'max@example.com', code: ' ', password: 'x' }));
  assert.deepEqual(noCode.body.details, { field: 'code' });
});

test('logout revokes the refresh token on the api client', async () => {
  const { calls, handler } = fakeCognito();
  const r = await call(handler, post('/auth/logout', { refresh_token: 'rt' }, { sub: 'u1' }));
  assert.equal(r.status, 200);
  assert.deepEqual(calls, [['RevokeToken', { ClientId: 'api-client-id', Token: 'rt' }]]);
  const { handler: foreign } = fakeCognito({ RevokeToken: cognitoException('UnauthorizedException') });
  const refused = await call(foreign, post('/auth/logout', { refresh_token: 'web-client-token' }, { sub: 'u1' }));
  assert.deepEqual([refused.status, refused.body.error], [400, 'InvalidRefreshToken']);
});

test('the ids are read through settings, and a settings failure is a 500 without details', async () => {
  let reads = 0;
  const handler = createHandler({
    cognito: async () => AUTH_RESULT,
    settings: async () => {
      reads += 1;
      throw new Error('AccessDeniedException: ssm:GetParameter');
    },
  });
  const r = await call(handler, post('/auth/login', { email: 'max@example.com', password: 'Secret123' }));
  assert.deepEqual([r.status, r.body.error], [500, 'InternalServerError']);
  assert.doesNotMatch(r.body.message, /ssm/);
  assert.equal(reads, 1);
});

test('the other routes still answer: profile from the claims, unported ones 501, unknown 404', async () => {
  const { handler } = fakeCognito();
  const profile = await call(handler, {
    httpMethod: 'GET',
    resource: '/api/v1/users/profile',
    requestContext: { authorizer: { claims: { sub: 'u1', email: 'max@example.com' } } },
  });
  assert.deepEqual(profile.body, { user_id: 'u1', email: 'max@example.com', persona: 'unknown' });
  const unported = await call(handler, { httpMethod: 'GET', resource: '/api/v1/business/partners' });
  assert.equal(unported.status, 501);
  const unknown = await call(handler, { httpMethod: 'GET', resource: '/api/v1/nope' });
  assert.equal(unknown.status, 404);
});
