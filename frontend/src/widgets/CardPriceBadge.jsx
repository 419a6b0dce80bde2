/**
 * Slots org.openedx.frontend.catalog.home_page.course_card and
 * org.openedx.frontend.catalog.course_catalog_page.data_table.course_card
 * (Wrap of 'default_contents', or of a theme's card widget): the card is kept
 * and a badge says the price, "Purchased" or "Not offered to you". All cards of
 * a page share one storefront request.
 */
import React from 'react';
import PropTypes from 'prop-types';
import { Badge } from '@openedx/paragon';
import { useIntl } from '@edx/frontend-platform/i18n';

import { useStorefrontCourse } from '../api/storefront';
import { courseIdFromCardProps } from '../lib/courseId';
import messages from '../i18n/messages';
import { withWidgetIntl } from '../i18n';
import { priceText } from './Price';

function badgeFor(intl, course) {
  if (!course || !course.is_paid) { return null; }
  if (course.status === 'bought') {
    return { variant: 'success', text: intl.formatMessage(messages.purchased) };
  }
  if (course.reason === 'out_of_scope') {
    return { variant: 'light', text: intl.formatMessage(messages.notOffered) };
  }
  return { variant: 'info', text: priceText(intl, course.price) };
}

export function CardPriceBadge({ component = null, pluginProps = {} }) {
  const intl = useIntl();
  const courseId = courseIdFromCardProps(component?.props) || courseIdFromCardProps(pluginProps);
  const { course } = useStorefrontCourse(courseId);
  const badge = badgeFor(intl, course);
  if (!badge) { return component; }
  return (
    <div className="riseup-stripe-card position-relative h-100">
      {component}
      <Badge
        variant={badge.variant}
        className="riseup-stripe-card-badge position-absolute"
        style={{ top: '0.75rem', right: '0.75rem', zIndex: 1 }}
        data-riseup-stripe="badge"
      >
        {badge.text}
      </Badge>
    </div>
  );
}

CardPriceBadge.propTypes = {
  component: PropTypes.node,
  pluginProps: PropTypes.shape({}),
};

export default withWidgetIntl(CardPriceBadge);
