/**
 * Slot org.openedx.frontend.catalog.course_about_page.sidebar.details.course_price
 * (Wrap of 'default_contents', pluginProps {coursePrice}): a paid course shows
 * its price tax included in the MFE's own sidebar row; free courses keep it.
 */
import React from 'react';
import PropTypes from 'prop-types';
import { useIntl } from '@edx/frontend-platform/i18n';

import { useStorefrontCourse } from '../api/storefront';
import { courseIdFromLocation } from '../lib/courseId';
import { withWidgetIntl } from '../i18n';
import { priceText } from './Price';

export function CoursePrice({ component = null, courseId: givenCourseId = null }) {
  const intl = useIntl();
  const courseId = givenCourseId || courseIdFromLocation();
  const { state, course } = useStorefrontCourse(courseId);

  if (!courseId || state !== 'ready' || !course || !course.is_paid || !course.price) {
    return component;
  }
  const text = priceText(intl, course.price);
  // The default row is the MFE's SidebarDetailsItem: keep its look, change its value.
  if (React.isValidElement(component) && component.props && 'value' in component.props) {
    return React.cloneElement(component, { value: text, coursePrice: text });
  }
  return <div className="riseup-stripe-course-price" data-riseup-stripe="price">{text}</div>;
}

CoursePrice.propTypes = { component: PropTypes.node, courseId: PropTypes.string };

export default withWidgetIntl(CoursePrice);
