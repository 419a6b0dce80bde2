/**
 * Slot org.openedx.frontend.catalog.course_about_page.enrollment_button
 * (PLUGIN_OPERATIONS.Wrap of 'default_contents'): a paid course gets a Buy
 * button; free courses, courses the plugin does not know, and the states the
 * MFE draws itself keep the MFE's own Enroll button (`component`).
 */
import React, { useRef, useState } from 'react';
import PropTypes from 'prop-types';
import {
  Alert, Button, Hyperlink, Spinner,
} from '@openedx/paragon';
import { useIntl } from '@edx/frontend-platform/i18n';

import { useStorefrontCourse } from '../api/storefront';
import { startPurchase } from '../api/purchase';
import { courseIdFromLocation } from '../lib/courseId';
import { signInUrl } from '../lib/urls';
import messages from '../i18n/messages';
import { withWidgetIntl } from '../i18n';
import { priceText } from './Price';
import { reasonText } from './reasons';

/** Reasons the MFE already shows in its own way: keep its contents. */
const MFE_DRAWN_REASONS = new Set(['already_enrolled', 'enrollment_closed']);

function BuyAction({ course, meta }) {
  const intl = useIntl();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const started = useRef(false);

  const onClick = async () => {
    if (started.current) { return; }
    started.current = true;
    setBusy(true);
    setError(null);
    const result = await startPurchase({
      courseId: course.course_id,
      purchaseEndpoint: meta.purchaseEndpoint,
      signIn: meta.signInUrl,
    });
    if (!result.ok) {
      started.current = false;
      setBusy(false);
      setError(result.message || intl.formatMessage(messages.buyFailed));
    }
  };

  return (
    <div className="riseup-stripe-buy">
      <Button variant="brand" size="lg" onClick={onClick} disabled={busy} data-riseup-stripe="buy">
        {busy
          ? intl.formatMessage(messages.buyBusy)
          : intl.formatMessage(messages.buy, { price: priceText(intl, course.price) })}
      </Button>
      {error && <Alert variant="danger" className="mt-3" role="alert">{error}</Alert>}
    </div>
  );
}

BuyAction.propTypes = {
  course: PropTypes.shape({ course_id: PropTypes.string, price: PropTypes.shape({}) }).isRequired,
  meta: PropTypes.shape({ purchaseEndpoint: PropTypes.string, signInUrl: PropTypes.string }).isRequired,
};

export function BuyButton({ component = null, courseId: givenCourseId = null }) {
  const intl = useIntl();
  const courseId = givenCourseId || courseIdFromLocation();
  const { state, course, meta } = useStorefrontCourse(courseId);

  if (!courseId) { return component; }
  if (state === 'loading') {
    return <Spinner animation="border" size="sm" screenReaderText={intl.formatMessage(messages.loading)} />;
  }
  if (!course || !course.is_paid) { return component; }

  if (course.status === 'available' && course.purchasable && meta?.purchaseEndpoint) {
    return <BuyAction course={course} meta={meta} />;
  }
  if (course.status === 'bought') {
    return (
      <div className="riseup-stripe-bought">
        <p className="mb-2">{reasonText(intl, course)}</p>
        {course.course_url && (
          <Button as="a" href={course.course_url} variant="brand" size="lg">
            {intl.formatMessage(messages.viewCourse)}
          </Button>
        )}
      </div>
    );
  }
  if (course.status === 'pending') {
    return (
      <p className="riseup-stripe-pending font-weight-bold" role="status">
        {intl.formatMessage(messages.pending)}
      </p>
    );
  }
  if (MFE_DRAWN_REASONS.has(course.reason)) { return component; }

  const signedOut = course.status === 'sign_in_required' || course.reason === 'signed_out';
  return (
    <div className="riseup-stripe-unavailable">
      <p className="mb-2">
        {priceText(intl, course.price)}
      </p>
      <p className="mb-2" data-riseup-stripe="reason">{reasonText(intl, course)}</p>
      {signedOut && (
        <Hyperlink destination={signInUrl(meta?.signInUrl)} className="btn btn-outline-brand">
          {intl.formatMessage(messages.signIn)}
        </Hyperlink>
      )}
    </div>
  );
}

BuyButton.propTypes = {
  /** The slot's default contents (the MFE's Enroll button), given by PLUGIN_OPERATIONS.Wrap. */
  component: PropTypes.node,
  /** For pages whose URL does not carry the course id. */
  courseId: PropTypes.string,
};


export default withWidgetIntl(BuyButton);
