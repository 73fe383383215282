'use strict';
// The routes of section 4 that no dedicated function serves (auth, users, business,
// integrations). Routes are answered as they are ported; the others say so with the
// ErrorResponse shape instead of failing obscurely.
//
// The /auth routes sign users in through the user pool's server-side `api` app client:
// login and refresh with AdminInitiateAuth (IAM-authorized: only this function's role may
// use the password flow), forgot/reset password with ForgotPassword/ConfirmForgotPassword
// and logout with RevokeToken (public Cognito operations). The pool and client ids come
// from the SSM parameters the auth stack writes (COGNITO_*_PARAMETER), read once per
// container.

const { AppError, apiHandler, isEmail, length } = require('@matbakh/shared-utils');

const NOT_YET_PORTED = [
  'PUT /users/profile', 'GET /users/preferences', 'PUT /users/preferences',
  'DELETE /users/delete-account', 'GET /business/partners', 'POST /business/partners',
  'GET /business/partners/{id}', 'PUT /business/partners/{id}', 'DELETE /business/partners/{id}',
  'GET /business/profiles', 'POST /business/profiles', 'GET /business/profiles/{id}', 'PUT /business/profiles/{id}',
  'DELETE /business/profiles/{id}', 'GET /integrations/google/oauth', 'POST /integrations/google/oauth',
  'GET /integrations/facebook/oauth', 'POST /integrations/facebook/oauth', 'POST /integrations/gmb/sync',
];

// Cognito's limits: PASSWORD at most 256 characters, a confirmation code is non-blank
// text of at most 2048; tokens are JWTs of a few kB.
const MAX_PASSWORD = 256;
const MAX_CODE = 2048;
const MAX_TOKEN = 16384;

const TOO_MANY = [429, 'TooManyRequests', 'Too many attempts; wait a while and try again'];
const BAD_CODE = [400, 'InvalidCode', 'The code is wrong or has expired; request a new one'];
const BAD_CREDENTIALS = [401, 'InvalidCredentials', 'The email address or the password is wrong'];

/** Cognito exception name → [status, error, message], shared by every /auth route. */
const COGNITO_ERRORS = {
  TooManyRequestsException: TOO_MANY,
  LimitExceededException: TOO_MANY,
  TooManyFailedAttemptsException: TOO_MANY,
  // Unknown users answer like a wrong password: the API must not tell who has an account.
  NotAuthorizedException: BAD_CREDENTIALS,
  UserNotFoundException: BAD_CREDENTIALS,
  UserNotConfirmedException: [403, 'UserNotConfirmed', 'Confirm your email address first, then sign in'],
  PasswordResetRequiredException: [403, 'PasswordResetRequired', 'Reset your password (forgot-password), then sign in'],
  // The pre-authentication trigger refused (e.g. too many recent sign-ins).
  UserLambdaValidationException: [403, 'SignInRefused', 'Sign-in is blocked for now; try again later'],
  CodeMismatchException: BAD_CODE,
  ExpiredCodeException: BAD_CODE,
};

/** ForgotPassword's answers that would reveal whether (and in which state) an account exists. */
const ACCOUNT_STATES = ['UserNotFoundException', 'NotAuthorizedException', 'InvalidParameterException', 'UserNotConfirmedException'];

/** Turns a Cognito exception into the ErrorResponse; `overrides` per route. Unknown ones stay 500s. */
function cognitoError(err, overrides = {}) {
  const name = err && err.name;
  if (name === 'InvalidPasswordException') {
    // Cognito's message names the password policy rule that failed.
    return new AppError(err.message || 'The password does not meet the password policy', 400, { error: 'InvalidPassword' });
  }
  const known = overrides[name] || COGNITO_ERRORS[name];
  if (!known) return err;
  const [status, error, message] = known;
  return new AppError(message, status, { error });
}

function invalid(field, rule) {
  return new AppError(`${field} ${rule}`, 400, { error: 'ValidationError', details: { field } });
}

/** The JSON body's string fields, each checked: `spec` maps a field to [check, rule]. */
function fields(body, spec) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError('Send a JSON object', 400, { error: 'ValidationError' });
  }
  const out = {};
  for (const [field, [check, rule]] of Object.entries(spec)) {
    const value = body[field];
    if (typeof value !== 'string' || !check(value)) throw invalid(field, rule);
    out[field] = value;
  }
  return out;
}

const EMAIL = [isEmail, 'must be an email address'];
const PASSWORD = [(v) => length(v) >= 1 && length(v) <= MAX_PASSWORD, `must have 1 to ${MAX_PASSWORD} characters`];
const CODE = [(v) => /^\S+$/.test(v) && length(v) <= MAX_CODE, 'must be the code from the email'];
const TOKEN = [(v) => /^\S+$/.test(v) && v.length <= MAX_TOKEN, 'must be the refresh token from login'];

function tokens(result, { refresh = true } = {}) {
  const body = {
    access_token: result.AccessToken,
    id_token: result.IdToken,
    expires_in: result.ExpiresIn,
    token_type: result.TokenType || 'Bearer',
  };
  if (refresh) body.refresh_token = result.RefreshToken;
  return body;
}

/** The routes, given the Cognito client (`cognito(commandName, input)`) and the ids. */
function routes({ cognito, settings }) {
  const call = async (command, input, overrides) => {
    try {
      return await cognito(command, input);
    } catch (err) {
      throw cognitoError(err, overrides);
    }
  };
  return {
    'POST /auth/login': async ({ body }) => {
      const { email, password } = fields(body, { email: EMAIL, password: PASSWORD });
      const { userPoolId, clientId } = await settings();
      const out = await call('AdminInitiateAuth', {
        UserPoolId: userPoolId,
        ClientId: clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: password },
      });
      if (out.ChallengeName) {
        // Section 4 has no route to answer a challenge (MFA code, new password).
        throw new AppError(
          `This account needs a further sign-in step (${out.ChallengeName}); sign in through the app`,
          401,
          { error: 'ChallengeRequired', details: { challenge: out.ChallengeName } },
        );
      }
      return { body: tokens(out.AuthenticationResult) };
    },

    'POST /auth/refresh': async ({ body }) => {
      const { refresh_token: token } = fields(body, { refresh_token: TOKEN });
      const { userPoolId, clientId } = await settings();
      const out = await call(
        'AdminInitiateAuth',
        { UserPoolId: userPoolId, ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: token } },
        { NotAuthorizedException: [401, 'InvalidRefreshToken', 'The refresh token is invalid, expired or revoked; sign in again'] },
      );
      // Cognito issues no new refresh token unless rotation is on; the old one stays valid.
      return { body: tokens(out.AuthenticationResult, { refresh: Boolean(out.AuthenticationResult.RefreshToken) }) };
    },

    'POST /auth/forgot-password': async ({ body }) => {
      const { email } = fields(body, { email: EMAIL });
      const { clientId } = await settings();
      try {
        await cognito('ForgotPassword', { ClientId: clientId, Username: email });
      } catch (err) {
        // Unknown, unconfirmed or unverified accounts answer like existing ones: the API
        // must not tell who has an account. Throttling and outages still show.
        if (!ACCOUNT_STATES.includes(err && err.name)) throw cognitoError(err);
      }
      return { statusCode: 202, body: { message: 'If an account uses this address, a code to reset its password is on its way' } };
    },

    'POST /auth/reset-password': async ({ body }) => {
      const { email, code, password } = fields(body, { email: EMAIL, code: CODE, password: PASSWORD });
      const { clientId } = await settings();
      await call(
        'ConfirmForgotPassword',
        { ClientId: clientId, Username: email, ConfirmationCode: code, Password: password },
        { UserNotFoundException: BAD_CODE, NotAuthorizedException: BAD_CODE },
      );
      return { body: { message: 'The password is changed; sign in with the new one' } };
    },

    'POST /auth/logout': async ({ body }) => {
      const { refresh_token: token } = fields(body, { refresh_token: TOKEN });
      const { clientId } = await settings();
      const notOurs = [400, 'InvalidRefreshToken', 'That is not a refresh token this API issued'];
      // Revoking the refresh token also invalidates the access and id tokens issued with it.
      await call('RevokeToken', { ClientId: clientId, Token: token }, {
        UnauthorizedException: notOurs,
        UnsupportedTokenTypeException: notOurs,
      });
      return { body: { message: 'Signed out' } };
    },

    'GET /users/profile': async ({ event }) => {
      const claims = event.requestContext?.authorizer?.claims;
      if (!claims) throw new AppError('Sign in first', 401, { error: 'Unauthorized' });
      return { body: { user_id: claims.sub, email: claims.email, persona: claims['custom:persona'] ?? 'unknown' } };
    },
  };
}

function createHandler(dependencies) {
  const table = routes(dependencies);
  return apiHandler(async (request) => {
    const resource = (request.event.resource || '').replace(/^\/api\/v1/, '');
    const key = `${request.event.httpMethod} ${resource}`;
    const route = table[key];
    if (route) return route(request);
    if (NOT_YET_PORTED.includes(key)) {
      throw new AppError(`${key} is not served by the AWS stack yet`, 501, { error: 'NotImplemented' });
    }
    throw new AppError(`No route ${key}`, 404, { error: 'NotFound' });
  });
}

/** The real Cognito and SSM clients; the SDK (in the Lambda runtime) is loaded on first use. */
function defaultDependencies(env = process.env) {
  let idp;
  let ids;
  return {
    cognito: async (command, input) => {
      const sdk = require('@aws-sdk/client-cognito-identity-provider');
      idp ??= new sdk.CognitoIdentityProviderClient({});
      return idp.send(new sdk[`${command}Command`](input));
    },
    settings: () => {
      ids ??= (async () => {
        const { SSMClient, GetParameterCommand } = require('@aws-sdk/client-ssm');
        const ssm = new SSMClient({});
        const read = async (name) => (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter.Value;
        const [userPoolId, clientId] = await Promise.all([
          read(env.COGNITO_USER_POOL_ID_PARAMETER),
          read(env.COGNITO_API_CLIENT_ID_PARAMETER),
        ]);
        return { userPoolId, clientId };
      })().catch((err) => {
        ids = undefined; // retried by the next request
        throw err;
      });
      return ids;
    },
  };
}

let handler;
exports.handler = (event, context) => (handler ??= createHandler(defaultDependencies()))(event, context);
exports.createHandler = createHandler;
