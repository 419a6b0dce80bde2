import React from 'react';
import { http, HttpResponse } from 'msw';
import { screen, waitFor } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { beforeEach, describe, expect, it } from 'vitest';

import { CourseCardActionSlot } from '../harness/mfe';
import { LEARNER_HOME_QUERY_KEY } from '../src/widgets/InvoiceLink';
import {
  BOUGHT, FREE, LMS, PAID,
} from './fixtures';
import { loggedErrors, setLanguage, signIn } from './platform';
import { renderInMfe, useEnvConfig } from './render';
import {
  requestsTo, resetState, server, state,
} from './server';

const STOREFRONT = '/riseup-stripe/api/v1/storefront/';

/** GET /api/learner_home/init, as the dashboard receives it (camelCase). */
const learnerHome = {
  courses: [PAID, BOUGHT, FREE].map((courseId) => ({
    courseRun: { courseId },
    enrollment: { isVerified: false, hasStarted: true },
    course: { courseName: courseId },
  })),
};

function Dashboard() {
  return (
    <>
      {['card-0', 'card-1', 'card-2'].map((cardId) => (
        <div key={cardId} data-card={cardId}><CourseCardActionSlot cardId={cardId} /></div>
      ))}
    </>
  );
}

describe('learner dashboard: invoice link in the course card actions', () => {
  beforeEach(() => {
    resetState();
    state.signedIn = true;
    signIn();
    useEnvConfig('learner-dashboard');
  });

  it('links a bought course to its invoice, reading the course ids from the dashboard cache', async () => {
    const client = new QueryClient();
    client.setQueryData([...LEARNER_HOME_QUERY_KEY, null], learnerHome);
    renderInMfe(<QueryClientProvider client={client}><Dashboard /></QueryClientProvider>);
    const link = await screen.findByRole('link', { name: 'Invoice RS-0001' });
    expect(link).toHaveAttribute('href', `${LMS}/riseup-stripe/invoices/#RS-0001`);
    expect(link.closest('[data-card]').dataset.card).toBe('card-1');
    expect(screen.getAllByRole('link')).toHaveLength(1);
    const gets = requestsTo(STOREFRONT);
    expect(gets).toHaveLength(1);
    expect(gets[0].url.searchParams.getAll('course_id')).toEqual([PAID, BOUGHT, FREE]);
    expect(requestsTo('/api/learner_home/init')).toHaveLength(0);
    expect(loggedErrors).toEqual([]);
  });

  it('fetches the learner home once itself when the cache cannot be reached, in French', async () => {
    setLanguage('fr');
    server.use(http.get(`${LMS}/api/learner_home/init`, ({ request }) => {
      return HttpResponse.json(learnerHome, { headers: { 'x-url': request.url } });
    }));
    let calls = 0;
    server.events.on('request:start', ({ request }) => {
      if (new URL(request.url).pathname === '/api/learner_home/init') { calls += 1; }
    });
    renderInMfe(<Dashboard />, { locale: 'fr' });
    expect(await screen.findByRole('link', { name: 'Facture RS-0001' })).toBeInTheDocument();
    await waitFor(() => expect(requestsTo(STOREFRONT)).toHaveLength(1));
    expect(calls).toBe(1);
    server.events.removeAllListeners('request:start');
  });
});
