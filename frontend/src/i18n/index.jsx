/**
 * The widgets carry their own messages: the MFE's IntlProvider holds the MFE's
 * catalogue only, so each widget renders inside an IntlProvider for the MFE's
 * locale (getLocale()) with the widgets' messages for that locale.
 */
import React from 'react';
import PropTypes from 'prop-types';
import { IntlProvider, getLocale } from '@edx/frontend-platform/i18n';

import en from './messages/en.json';
import fr from './messages/fr.json';

export const CATALOGUES = { en, fr };

/** The MFE's locale ("fr", "fr-ca", "en"...), as frontend-platform resolved it. */
export function widgetLocale() {
  try {
    return getLocale() || 'en';
  } catch (e) {
    return (typeof navigator !== 'undefined' && navigator.language) || 'en';
  }
}

/** Messages for a locale: exact match, then its language, then English. */
export function messagesFor(locale) {
  const lower = String(locale || 'en').toLowerCase();
  return CATALOGUES[lower] || CATALOGUES[lower.split(/[-_]/)[0]] || CATALOGUES.en;
}

export function WidgetIntl({ children }) {
  const locale = widgetLocale();
  return (
    <IntlProvider locale={locale} defaultLocale="en" messages={messagesFor(locale)}>
      {children}
    </IntlProvider>
  );
}

WidgetIntl.propTypes = { children: PropTypes.node.isRequired };

/** Wrap a component in WidgetIntl (keeps its props). */
export function withWidgetIntl(Component) {
  const Wrapped = (props) => (
    <WidgetIntl><Component {...props} /></WidgetIntl>
  );
  Wrapped.displayName = `WithWidgetIntl(${Component.displayName || Component.name})`;
  return Wrapped;
}
