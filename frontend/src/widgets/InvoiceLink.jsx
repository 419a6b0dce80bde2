/**
 * Slot org.openedx.frontend.learner_dashboard.course_card_action.v1
 * (Insert, pluginProps {cardId}): a link to the invoice of a bought course.
 *
 * The slot gives only the card id ("card-<n>": the n-th course of the learner
 * home answer, GET /api/learner_home/init). The widget reads that answer from
 * the dashboard's own react-query cache when it can (no extra request), and
 * otherwise fetches it once per page.
 */
import React, {
  useCallback, useContext, useEffect, useSyncExternalStore,
} from 'react';
import PropTypes from 'prop-types';
import { Button } from '@openedx/paragon';
import { useIntl } from '@edx/frontend-platform/i18n';
import { getAuthenticatedHttpClient } from '@edx/frontend-platform/auth';
import { QueryClientContext } from '@tanstack/react-query';

import { useStorefrontCourse } from '../api/storefront';
import { learnerHomeInitUrl } from '../lib/urls';
import messages from '../i18n/messages';
import { withWidgetIntl } from '../i18n';

/** The dashboard's react-query key prefix of the learner home answer. */
export const LEARNER_HOME_QUERY_KEY = ['learner-dashboard', 'initialize'];

const CARD_ID = /^card-(\d+)$/;

export function courseIdOfCard(learnerHome, cardId) {
  const match = CARD_ID.exec(String(cardId || ''));
  const courses = learnerHome && Array.isArray(learnerHome.courses) ? learnerHome.courses : null;
  if (!match || !courses) { return null; }
  const entry = courses[Number(match[1])];
  return entry?.courseRun?.courseId || entry?.course_run?.course_id || null;
}

function cachedLearnerHome(client) {
  if (!client) { return null; }
  const found = client.getQueriesData({ queryKey: LEARNER_HOME_QUERY_KEY })
    .map(([, data]) => data)
    .find((data) => data && Array.isArray(data.courses));
  return found || null;
}

// Fallback: our own copy of the learner home answer, fetched once per page.
let fetched = null; // {state, data}
const listeners = new Set();
function fetchLearnerHome() {
  if (fetched) { return; }
  fetched = { state: 'loading', data: null };
  getAuthenticatedHttpClient().get(learnerHomeInitUrl())
    .then(({ data }) => { fetched = { state: 'ready', data }; })
    .catch(() => { fetched = { state: 'failed', data: null }; })
    .finally(() => listeners.forEach((listener) => listener()));
}

export function resetLearnerHome() {
  fetched = null;
}

function useLearnerHome() {
  const client = useContext(QueryClientContext);
  const subscribe = useCallback((listener) => {
    listeners.add(listener);
    const unsubscribe = client ? client.getQueryCache().subscribe(listener) : () => {};
    return () => { listeners.delete(listener); unsubscribe(); };
  }, [client]);
  const snapshot = useCallback(() => cachedLearnerHome(client) || fetched?.data || null, [client]);
  const data = useSyncExternalStore(subscribe, snapshot, snapshot);
  useEffect(() => {
    if (!client) { fetchLearnerHome(); }
  }, [client]);
  return data;
}

export function InvoiceLink({ cardId }) {
  const intl = useIntl();
  const learnerHome = useLearnerHome();
  const courseId = courseIdOfCard(learnerHome, cardId);
  const { course } = useStorefrontCourse(courseId);
  if (!course || course.status !== 'bought' || !course.invoice || !course.invoice.url) {
    return null;
  }
  const { number, url } = course.invoice;
  return (
    <Button as="a" href={url} variant="outline-primary" data-riseup-stripe="invoice">
      {number
        ? intl.formatMessage(messages.invoice, { number })
        : intl.formatMessage(messages.invoiceNoNumber)}
    </Button>
  );
}

InvoiceLink.propTypes = { cardId: PropTypes.string.isRequired };

export default withWidgetIntl(InvoiceLink);
