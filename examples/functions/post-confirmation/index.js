'use strict';
// Cognito post confirmation trigger (design section 3): creates the user's profile in the
// database and sends the welcome mail through SES from SES_FROM_ADDRESS.

const { log } = require('@matbakh/shared-utils');

const INSERT_PROFILE = `
  INSERT INTO profiles (cognito_id, email, persona) VALUES ($1, $2, $3)
  ON CONFLICT (cognito_id) DO NOTHING`;

function createHandler({ query, sendMail }) {
  return async (event) => {
    // Cognito also calls this trigger after a confirmed password reset; only sign-ups count.
    if (event.triggerSource !== 'PostConfirmation_ConfirmSignUp') return event;
    const { userAttributes } = event.request;
    await query(INSERT_PROFILE, [event.userName, userAttributes.email, userAttributes['custom:persona'] || 'unknown']);
    try {
      await sendMail(userAttributes.email);
    } catch (err) {
      // The account exists either way; a lost welcome mail must not fail the confirmation.
      log('error', 'welcome mail not sent', { user: event.userName, error: err.message });
    }
    return event;
  };
}

function defaultDependencies(env = process.env) {
  return {
    query: async (sql, params) => (await require('@matbakh/database-client').postgres()).query(sql, params),
    sendMail: async (to) => {
      // The AWS SDK v3 ships with the Node.js Lambda runtime.
      const { SESv2Client, SendEmailCommand } = require('@aws-sdk/client-sesv2');
      await new SESv2Client({}).send(new SendEmailCommand({
        FromEmailAddress: env.SES_FROM_ADDRESS,
        Destination: { ToAddresses: [to] },
        Content: {
          Simple: {
            Subject: { Data: 'Welcome to matbakh' },
            Body: { Text: { Data: 'Your matbakh account is ready. Sign in at https://matbakh.app' } },
          },
        },
      }));
    },
  };
}

let handler;
exports.handler = (event, context) => (handler ??= createHandler(defaultDependencies()))(event, context);
exports.createHandler = createHandler;
