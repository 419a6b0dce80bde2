/**
 * Money as integer minor units, formatted for a locale with Intl.NumberFormat.
 */

// ISO 4217 currencies whose minor unit is not the cent.
const ZERO_DECIMAL = new Set([
  'BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND',
  'VUV', 'XAF', 'XOF', 'XPF',
]);
const THREE_DECIMAL = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);

/** Number of decimals of the currency's minor unit (2 for EUR, 0 for JPY, 3 for KWD). */
export function minorUnitExponent(currency) {
  const code = String(currency || '').toUpperCase();
  if (ZERO_DECIMAL.has(code)) { return 0; }
  if (THREE_DECIMAL.has(code)) { return 3; }
  return 2;
}

/** Amount in minor units -> decimal string in major units, without floating point ("4900" -> "49.00"). */
export function toMajorUnits(amount, currency) {
  const exponent = minorUnitExponent(currency);
  const negative = amount < 0;
  const digits = String(Math.abs(Math.trunc(amount))).padStart(exponent + 1, '0');
  const whole = exponent ? digits.slice(0, -exponent) : digits;
  const fraction = exponent ? `.${digits.slice(-exponent)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** "49,00 €" in fr, "€49.00" in en, from {amount: 4900, currency: "EUR"}. */
export function formatMoney(amount, currency, locale) {
  const code = String(currency).toUpperCase();
  const exponent = minorUnitExponent(code);
  const formatter = new Intl.NumberFormat(locale || 'en', {
    style: 'currency',
    currency: code,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  // Intl.NumberFormat accepts decimal strings exactly (no binary rounding).
  return formatter.format(toMajorUnits(amount, code));
}

/** Major units typed by a person ("49,90" or "49.90") -> "49.90", or null when not a number. */
export function parseMajorUnits(text) {
  const cleaned = String(text || '').trim().replace(/\s/g, '').replace(',', '.');
  if (!cleaned) { return null; }
  if (!/^\d+(\.\d{1,3})?$/.test(cleaned)) { return null; }
  return cleaned;
}
