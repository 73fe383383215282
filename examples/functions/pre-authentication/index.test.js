'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { createHandler } = require('./index.js');

function counter() {
  const counts = new Map();
  return async (key) => counts.set(key, (counts.get(key) || 0) + 1).get(key);
}

test('the sixth attempt within the window is blocked, other users are not', async () => {
  const handler = createHandler({ countAttempt: counter() });
  for (let i = 0; i < 5; i++) await handler({ userName: 'alice' });
  await assert.rejects(handler({ userName: 'alice' }), /Too many login attempts/);
  await handler({ userName: 'bob' });
});

test('an unreachable counter lets the sign-in through', async () => {
  const handler = createHandler({ countAttempt: async () => { throw new Error('ECONNREFUSED'); } });
  const event = { userName: 'alice' };
  assert.equal(await handler(event), event);
});
