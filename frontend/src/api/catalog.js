/**
 * The plugin's catalog API: the courses offered to the learner, with a price filter.
 */
import { getAuthenticatedHttpClient } from '@edx/frontend-platform/auth';

import { catalogApiUrl } from '../lib/urls';

export const PAGE_SIZE = 20;

/**
 * GET /riseup-stripe/api/v1/catalog/?price=...&min_price=...&max_price=...&currency=...&q=...&page=N
 * Empty filters are left out. Resolves with the API's page object.
 */
export async function searchCatalog({
  price, minPrice, maxPrice, currency, q, page = 1, pageSize = PAGE_SIZE,
}) {
  const params = new URLSearchParams();
  if (price === 'paid' || price === 'free') { params.set('price', price); }
  if (minPrice) { params.set('min_price', minPrice); }
  if (maxPrice) { params.set('max_price', maxPrice); }
  if (currency) { params.set('currency', currency); }
  if (q && q.trim()) { params.set('q', q.trim()); }
  params.set('page', String(page));
  params.set('page_size', String(pageSize));
  const { data } = await getAuthenticatedHttpClient().get(`${catalogApiUrl()}?${params.toString()}`);
  return data;
}
