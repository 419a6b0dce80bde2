import React from 'react';
import { http, HttpResponse } from 'msw';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  afterEach, beforeEach, describe, expect, it, vi,
} from 'vitest';

import { CoursePriceSlot, EnrollmentButtonSlot } from '../harness/mfe';
import { navigation } from '../src/lib/navigation';
import {
  BOUGHT, FREE, LMS, PAID, PENDING, SCOPED, UNKNOWN,
} from './fixtures';
import {
  loggedErrors, signIn, setLanguage, visitAboutPage,
} from './platform';
import { plain, renderInMfe, useEnvConfig } from './render';
import {
  requests, requestsTo, resetState, server, state,
} from './server';

const STOREFRONT = '/riseup-stripe/api/v1/storefront/';
const PURCHASES = `${LMS}/riseup-stripe/api/v1/purchases/`;

function aboutPage(courseId, { coursePrice = 'Free' } = {}) {
  visitAboutPage(courseId);
  return renderInMfe(
    <>
      <EnrollmentButtonSlot courseId={courseId} />
      <CoursePriceSlot coursePrice={coursePrice} />
    </>,
  );
}

const buyButton = () => screen.findByRole('button', { name: /^Buy – / });

describe('course about page (enrollment button and sidebar price slots)', () => {
  let assign;
  beforeEach(() => {
    resetState();
    useEnvConfig('catalog');
    assign = vi.spyOn(navigation, 'assign').mockImplementation(() => {});
  });
  afterEach(() => assign.mockRestore());

  it('shows a Buy button with the price tax included, and the same price in the sidebar, from one request', async () => {
    state.signedIn = true;
    signIn();
    aboutPage(PAID);
    const button = await buyButton();
    expect(plain(button.textContent)).toBe('Buy – €49.00 incl. tax');
    await waitFor(() => expect(plain(document.querySelector('[data-mfe="sidebar-price-value"]').textContent)).toBe('€49.00 incl. tax'));
    expect(screen.queryByRole('button', { name: 'Enroll now' })).toBeNull();
    const gets = requestsTo(STOREFRONT);
    expect(gets).toHaveLength(1);
    expect(gets[0].url.searchParams.getAll('course_id')).toEqual([PAID]);
    // frontend-plugin-framework found the configuration valid
    expect(loggedErrors).toEqual([]);
  });

  it('buys in one click: one POST with the course and the page to come back to, then Stripe Checkout', async () => {
    state.signedIn = true;
    signIn();
    const bodies = [];
    server.use(http.post(PURCHASES, async ({ request }) => {
      bodies.push({ body: await request.json(), csrf: request.headers.get('X-CSRFToken') });
      return HttpResponse.json({ order: '5f0c6c1e-0000-4000-8000-000000000001', checkout_url: 'https://checkout.stripe.com/c/pay/cs_test_1' }, { status: 201 });
    }));
    aboutPage(PAID);
    const user = userEvent.setup();
    const button = await buyButton();
    await user.dblClick(button);
    await waitFor(() => expect(assign).toHaveBeenCalledTimes(1));
    expect(assign).toHaveBeenCalledWith('https://checkout.stripe.com/c/pay/cs_test_1');
    expect(bodies).toHaveLength(1);
    expect(bodies[0].body).toEqual({ course_id: PAID, cancel_url: `http://apps.lms.test/catalog/courses/${encodeURIComponent(PAID)}/about` });
    // frontend-platform fetched a CSRF token from the LMS and sent it with the POST
    expect(bodies[0].csrf).toBe('csrf-token-value');
    expect(requestsTo('/csrf/api/v1/token')).toHaveLength(1);
  });

  it('shows the message of a refused purchase and lets the learner try again', async () => {
    state.signedIn = true;
    signIn();
    let posts = 0;
    server.use(http.post(PURCHASES, () => {
      posts += 1;
      return HttpResponse.json({ error: 'not_purchasable', message: 'This course is no longer on sale.' }, { status: 400 });
    }));
    aboutPage(PAID);
    const user = userEvent.setup();
    await user.click(await buyButton());
    expect(await screen.findByRole('alert')).toHaveTextContent('This course is no longer on sale.');
    expect(assign).not.toHaveBeenCalled();
    await user.click(await buyButton());
    await waitFor(() => expect(posts).toBe(2));
  });

  it('sends a learner whose session ended to sign-in, coming back to this page', async () => {
    state.signedIn = true;
    signIn();
    server.use(http.post(PURCHASES, () => HttpResponse.json({ detail: 'Authentication credentials were not provided.' }, { status: 401 })));
    aboutPage(PAID);
    const user = userEvent.setup();
    await user.click(await buyButton());
    await waitFor(() => expect(assign).toHaveBeenCalledTimes(1));
    const target = new URL(assign.mock.calls[0][0]);
    expect(`${target.origin}${target.pathname}`).toBe(`${LMS}/login`);
    expect(target.searchParams.get('next')).toBe(window.location.href);
  });

  it('links a bought course to its courseware instead of selling it again', async () => {
    state.signedIn = true;
    signIn();
    aboutPage(BOUGHT);
    const link = await screen.findByRole('link', { name: 'View course' });
    expect(link).toHaveAttribute('href', `${LMS}/courses/${BOUGHT}/courseware`);
    expect(screen.queryByRole('button', { name: /Buy|Enroll/ })).toBeNull();
  });

  it('keeps the platform Enroll button and price of a free course, and that button still enrolls', async () => {
    state.signedIn = true;
    signIn();
    const enrollments = [];
    server.use(http.post(`${LMS}/change_enrollment`, async ({ request }) => {
      enrollments.push(new URLSearchParams(await request.text()));
      return new HttpResponse('', { status: 200 });
    }));
    aboutPage(FREE);
    const enroll = await screen.findByRole('button', { name: 'Enroll now' });
    expect(document.querySelector('[data-mfe="sidebar-price-value"]').textContent).toBe('Free');
    expect(screen.queryByRole('button', { name: /^Buy/ })).toBeNull();
    await userEvent.setup().click(enroll);
    await waitFor(() => expect(enrollments).toHaveLength(1));
    expect(enrollments[0].get('course_id')).toBe(FREE);
    expect(enrollments[0].get('enrollment_action')).toBe('enroll');
    await waitFor(() => expect(assign).toHaveBeenCalledWith(`${LMS}/dashboard`)); // as the MFE, on 200
  });

  it('keeps the platform button for a course the plugin does not know, and when the API fails', async () => {
    aboutPage(UNKNOWN);
    expect(await screen.findByRole('button', { name: 'Enroll now' })).toBeInTheDocument();
  });

  it('keeps the platform button when the storefront API is down', async () => {
    server.use(http.get(`${LMS}${STOREFRONT}`, () => new HttpResponse(null, { status: 500 })));
    aboutPage(PAID);
    expect(await screen.findByRole('button', { name: 'Enroll now' })).toBeInTheDocument();
  });

  it('says a payment is being processed', async () => {
    state.signedIn = true;
    signIn();
    aboutPage(PENDING);
    expect(await screen.findByText('Payment being processed')).toBeInTheDocument();
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('says an out-of-scope course is not offered, without a Buy or Enroll button', async () => {
    state.signedIn = true;
    signIn();
    aboutPage(SCOPED);
    expect(await screen.findByText('This course is not offered to you.')).toBeInTheDocument();
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('says online payment is off', async () => {
    state.signedIn = true;
    state.paymentEnabled = false;
    signIn();
    aboutPage(PAID);
    expect(await screen.findByText('Online payment is not available at the moment.')).toBeInTheDocument();
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('asks a signed-out visitor to sign in, and the link comes back to this page', async () => {
    aboutPage(PAID);
    expect(await screen.findByText('Sign in to buy this course.')).toBeInTheDocument();
    const link = screen.getByRole('link', { name: 'Sign in' });
    const target = new URL(link.getAttribute('href'));
    expect(target.searchParams.get('next')).toBe(window.location.href);
    // Anonymous: frontend-platform tried to refresh the JWT, the LMS said no, the request went on
    expect(requestsTo('/login_refresh', 'POST').length).toBeGreaterThan(0);
    expect(requestsTo(STOREFRONT)).toHaveLength(1);
  });

  it('leaves the states the MFE draws itself (already enrolled) to the MFE', async () => {
    state.signedIn = true;
    state.override = {
      [PAID]: {
        course_id: PAID, is_paid: true, price: { amount: 4900, currency: 'EUR', tax_included: true }, status: 'unavailable', purchasable: false, reason: 'already_enrolled', message: 'x', course_url: null, invoice: null,
      },
    };
    signIn();
    aboutPage(PAID);
    expect(await screen.findByRole('button', { name: 'Enroll now' })).toBeInTheDocument();
  });

  it('falls back to the LMS message for a reason it does not know', async () => {
    state.signedIn = true;
    state.override = {
      [PAID]: {
        course_id: PAID, is_paid: true, price: { amount: 4900, currency: 'EUR', tax_included: true }, status: 'unavailable', purchasable: false, reason: 'new_reason', message: 'Une raison nouvelle.', course_url: null, invoice: null,
      },
    };
    signIn();
    aboutPage(PAID);
    expect(await screen.findByText('Une raison nouvelle.')).toBeInTheDocument();
  });

  it('speaks French with the price formatted for French', async () => {
    state.signedIn = true;
    signIn();
    setLanguage('fr');
    aboutPage(PAID);
    const button = await screen.findByRole('button', { name: /^Acheter – / });
    expect(plain(button.textContent)).toBe('Acheter – 49,00 € TTC');
    await waitFor(() => expect(plain(document.querySelector('[data-mfe="sidebar-price-value"]').textContent)).toBe('49,00 € TTC'));
  });

  it('says in French why a signed-out visitor cannot buy', async () => {
    setLanguage('fr');
    aboutPage(PAID);
    expect(await screen.findByText('Connectez-vous pour acheter ce cours.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Se connecter' })).toBeInTheDocument();
    expect(requests.some((r) => r.path === STOREFRONT)).toBe(true);
  });
});
