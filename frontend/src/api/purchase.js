/**
 * One click, one purchase: POST the purchase endpoint, then go to Stripe Checkout.
 */
import { getAuthenticatedHttpClient } from '@edx/frontend-platform/auth';

import { signInUrl } from '../lib/urls';
import { navigation } from '../lib/navigation';

/**
 * Start the purchase of a course. Resolves with {ok: true} once the browser is
 * sent to Checkout (or to sign-in), or {ok: false, message} to show.
 */
export async function startPurchase({ courseId, purchaseEndpoint, signIn }) {
  const here = navigation.currentUrl();
  try {
    const { data } = await getAuthenticatedHttpClient().post(
      purchaseEndpoint,
      { course_id: courseId, cancel_url: here },
    );
    if (data && data.checkout_url) {
      navigation.assign(data.checkout_url);
      return { ok: true };
    }
    return { ok: false, message: null };
  } catch (error) {
    const status = error?.response?.status ?? error?.customAttributes?.httpErrorStatus;
    if (status === 401 || status === 403) {
      navigation.assign(signInUrl(signIn, here));
      return { ok: true };
    }
    const body = error?.response?.data ?? safeJson(error?.customAttributes?.httpErrorResponseData);
    return { ok: false, message: (body && body.message) || null, code: body && body.error };
  }
}

function safeJson(text) {
  if (!text || typeof text !== 'string') { return null; }
  try {
    return JSON.parse(text);
  } catch (e) {
    return null;
  }
}
