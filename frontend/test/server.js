/**
 * The LMS at the network boundary (msw): storefront, purchases, catalog,
 * learner home, CSRF token and JWT refresh. Every request is recorded.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';

import { LMS, storefrontAnswer } from './fixtures';

export const requests = [];

function record(request) {
  const url = new URL(request.url);
  requests.push({
    method: request.method, url, path: url.pathname, headers: request.headers,
  });
}

export const state = {
  signedIn: false, paymentEnabled: true, override: {},
};

export function resetState() {
  requests.length = 0;
  state.signedIn = false;
  state.paymentEnabled = true;
  state.override = {};
}

export const defaultHandlers = [
  http.post(`${LMS}/login_refresh`, ({ request }) => {
    record(request);
    return new HttpResponse(null, { status: 401 });
  }),
  http.get(`${LMS}/csrf/api/v1/token`, ({ request }) => {
    record(request);
    return HttpResponse.json({ csrfToken: 'csrf-token-value' });
  }),
  http.get(`${LMS}/riseup-stripe/api/v1/storefront/`, ({ request }) => {
    record(request);
    const ids = new URL(request.url).searchParams.getAll('course_id');
    return HttpResponse.json(storefrontAnswer(ids, state));
  }),
];

export const server = setupServer(...defaultHandlers);

server.events.on('response:mocked', () => {});

export function requestsTo(path, method = 'GET') {
  return requests.filter((r) => r.path === path && r.method === method);
}
