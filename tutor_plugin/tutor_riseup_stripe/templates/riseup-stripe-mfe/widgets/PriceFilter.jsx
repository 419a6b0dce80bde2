/**
 * Slot org.openedx.frontend.catalog.course_catalog_page.search_field (Wrap of
 * 'default_contents', pluginProps {setSearchInput, handleSearch,
 * initialSearchValue}): the MFE's search field is kept, and once a paid course
 * is visible on the page a price filter appears under it. Choosing free/paid,
 * a min–max range and a currency lists the matching courses from the plugin's
 * catalog API, with the words typed in the MFE's search field as `q`, in pages
 * of its own (the MFE's table below keeps its own paging).
 */
import React, {
  useEffect, useRef, useState,
} from 'react';
import PropTypes from 'prop-types';
import {
  Alert, Button, Form, Hyperlink, Spinner,
} from '@openedx/paragon';
import { useIntl } from '@edx/frontend-platform/i18n';

import { useHasPaidCourse } from '../api/storefront';
import { searchCatalog } from '../api/catalog';
import { parseMajorUnits } from '../lib/money';
import messages from '../i18n/messages';
import { withWidgetIntl } from '../i18n';
import { priceText } from './Price';

/** Pause after the last key before the typed words apply to the filter. */
export const TERM_DELAY_MS = 400;

// One filter per page, even when a release draws the search field in two slots.
let owner = null;
function useSingleInstance() {
  const me = useRef({});
  if (owner === null) { owner = me.current; }
  useEffect(() => () => { if (owner === me.current) { owner = null; } }, []);
  return owner === me.current;
}

function initialTerm(pluginProps) {
  if (pluginProps && pluginProps.initialSearchValue) { return pluginProps.initialSearchValue; }
  try {
    return new URLSearchParams(window.location.search).get('search_query') || '';
  } catch (e) {
    return '';
  }
}

/** The MFE's search field, with its typed words reported to us as well. */
function withTermCapture(component, setTerm) {
  if (!React.isValidElement(component)) { return component; }
  const { onChange, onSubmit } = component.props;
  if (typeof onChange !== 'function' && typeof onSubmit !== 'function') { return component; }
  return React.cloneElement(component, {
    onChange: (value, ...rest) => {
      setTerm(typeof value === 'string' ? value : '');
      if (onChange) { onChange(value, ...rest); }
    },
    onSubmit: (value, ...rest) => {
      setTerm(typeof value === 'string' ? value : '');
      if (onSubmit) { onSubmit(value, ...rest); }
    },
  });
}

function CourseRow({ course }) {
  const intl = useIntl();
  const name = course.title || course.display_name || course.course_id;
  const price = course.is_paid && typeof course.price === 'number'
    ? priceText(intl, { amount: course.price, currency: course.currency, tax_included: true })
    : intl.formatMessage(messages.free);
  return (
    <li className="riseup-stripe-filter-result d-flex justify-content-between align-items-center py-2 border-bottom">
      <span>
        <span className="font-weight-bold">{name}</span>
        {course.org && <span className="text-muted ml-2 small">{course.org}</span>}
      </span>
      <span>
        <span className="mr-3" data-riseup-stripe="result-price">{price}</span>
        {course.about_url && (
          <Hyperlink destination={course.about_url}>{intl.formatMessage(messages.filterSeeMore)}</Hyperlink>
        )}
      </span>
    </li>
  );
}

CourseRow.propTypes = {
  course: PropTypes.shape({
    course_id: PropTypes.string,
    title: PropTypes.string,
    display_name: PropTypes.string,
    org: PropTypes.string,
    is_paid: PropTypes.bool,
    price: PropTypes.number,
    currency: PropTypes.string,
    about_url: PropTypes.string,
  }).isRequired,
};

export function PriceFilterPanel({ term = '' }) {
  const intl = useIntl();
  const [kind, setKind] = useState('any');
  const [min, setMin] = useState('');
  const [max, setMax] = useState('');
  const [currency, setCurrency] = useState('');
  const [currencies, setCurrencies] = useState([]);
  const [applied, setApplied] = useState(null);
  const [page, setPage] = useState(1);
  const [result, setResult] = useState(null);
  const [loading, setLoading] = useState(false);
  const [failed, setFailed] = useState(false);
  const [invalid, setInvalid] = useState(false);

  useEffect(() => {
    if (!applied) { return undefined; }
    let current = true;
    setLoading(true);
    setFailed(false);
    searchCatalog({ ...applied, q: term, page })
      .then((data) => {
        if (!current) { return; }
        setResult(data);
        if (Array.isArray(data.currencies)) { setCurrencies(data.currencies); }
      })
      .catch(() => { if (current) { setFailed(true); setResult(null); } })
      .finally(() => { if (current) { setLoading(false); } });
    return () => { current = false; };
  }, [applied, page, term]);

  const onSubmit = (event) => {
    event.preventDefault();
    const minPrice = min.trim() ? parseMajorUnits(min) : '';
    const maxPrice = max.trim() ? parseMajorUnits(max) : '';
    if (minPrice === null || maxPrice === null) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setPage(1);
    setApplied({
      price: kind === 'any' ? '' : kind, minPrice, maxPrice, currency,
    });
  };

  const onClear = () => {
    setKind('any');
    setMin('');
    setMax('');
    setCurrency('');
    setApplied(null);
    setResult(null);
    setInvalid(false);
    setPage(1);
  };

  const pages = result ? Math.max(1, result.num_pages || 1) : 1;
  return (
    <section className="riseup-stripe-price-filter mb-4" aria-label={intl.formatMessage(messages.filterTitle)}>
      <Form onSubmit={onSubmit} className="d-flex flex-wrap align-items-end">
        <Form.Group controlId="riseup-stripe-price-kind" className="mr-3 mb-2">
          <Form.Label>{intl.formatMessage(messages.filterTitle)}</Form.Label>
          <Form.Control as="select" value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="any">{intl.formatMessage(messages.filterAny)}</option>
            <option value="free">{intl.formatMessage(messages.filterFree)}</option>
            <option value="paid">{intl.formatMessage(messages.filterPaid)}</option>
          </Form.Control>
        </Form.Group>
        <Form.Group controlId="riseup-stripe-price-min" className="mr-3 mb-2">
          <Form.Label>{intl.formatMessage(messages.filterMin)}</Form.Label>
          <Form.Control inputMode="decimal" value={min} onChange={(e) => setMin(e.target.value)} disabled={kind === 'free'} />
        </Form.Group>
        <Form.Group controlId="riseup-stripe-price-max" className="mr-3 mb-2">
          <Form.Label>{intl.formatMessage(messages.filterMax)}</Form.Label>
          <Form.Control inputMode="decimal" value={max} onChange={(e) => setMax(e.target.value)} disabled={kind === 'free'} />
        </Form.Group>
        {currencies.length > 1 && (
          <Form.Group controlId="riseup-stripe-price-currency" className="mr-3 mb-2">
            <Form.Label>{intl.formatMessage(messages.filterCurrency)}</Form.Label>
            <Form.Control as="select" value={currency} onChange={(e) => setCurrency(e.target.value)}>
              <option value="">{intl.formatMessage(messages.filterAnyCurrency)}</option>
              {currencies.map((code) => <option key={code} value={code}>{String(code).toUpperCase()}</option>)}
            </Form.Control>
          </Form.Group>
        )}
        <Button type="submit" variant="primary" className="mr-2 mb-2">{intl.formatMessage(messages.filterApply)}</Button>
        {applied && (
          <Button variant="tertiary" className="mb-2" onClick={onClear}>{intl.formatMessage(messages.filterClear)}</Button>
        )}
      </Form>
      {invalid && <Alert variant="warning">{intl.formatMessage(messages.filterInvalid)}</Alert>}
      {failed && <Alert variant="danger">{intl.formatMessage(messages.filterError)}</Alert>}
      {loading && <Spinner animation="border" size="sm" screenReaderText={intl.formatMessage(messages.loading)} />}
      {applied && result && !loading && (
        <div className="riseup-stripe-filter-results" data-riseup-stripe="filter-results">
          <p className="mb-2">
            {intl.formatMessage(messages.filterCount, { count: result.count || 0 })}
            {term && term.trim() && <span className="ml-2 text-muted">{intl.formatMessage(messages.filterSearchTerm, { term: term.trim() })}</span>}
          </p>
          <ul className="list-unstyled mb-2">
            {(result.results || []).map((course) => <CourseRow key={course.course_id} course={course} />)}
          </ul>
          {pages > 1 && (
            <div className="d-flex align-items-center">
              <Button variant="tertiary" size="sm" disabled={page <= 1} onClick={() => setPage(page - 1)}>
                {intl.formatMessage(messages.filterPrevious)}
              </Button>
              <span className="mx-2">{intl.formatMessage(messages.filterPage, { page, pages })}</span>
              <Button variant="tertiary" size="sm" disabled={page >= pages} onClick={() => setPage(page + 1)}>
                {intl.formatMessage(messages.filterNext)}
              </Button>
            </div>
          )}
        </div>
      )}
    </section>
  );
}

PriceFilterPanel.propTypes = { term: PropTypes.string };

export function PriceFilter({ component = null, pluginProps = {} }) {
  const single = useSingleInstance();
  const [term, setTerm] = useState(() => initialTerm(pluginProps));
  const hasPaid = useHasPaidCourse();
  // Words typed in the MFE's field reach the filter after a pause, as they reach the MFE's own search.
  const timer = useRef(null);
  useEffect(() => () => clearTimeout(timer.current), []);
  const setTermSoon = (value) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setTerm(value), TERM_DELAY_MS);
  };
  return (
    <>
      {withTermCapture(component, setTermSoon)}
      {single && hasPaid && <PriceFilterPanel term={term} />}
    </>
  );
}

PriceFilter.propTypes = { component: PropTypes.node, pluginProps: PropTypes.shape({}) };

export default withWidgetIntl(PriceFilter);
