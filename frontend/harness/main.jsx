/**
 * Browser harness: the widgets mounted through the real PluginSlot with the
 * configuration Tutor renders (the env.config.jsx given to build.mjs as ENV_CONFIG,
 * else the same built from src/slots.json), on pages that mimic the catalog
 * MFE (course about page, home cards, catalog search and cards) and the learner
 * dashboard's card actions. Configured by window.HARNESS_CONFIG (config.js,
 * written at build time from LMS_BASE_URL) or ?lms=<url>.
 *
 * Pages (query string of index.html):
 *   ?page=about&course=<course id>        about page: Enroll/Buy button (Enroll goes to the dashboard page) and sidebar price
 *   ?page=catalog&courses=<id>,<id>,...   search field with the price filter, and cards
 *   ?page=home&courses=<id>,...           home page cards
 *   ?page=dashboard&courses=<id>,...      dashboard cards (card-0, card-1, ...) with the invoice link
 */
import React, { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { getConfig, mergeConfig } from '@edx/frontend-platform';
import { AxiosJwtAuthService, configure as configureAuth } from '@edx/frontend-platform/auth';
import { configure as configureI18n, IntlProvider, getLocale } from '@edx/frontend-platform/i18n';
import { configure as configureLogging } from '@edx/frontend-platform/logging';
import { DIRECT_PLUGIN, PLUGIN_OPERATIONS } from '@openedx/frontend-plugin-framework';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import envConfig from 'env.config';

import * as catalogWidgets from '../src/catalog';
import * as dashboardWidgets from '../src/learner-dashboard';
import { pluginSlotsFor } from '../src/envConfig';
import { courseIdFromLocation } from '../src/lib/courseId';
import {
  CatalogCourseCardSlot, CourseCardActionSlot, CoursePriceSlot, EnrollmentButtonSlot,
  HomeCourseCardSlot, SearchFieldSlot, searchResult,
} from './mfe';

class ConsoleLogging {
  logInfo(...args) { console.info(...args); } // eslint-disable-line no-console

  logError(...args) { console.error(...args); } // eslint-disable-line no-console
}

const params = new URLSearchParams(window.location.search);
const lms = (params.get('lms') || window.HARNESS_CONFIG?.LMS_BASE_URL || window.location.origin).replace(/\/+$/, '');
const page = params.get('page') || 'about';
const courses = (params.get('courses') || params.get('course') || '').split(',').filter(Boolean);

mergeConfig({
  BASE_URL: window.location.origin,
  LMS_BASE_URL: lms,
  LOGIN_URL: `${lms}/login`,
  LOGOUT_URL: `${lms}/logout`,
  REFRESH_ACCESS_TOKEN_ENDPOINT: `${lms}/login_refresh`,
  ACCESS_TOKEN_COOKIE_NAME: 'edx-jwt-cookie-header-payload',
  CSRF_TOKEN_API_PATH: '/csrf/api/v1/token',
  LANGUAGE_PREFERENCE_COOKIE_NAME: 'openedx-language-preference',
  USER_INFO_COOKIE_NAME: 'edx-user-info',
});
configureLogging(ConsoleLogging, { config: getConfig() });
configureAuth(AxiosJwtAuthService, { config: getConfig(), loggingService: new ConsoleLogging() });
configureI18n({ config: getConfig(), loggingService: new ConsoleLogging(), messages: { fr: {}, 'fr-ca': {} } });

// Each bundle is one MFE's (build.mjs defines APP_ID, as the MFE build does).
const app = process.env.APP_ID || (page === 'dashboard' ? 'learner-dashboard' : 'catalog');
// As frontend-platform's initialize() does: the env.config's default export, a function or an object.
const rendered = typeof envConfig === 'function' ? await envConfig() : envConfig;
if (rendered && rendered.pluginSlots && Object.keys(rendered.pluginSlots).length) {
  mergeConfig({ pluginSlots: rendered.pluginSlots });
  window.HARNESS_SLOTS_FROM = 'env.config';
} else {
  const widgets = app === 'catalog' ? catalogWidgets : dashboardWidgets;
  mergeConfig(pluginSlotsFor(app, widgets, { DIRECT_PLUGIN, PLUGIN_OPERATIONS }));
  window.HARNESS_SLOTS_FROM = 'slots.json';
}

// The widgets read the course id of the about page from the path, as in the catalog MFE (a page
// already at <base>/courses/<id>/about, e.g. back from Checkout's cancel link, stays where it is).
if (page === 'about' && courses[0] && !courseIdFromLocation()) {
  const base = window.location.pathname.replace(/[^/]*$/, '');
  window.history.replaceState(null, '', `${base}courses/${encodeURIComponent(courses[0])}/about${window.location.search}`);
}

function CatalogPage() {
  const [, setInput] = useState('');
  const [searched, setSearched] = useState(null);
  return (
    <>
      <SearchFieldSlot setSearchInput={setInput} handleSearch={setSearched} />
      {searched !== null && <p data-mfe="searched">{`Searched: ${searched}`}</p>}
      <div className="d-flex flex-wrap">
        {courses.map((id) => <div key={id} className="m-2" style={{ width: '18rem' }}><CatalogCourseCardSlot course={searchResult(id, id)} /></div>)}
      </div>
    </>
  );
}

function Dashboard() {
  const [client] = useState(() => {
    const queryClient = new QueryClient();
    // The dashboard's cache of GET /api/learner_home/init (card-<n> is its n-th course)
    queryClient.setQueryData(['learner-dashboard', 'initialize', null], {
      courses: courses.map((courseId) => ({ courseRun: { courseId } })),
    });
    return queryClient;
  });
  return (
    <QueryClientProvider client={client}>
      {courses.map((id, index) => (
        <div key={id} className="border p-3 m-2" data-card={`card-${index}`}>
          <h3 className="h5">{id}</h3>
          <CourseCardActionSlot cardId={`card-${index}`} />
        </div>
      ))}
    </QueryClientProvider>
  );
}

// Where the Enroll button goes on success: the LMS's /dashboard sends learners to the learner dashboard
// MFE, which lists their courses; this harness's dashboard page is given them in its query string.
function dashboardUrl(courseId) {
  const base = window.location.pathname.replace(/courses\/[^/]*\/about$/, '').replace(/[^/]*$/, '');
  return `${window.location.origin}${base}index.html?page=dashboard&courses=${encodeURIComponent(courseId)}`;
}

function Page() {
  if (page === 'catalog') { return <CatalogPage />; }
  if (page === 'home') {
    return <div className="d-flex flex-wrap">{courses.map((id) => <div key={id} className="m-2" style={{ width: '18rem' }}><HomeCourseCardSlot course={searchResult(id, id)} /></div>)}</div>;
  }
  if (page === 'dashboard') { return <Dashboard />; }
  return (
    <div className="d-flex">
      <main className="flex-grow-1 p-3"><h1 className="h3">{courses[0]}</h1><EnrollmentButtonSlot courseId={courses[0]} dashboardUrl={dashboardUrl(courses[0])} /></main>
      <aside className="p-3" style={{ minWidth: '16rem' }}><CoursePriceSlot coursePrice="Free" /></aside>
    </div>
  );
}

createRoot(document.getElementById('root')).render(
  <IntlProvider locale={getLocale()} messages={{}}>
    <Page />
  </IntlProvider>,
);
