'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { handler } = require('./index.js');

const event = (email) => ({ request: { userAttributes: { email } }, response: {} });

test('matbakh.app addresses are auto-confirmed and auto-verified', async () => {
  const out = await handler(event('team@matbakh.app'));
  assert.deepEqual(out.response, { autoConfirmUser: true, autoVerifyEmail: true });
});

test('business addresses sign up normally', async () => {
  const out = await handler(event('owner@restaurant-example.de'));
  assert.deepEqual(out.response, {});
});

test('a look-alike of the trusted domain is not trusted', async () => {
  const out = await handler(event('x@evilmatbakh.app'));
  assert.deepEqual(out.response, {});
});

for (const email of ['someone@gmail.com', 'someone@GMX.de', 'someone@web.de', 'not-an-address', 'a@b']) {
  test(`${email} is rejected as not a business address`, async () => {
    await assert.rejects(handler(event(email)), /business email/);
  });
}
