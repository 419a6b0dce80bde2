/** Answers of the storefront API, as documented (docs/decisions/0004-mfe-integration.rst). */
export const LMS = 'http://lms.test';

export const PAID = 'course-v1:Org+Paid+2026';
export const BOUGHT = 'course-v1:Org+Bought+2026';
export const FREE = 'course-v1:Org+Free+2026';
export const PENDING = 'course-v1:Org+Pending+2026';
export const SCOPED = 'course-v1:Org+Partners+2026';
export const UNKNOWN = 'course-v1:Org+Unknown+2026';

const price = {
  amount: 4900, currency: 'EUR', formatted: '49,00 € TTC', tax_included: true,
};

const base = {
  is_paid: true, price, purchasable: false, reason: null, message: null, course_url: null, invoice: null,
};

export const COURSES = {
  [PAID]: {
    ...base, course_id: PAID, status: 'available', purchasable: true,
  },
  [BOUGHT]: {
    ...base,
    course_id: BOUGHT,
    status: 'bought',
    reason: 'bought',
    message: 'You bought this course.',
    course_url: `${LMS}/courses/${BOUGHT}/courseware`,
    invoice: {
      number: 'RS-0001', url: `${LMS}/riseup-stripe/invoices/#RS-0001`, pdf_url: 'https://pay.example/invoice.pdf', hosted_url: 'https://pay.example/i',
    },
  },
  [FREE]: {
    ...base, course_id: FREE, is_paid: false, price: null, status: 'free',
  },
  [PENDING]: {
    ...base, course_id: PENDING, status: 'pending', reason: 'pending', message: 'Your payment is being processed.',
  },
  [SCOPED]: {
    ...base, course_id: SCOPED, status: 'unavailable', reason: 'out_of_scope', message: 'This course is not offered to you.',
  },
};

/** The storefront answer for the asked ids, as the LMS builds it. */
export function storefrontAnswer(ids, { signedIn = true, paymentEnabled = true, override = {} } = {}) {
  const courses = {};
  ids.forEach((id) => {
    let course = override[id] || COURSES[id];
    if (!course) { return; }
    if (course.is_paid && !paymentEnabled && course.status === 'available') {
      course = {
        ...course, status: 'unavailable', purchasable: false, reason: 'payment_off', message: 'Payment is off.',
      };
    }
    if (course.is_paid && !signedIn && course.status === 'available') {
      course = {
        ...course, status: 'sign_in_required', purchasable: false, reason: 'signed_out', message: 'Sign in to buy.',
      };
    }
    courses[id] = course;
  });
  return {
    payment_enabled: paymentEnabled,
    signed_in: signedIn,
    purchase_endpoint: `${LMS}/riseup-stripe/api/v1/purchases/`,
    sign_in_url: `${LMS}/login`,
    invoices_url: `${LMS}/riseup-stripe/invoices/`,
    courses,
  };
}

export const CATALOG_RESULT = (overrides = {}) => ({
  course_id: PAID,
  title: 'Paid course',
  org: 'Org',
  image_url: '/asset-v1:Org+Paid+2026+type@asset+block@images_course_image.jpg',
  about_url: `${LMS}/courses/${PAID}/about`,
  start: '2026-01-01T00:00:00Z',
  is_paid: true,
  price: 4900,
  currency: 'eur',
  price_display: '49,00 €',
  purchasable: true,
  purchase_url: `${LMS}/riseup-stripe/buy/${PAID}/`,
  enrolled: false,
  bought: false,
  ...overrides,
});
