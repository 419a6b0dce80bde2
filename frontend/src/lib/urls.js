import { getConfig } from '@edx/frontend-platform';

/** The LMS root the MFE talks to, without a trailing slash. */
export function lmsBaseUrl() {
  return String(getConfig().LMS_BASE_URL || '').replace(/\/+$/, '');
}

export const storefrontUrl = () => `${lmsBaseUrl()}/riseup-stripe/api/v1/storefront/`;
export const catalogApiUrl = () => `${lmsBaseUrl()}/riseup-stripe/api/v1/catalog/`;
export const learnerHomeInitUrl = () => `${lmsBaseUrl()}/api/learner_home/init`;

/** sign_in_url?next=<the page the learner is on>. */
export function signInUrl(base, next = window.location.href) {
  const target = base || `${lmsBaseUrl()}/login`;
  const separator = target.includes('?') ? '&' : '?';
  return `${target}${separator}next=${encodeURIComponent(next)}`;
}
