'use strict';
// Cognito pre authentication trigger (design section 3): blocks an account after more than
// five sign-in attempts within 15 minutes. Attempts are counted in Redis, which answers well
// inside Cognito's 5-second limit; if Redis is unreachable the sign-in is let through
// (Cognito's own lockout still applies) rather than locking everyone out.

const MAX_ATTEMPTS = 5;
const WINDOW_SECONDS = 15 * 60;

function createHandler({ countAttempt }) {
  return async (event) => {
    let attempts = 0;
    try {
      attempts = await countAttempt(`auth:attempts:${event.userName}`, WINDOW_SECONDS);
    } catch (err) {
      console.error(JSON.stringify({ level: 'error', message: 'attempt counter unavailable', error: err.message }));
    }
    if (attempts > MAX_ATTEMPTS) {
      throw new Error('Too many login attempts. Please try again later.');
    }
    return event;
  };
}

function defaultDependencies() {
  return {
    countAttempt: async (key, windowSeconds) => {
      const redis = await require('@matbakh/database-client').redis();
      const count = await redis.command('INCR', key);
      if (count === 1) await redis.command('EXPIRE', key, windowSeconds);
      return count;
    },
  };
}

let handler;
exports.handler = (event, context) => (handler ??= createHandler(defaultDependencies()))(event, context);
exports.createHandler = createHandler;
