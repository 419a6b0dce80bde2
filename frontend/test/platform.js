/**
 * frontend-platform configured as an MFE configures it: the real
 * AxiosJwtAuthService (JWT cookie, /login_refresh, CSRF token from
 * /csrf/api/v1/token) and i18n with the locales the MFE ships.
 */
import { mergeConfig, getConfig } from '@edx/frontend-platform';
import { configure as configureAuth, AxiosJwtAuthService } from '@edx/frontend-platform/auth';
import { configure as configureI18n } from '@edx/frontend-platform/i18n';
import { configure as configureLogging } from '@edx/frontend-platform/logging';

import { resetStorefront } from '../src/api/storefront';
import { resetLearnerHome } from '../src/widgets/InvoiceLink';

export const LMS = 'http://lms.test';

/** Errors logged through frontend-platform (frontend-plugin-framework reports invalid plugin configs there). */
export const loggedErrors = [];

class RecordingLoggingService {
  logInfo() {}

  logError(message) { loggedErrors.push(String(message)); }
}

export const logging = new RecordingLoggingService();

export function configurePlatform() {
  mergeConfig({
    BASE_URL: 'http://apps.lms.test/catalog',
    LMS_BASE_URL: LMS,
    LOGIN_URL: `${LMS}/login`,
    LOGOUT_URL: `${LMS}/logout`,
    REFRESH_ACCESS_TOKEN_ENDPOINT: `${LMS}/login_refresh`,
    ACCESS_TOKEN_COOKIE_NAME: 'edx-jwt-cookie-header-payload',
    CSRF_TOKEN_API_PATH: '/csrf/api/v1/token',
    LANGUAGE_PREFERENCE_COOKIE_NAME: 'openedx-language-preference',
    USER_INFO_COOKIE_NAME: 'edx-user-info',
    PUBLIC_PATH: '/catalog/',
  });
  configureLogging(RecordingLoggingService, { config: getConfig() });
  configureAuth(AxiosJwtAuthService, { config: getConfig(), loggingService: logging });
  configureI18n({ config: getConfig(), loggingService: logging, messages: Object.fromEntries(['ar', 'ca', 'es-419', 'fa', 'fa-ir', 'fr', 'he', 'id', 'ko-kr', 'pl', 'pt-br', 'ru', 'th', 'uk', 'vi', 'zh-cn'].map((code) => [code, {}])) });
}

function base64url(value) {
  return Buffer.from(JSON.stringify(value)).toString('base64')
    .replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/** The JWT cookie the LMS sets on sign-in (header.payload; the signature stays server-side). */
export function signIn(username = 'ada') {
  const payload = {
    preferred_username: username, administrator: false, user_id: 7, email: `${username}@example.com`,
    exp: Math.floor(Date.now() / 1000) + 3600,
  };
  document.cookie = `edx-jwt-cookie-header-payload=${base64url({ alg: 'RS512', typ: 'JWT' })}.${base64url(payload)}; path=/`;
}

export function setLanguage(code) {
  document.cookie = `openedx-language-preference=${code}; path=/`;
}

function clearCookies() {
  document.cookie.split(';').map((c) => c.split('=')[0].trim()).filter(Boolean).forEach((name) => {
    document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  });
}

export function resetPage() {
  loggedErrors.length = 0;
  clearCookies();
  resetStorefront();
  resetLearnerHome();
  window.history.replaceState(null, '', '/catalog/');
}

/** Put the browser on the catalog MFE's about page of a course. */
export function visitAboutPage(courseId) {
  window.history.replaceState(null, '', `/catalog/courses/${encodeURIComponent(courseId)}/about`);
}
