import React, { useState } from 'react';
import { http, HttpResponse } from 'msw';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';

import {
  CatalogCourseCardSlot, HomeCourseCardSlot, MfeCourseCard, SearchFieldSlot, searchResult,
} from '../harness/mfe';
import { TERM_DELAY_MS } from '../src/widgets/PriceFilter';
import {
  BOUGHT, CATALOG_RESULT, FREE, LMS, PAID, PENDING, SCOPED, UNKNOWN,
} from './fixtures';
import { signIn } from './platform';
import {
  FPF, plain, renderInMfe, useEnvConfig,
} from './render';
import {
  requestsTo, resetState, server, state,
} from './server';

const STOREFRONT = '/riseup-stripe/api/v1/storefront/';
const CATALOG = '/riseup-stripe/api/v1/catalog/';

function badgeOf(courseId) {
  const card = document.querySelector(`[data-course-id="${courseId}"]`);
  const wrapper = card && card.closest('.riseup-stripe-card');
  const badge = wrapper && wrapper.querySelector('[data-riseup-stripe="badge"]');
  return badge ? plain(badge.textContent) : null;
}

const CATALOG_IDS = [PAID, BOUGHT, FREE, SCOPED, UNKNOWN];
const HOME_IDS = [PENDING, PAID];

function CatalogAndHome() {
  return (
    <>
      <section aria-label="home">
        {HOME_IDS.map((id) => <HomeCourseCardSlot key={`h-${id}`} course={searchResult(id, `Home ${id}`)} />)}
      </section>
      <section aria-label="catalog">
        {CATALOG_IDS.map((id) => <CatalogCourseCardSlot key={id} course={searchResult(id, `Course ${id}`)} />)}
      </section>
    </>
  );
}

describe('course cards of the home and catalog pages', () => {
  beforeEach(() => {
    resetState();
    state.signedIn = true;
    signIn();
  });

  it('badges every card from ONE storefront request holding all the ids of the page', async () => {
    useEnvConfig('catalog');
    renderInMfe(<CatalogAndHome />);
    await waitFor(() => expect(badgeOf(SCOPED)).toBe('Not offered to you'));
    expect(badgeOf(PAID)).toBe('€49.00 incl. tax');
    expect(badgeOf(BOUGHT)).toBe('Purchased');
    expect(badgeOf(FREE)).toBeNull();
    expect(badgeOf(UNKNOWN)).toBeNull();
    expect(badgeOf(PENDING)).toBe('€49.00 incl. tax');
    // The MFE's cards are all still there
    expect(document.querySelectorAll('[data-mfe="course-card"]')).toHaveLength(7);
    const gets = requestsTo(STOREFRONT);
    expect(gets).toHaveLength(1);
    expect(new Set(gets[0].url.searchParams.getAll('course_id'))).toEqual(new Set([...CATALOG_IDS, ...HOME_IDS]));
  });

  it('splits more than 100 ids into requests of 100, and asks nothing twice', async () => {
    useEnvConfig('catalog');
    const ids = Array.from({ length: 130 }, (_, i) => `course-v1:Org+C${i}+2026`);
    const { rerender } = renderInMfe(
      <>{ids.map((id) => <CatalogCourseCardSlot key={id} course={searchResult(id, id)} />)}</>,
    );
    await waitFor(() => expect(requestsTo(STOREFRONT)).toHaveLength(2));
    const sizes = requestsTo(STOREFRONT).map((r) => r.url.searchParams.getAll('course_id').length).sort();
    expect(sizes).toEqual([100, 30]);
    rerender(<>{ids.slice(0, 10).map((id) => <CatalogCourseCardSlot key={id} course={searchResult(id, id)} />)}</>);
    await new Promise((resolve) => { setTimeout(resolve, 20); });
    expect(requestsTo(STOREFRONT)).toHaveLength(2);
  });

  it('also badges the card of a theme that replaces the default card (tutor-indigo)', async () => {
    // tutor-indigo hides default_contents and inserts its own card, which receives the plugin props
    useEnvConfig('catalog', {
      'org.openedx.frontend.catalog.course_catalog_page.data_table.course_card': [
        { op: FPF.PLUGIN_OPERATIONS.Hide, widgetId: 'default_contents' },
        {
          op: FPF.PLUGIN_OPERATIONS.Insert,
          widget: {
            id: 'indigo-catalog-course-card',
            type: FPF.DIRECT_PLUGIN,
            RenderWidget: ({ courseId, courseName }) => (
              <div data-theme-card data-course-id={courseId}>{courseName}</div>
            ),
          },
        },
      ],
    });
    renderInMfe(<CatalogCourseCardSlot course={searchResult(PAID, 'Paid course')} />);
    await waitFor(() => expect(badgeOf(PAID)).toBe('€49.00 incl. tax'));
    expect(document.querySelector('[data-theme-card]')).not.toBeNull();
    expect(document.querySelector('[data-mfe="course-card"]')).toBeNull();
  });
});

/** The catalog page: its search field (with the MFE's own state) and its cards. */
function CatalogPage({ ids, onSearch }) {
  const [, setInput] = useState('');
  return (
    <>
      <SearchFieldSlot setSearchInput={setInput} handleSearch={onSearch} initialSearchValue="" />
      {ids.map((id) => <CatalogCourseCardSlot key={id} course={searchResult(id, id)} />)}
    </>
  );
}

describe('price filter of the catalog page', () => {
  beforeEach(() => {
    resetState();
    useEnvConfig('catalog');
  });

  it('stays hidden while no paid course is visible', async () => {
    renderInMfe(<CatalogPage ids={[FREE]} onSearch={() => {}} />);
    await waitFor(() => expect(requestsTo(STOREFRONT)).toHaveLength(1));
    await new Promise((resolve) => { setTimeout(resolve, 20); });
    expect(screen.queryByRole('region', { name: 'Price' })).toBeNull();
    expect(screen.getByPlaceholderText('Search for a course')).toBeInTheDocument();
  });

  it('lists the paid courses in a price range from the catalog API, with the typed words and its own pages', async () => {
    const seen = [];
    server.use(http.get(`${LMS}${CATALOG}`, ({ request }) => {
      const params = new URL(request.url).searchParams;
      seen.push(params);
      const page = Number(params.get('page'));
      return HttpResponse.json({
        count: 21,
        page,
        num_pages: 2,
        page_size: 20,
        next: page < 2 ? `${LMS}${CATALOG}?page=2` : null,
        previous: page > 1 ? `${LMS}${CATALOG}?page=1` : null,
        currencies: ['eur', 'usd'],
        results: page === 1
          ? [CATALOG_RESULT(), CATALOG_RESULT({
            course_id: 'course-v1:Org+Usd+2026', title: 'Dollar course', price: 1999, currency: 'usd',
          })]
          : [CATALOG_RESULT({ course_id: 'course-v1:Org+Last+2026', title: 'Last course', price: 1000 })],
      });
    }));
    const searches = [];
    renderInMfe(<CatalogPage ids={[FREE, PAID]} onSearch={(q) => searches.push(q)} />);
    const user = userEvent.setup();
    const filter = await screen.findByRole('region', { name: 'Price' });

    // The MFE's own search still works, and its words reach the filter
    await user.type(screen.getByPlaceholderText('Search for a course'), 'python{Enter}');
    expect(searches).toEqual(['python']);
    await new Promise((resolve) => { setTimeout(resolve, TERM_DELAY_MS + 50); });

    await user.selectOptions(within(filter).getByLabelText('Price'), 'paid');
    await user.type(within(filter).getByLabelText('Minimum price'), '10');
    await user.type(within(filter).getByLabelText('Maximum price'), '50,00');
    await user.click(within(filter).getByRole('button', { name: 'Show courses' }));

    expect(await within(filter).findByText('Paid course')).toBeInTheDocument();
    expect(within(filter).getByText('21 courses match this price filter.')).toBeInTheDocument();
    expect(within(filter).getByText('Matching “python”')).toBeInTheDocument();
    const prices = [...filter.querySelectorAll('[data-riseup-stripe="result-price"]')].map((el) => plain(el.textContent));
    expect(prices).toEqual(['€49.00 incl. tax', '$19.99 incl. tax']);
    const first = seen[0];
    expect(Object.fromEntries(first)).toEqual({
      price: 'paid', min_price: '10', max_price: '50.00', q: 'python', page: '1', page_size: '20',
    });
    expect(within(filter).getAllByRole('link', { name: 'See more' })[0]).toHaveAttribute('href', `${LMS}/courses/${PAID}/about`);

    // Two currencies in the answer: a currency choice appears
    await user.selectOptions(within(filter).getByLabelText('Currency'), 'usd');
    await user.click(within(filter).getByRole('button', { name: 'Next' }));
    expect(await within(filter).findByText('Last course')).toBeInTheDocument();
    expect(seen[seen.length - 1].get('page')).toBe('2');
    expect(within(filter).getByText('Page 2 of 2')).toBeInTheDocument();

    await user.click(within(filter).getByRole('button', { name: 'Show courses' }));
    await waitFor(() => expect(seen[seen.length - 1].get('currency')).toBe('usd'));
    expect(seen[seen.length - 1].get('page')).toBe('1');
  });

  it('refuses a price that is not a number, without asking the API', async () => {
    renderInMfe(<CatalogPage ids={[PAID]} onSearch={() => {}} />);
    const user = userEvent.setup();
    const filter = await screen.findByRole('region', { name: 'Price' });
    await user.type(within(filter).getByLabelText('Minimum price'), 'ten');
    await user.click(within(filter).getByRole('button', { name: 'Show courses' }));
    expect(await within(filter).findByText('Enter a price such as 49.90.')).toBeInTheDocument();
    expect(requestsTo(CATALOG)).toHaveLength(0);
  });
});
