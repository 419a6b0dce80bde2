/**
 * The storefront API, read once per page: every widget asks for its course id,
 * the ids asked for during one browser task are sent in ONE request
 * (GET /riseup-stripe/api/v1/storefront/?course_id=a&course_id=b...), and the
 * answers are kept for the life of the page.
 */
import { useEffect, useSyncExternalStore } from 'react';
import { getAuthenticatedHttpClient } from '@edx/frontend-platform/auth';

import { storefrontUrl } from '../lib/urls';

/** The API takes at most this many course ids per request. */
export const MAX_IDS_PER_REQUEST = 100;

const LOADING = 'loading';
const READY = 'ready';
const FAILED = 'failed';

let entries = new Map(); // course id -> {state, course}
let meta = null; // top-level fields of the last answer
let queue = new Set();
let timer = null;
let version = 0;
const listeners = new Set();

function notify() {
  version += 1;
  listeners.forEach((listener) => listener());
}

function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const getVersion = () => version;

function metaOf(data) {
  return {
    paymentEnabled: Boolean(data.payment_enabled),
    signedIn: Boolean(data.signed_in),
    purchaseEndpoint: data.purchase_endpoint || null,
    signInUrl: data.sign_in_url || null,
    invoicesUrl: data.invoices_url || null,
  };
}

async function fetchChunk(ids) {
  const params = new URLSearchParams();
  ids.forEach((id) => params.append('course_id', id));
  try {
    const { data } = await getAuthenticatedHttpClient().get(`${storefrontUrl()}?${params.toString()}`);
    meta = metaOf(data || {});
    const courses = (data && data.courses) || {};
    ids.forEach((id) => entries.set(id, { state: READY, course: courses[id] || null }));
  } catch (error) {
    ids.forEach((id) => entries.set(id, { state: FAILED, course: null }));
  }
  notify();
}

function flush() {
  timer = null;
  const ids = [...queue];
  queue = new Set();
  for (let start = 0; start < ids.length; start += MAX_IDS_PER_REQUEST) {
    fetchChunk(ids.slice(start, start + MAX_IDS_PER_REQUEST));
  }
}

/** Ask for courses; those not known yet join the next request. */
export function requestCourses(ids) {
  let added = false;
  ids.filter(Boolean).forEach((id) => {
    if (!entries.has(id)) {
      entries.set(id, { state: LOADING, course: null });
      queue.add(id);
      added = true;
    }
  });
  if (added && timer === null) {
    timer = setTimeout(flush, 0);
  }
}

/** What is known of a course: {state: 'loading'|'ready'|'failed'|'none', course, meta}. */
export function getCourseEntry(courseId) {
  if (!courseId) { return { state: 'none', course: null, meta }; }
  const entry = entries.get(courseId);
  return { state: entry ? entry.state : LOADING, course: entry ? entry.course : null, meta };
}

/** React hook: the storefront entry of one course, loaded with the others of the page. */
export function useStorefrontCourse(courseId) {
  useSyncExternalStore(subscribe, getVersion, getVersion);
  useEffect(() => {
    if (courseId) { requestCourses([courseId]); }
  }, [courseId]);
  return getCourseEntry(courseId);
}

/** True once a paid course was seen on this page. */
export function hasPaidCourse() {
  return [...entries.values()].some((entry) => entry.course && entry.course.is_paid);
}

export function useHasPaidCourse() {
  useSyncExternalStore(subscribe, getVersion, getVersion);
  return hasPaidCourse();
}

/** The top-level fields of the last answer (purchase endpoint, sign-in URL...). */
export function getStorefrontMeta() {
  return meta;
}

/** Forget everything (a new page, or between tests). */
export function resetStorefront() {
  if (timer !== null) { clearTimeout(timer); }
  timer = null;
  entries = new Map();
  queue = new Set();
  meta = null;
  notify();
}

export const STATES = { LOADING, READY, FAILED };
