import messages from '../i18n/messages';

/** Reason codes of the storefront API -> the widgets' own words. */
export const REASON_MESSAGES = {
  bought: messages.reasonBought,
  pending: messages.reasonPending,
  payment_off: messages.reasonPaymentOff,
  not_on_sale: messages.reasonNotOnSale,
  out_of_scope: messages.reasonOutOfScope,
  invitation_only: messages.reasonInvitationOnly,
  enrollment_closed: messages.reasonEnrollmentClosed,
  not_open_yet: messages.reasonNotOpenYet,
  already_enrolled: messages.reasonAlreadyEnrolled,
  signed_out: messages.reasonSignedOut,
  flagged: messages.reasonFlagged,
};

/** The sentence for a course's reason: ours when we know the code, else the LMS's message. */
export function reasonText(intl, course) {
  const known = REASON_MESSAGES[course.reason];
  if (known) { return intl.formatMessage(known); }
  return course.message || intl.formatMessage(messages.reasonUnknown);
}
