import { defineMessages } from '@edx/frontend-platform/i18n';

/**
 * Every text the widgets show. English is the default message; the translations
 * are in ./messages/<locale>.json under the same ids.
 */
const messages = defineMessages({
  buy: { id: 'riseup.stripe.buy', defaultMessage: 'Buy – {price}', description: 'Buy button of a paid course, with its price' },
  buyBusy: { id: 'riseup.stripe.buy.busy', defaultMessage: 'Opening the payment page…', description: 'Buy button while the purchase starts' },
  buyFailed: { id: 'riseup.stripe.buy.failed', defaultMessage: 'The purchase could not be started. Please try again later.', description: 'Shown when the purchase request fails without a message' },
  viewCourse: { id: 'riseup.stripe.viewCourse', defaultMessage: 'View course', description: 'Link to a course the learner bought' },
  pending: { id: 'riseup.stripe.pending', defaultMessage: 'Payment being processed', description: 'A payment was made and is not confirmed yet' },
  signIn: { id: 'riseup.stripe.signIn', defaultMessage: 'Sign in', description: 'Link to the sign-in page' },
  loading: { id: 'riseup.stripe.loading', defaultMessage: 'Loading the price…', description: 'Screen-reader text while the price loads' },
  taxIncluded: { id: 'riseup.stripe.price.taxIncluded', defaultMessage: '{price} incl. tax', description: 'A price, tax included' },
  free: { id: 'riseup.stripe.price.free', defaultMessage: 'Free', description: 'Price of a free course' },
  purchased: { id: 'riseup.stripe.badge.purchased', defaultMessage: 'Purchased', description: 'Card badge of a course the learner bought' },
  notOffered: { id: 'riseup.stripe.badge.notOffered', defaultMessage: 'Not offered to you', description: 'Card badge of a paid course outside the learner audience' },
  invoice: { id: 'riseup.stripe.invoice', defaultMessage: 'Invoice {number}', description: 'Link to the invoice of a bought course' },
  invoiceNoNumber: { id: 'riseup.stripe.invoice.noNumber', defaultMessage: 'Invoice', description: 'Link to the invoice of a bought course, before it has a number' },
  // Why a paid course cannot be bought (reason codes of the storefront API)
  reasonBought: { id: 'riseup.stripe.reason.bought', defaultMessage: 'You bought this course.', description: 'Reason: already bought' },
  reasonPending: { id: 'riseup.stripe.reason.pending', defaultMessage: 'Your payment is being processed.', description: 'Reason: payment pending' },
  reasonPaymentOff: { id: 'riseup.stripe.reason.paymentOff', defaultMessage: 'Online payment is not available at the moment.', description: 'Reason: payments are turned off' },
  reasonNotOnSale: { id: 'riseup.stripe.reason.notOnSale', defaultMessage: 'This course is not on sale.', description: 'Reason: the course is not on sale' },
  reasonOutOfScope: { id: 'riseup.stripe.reason.outOfScope', defaultMessage: 'This course is not offered to you.', description: 'Reason: learner outside the audience' },
  reasonInvitationOnly: { id: 'riseup.stripe.reason.invitationOnly', defaultMessage: 'This course is by invitation only.', description: 'Reason: invitation-only course' },
  reasonEnrollmentClosed: { id: 'riseup.stripe.reason.enrollmentClosed', defaultMessage: 'Enrollment in this course is closed.', description: 'Reason: enrollment closed' },
  reasonNotOpenYet: { id: 'riseup.stripe.reason.notOpenYet', defaultMessage: 'Enrollment in this course is not open yet.', description: 'Reason: enrollment not open yet' },
  reasonAlreadyEnrolled: { id: 'riseup.stripe.reason.alreadyEnrolled', defaultMessage: 'You are already enrolled in this course.', description: 'Reason: already enrolled' },
  reasonSignedOut: { id: 'riseup.stripe.reason.signedOut', defaultMessage: 'Sign in to buy this course.', description: 'Reason: visitor not signed in' },
  reasonFlagged: { id: 'riseup.stripe.reason.flagged', defaultMessage: 'A previous payment for this course needs review. Please contact support.', description: 'Reason: a flagged order' },
  reasonUnknown: { id: 'riseup.stripe.reason.unknown', defaultMessage: 'This course cannot be bought at the moment.', description: 'Reason: any other' },
  // Price filter of the catalog page
  filterTitle: { id: 'riseup.stripe.filter.title', defaultMessage: 'Price', description: 'Title of the price filter' },
  filterAny: { id: 'riseup.stripe.filter.any', defaultMessage: 'All courses', description: 'Price filter: no filter' },
  filterFree: { id: 'riseup.stripe.filter.free', defaultMessage: 'Free', description: 'Price filter: free courses' },
  filterPaid: { id: 'riseup.stripe.filter.paid', defaultMessage: 'Paid', description: 'Price filter: paid courses' },
  filterMin: { id: 'riseup.stripe.filter.min', defaultMessage: 'Minimum price', description: 'Price filter: lowest price' },
  filterMax: { id: 'riseup.stripe.filter.max', defaultMessage: 'Maximum price', description: 'Price filter: highest price' },
  filterCurrency: { id: 'riseup.stripe.filter.currency', defaultMessage: 'Currency', description: 'Price filter: currency' },
  filterAnyCurrency: { id: 'riseup.stripe.filter.anyCurrency', defaultMessage: 'Any currency', description: 'Price filter: all currencies' },
  filterApply: { id: 'riseup.stripe.filter.apply', defaultMessage: 'Show courses', description: 'Price filter: apply' },
  filterClear: { id: 'riseup.stripe.filter.clear', defaultMessage: 'Clear', description: 'Price filter: clear' },
  filterInvalid: { id: 'riseup.stripe.filter.invalid', defaultMessage: 'Enter a price such as 49.90.', description: 'Price filter: a price that is not a number' },
  filterSearchTerm: { id: 'riseup.stripe.filter.searchTerm', defaultMessage: 'Matching “{term}”', description: 'Price filter: the search words applied' },
  filterCount: { id: 'riseup.stripe.filter.count', defaultMessage: '{count, plural, =0 {No course matches} one {# course matches} other {# courses match}} this price filter.', description: 'Price filter: number of results' },
  filterError: { id: 'riseup.stripe.filter.error', defaultMessage: 'The courses could not be loaded. Please try again later.', description: 'Price filter: request failed' },
  filterSeeMore: { id: 'riseup.stripe.filter.seeMore', defaultMessage: 'See more', description: 'Price filter: link to the course page' },
  filterPrevious: { id: 'riseup.stripe.filter.previous', defaultMessage: 'Previous', description: 'Price filter: previous page' },
  filterNext: { id: 'riseup.stripe.filter.next', defaultMessage: 'Next', description: 'Price filter: next page' },
  filterPage: { id: 'riseup.stripe.filter.page', defaultMessage: 'Page {page} of {pages}', description: 'Price filter: page position' },
});

export default messages;
