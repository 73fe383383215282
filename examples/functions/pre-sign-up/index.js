'use strict';
// Cognito pre sign-up trigger (design section 3): auto-confirms and auto-verifies addresses
// of our own domain and rejects free-mail addresses, which are not business addresses.
// Cognito shows the thrown error's message to the user. No layers: it must answer in < 5 s.

const TRUSTED_DOMAIN = 'matbakh.app';

/** Free-mail providers (the common international and German ones); not business addresses. */
const FREE_MAIL_DOMAINS = new Set([
  'aol.com', 'gmail.com', 'googlemail.com', 'gmx.at', 'gmx.ch', 'gmx.de', 'gmx.net', 'hotmail.com', 'hotmail.de',
  'icloud.com', 'live.com', 'live.de', 'mail.com', 'mail.de', 'me.com', 'msn.com', 'outlook.com', 'outlook.de',
  'posteo.de', 'proton.me', 'protonmail.com', 't-online.de', 'web.de', 'yahoo.com', 'yahoo.de', 'yandex.com',
  'zoho.com', 'freenet.de', 'arcor.de',
]);

function domainOf(email) {
  const at = typeof email === 'string' ? email.lastIndexOf('@') : -1;
  return at > 0 ? email.slice(at + 1).toLowerCase() : null;
}

/** A syntactically valid address whose domain is not a free-mail provider. */
function isValidBusinessEmail(email) {
  const domain = domainOf(email);
  return domain !== null && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) && !FREE_MAIL_DOMAINS.has(domain);
}

exports.handler = async (event) => {
  const email = event.request.userAttributes.email;
  if (!isValidBusinessEmail(email)) {
    throw new Error('Please use a business email address');
  }
  if (domainOf(email) === TRUSTED_DOMAIN) {
    event.response.autoConfirmUser = true;
    event.response.autoVerifyEmail = true;
  }
  return event;
};

exports.isValidBusinessEmail = isValidBusinessEmail;
