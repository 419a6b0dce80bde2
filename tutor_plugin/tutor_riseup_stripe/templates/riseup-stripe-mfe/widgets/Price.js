import { formatMoney } from '../lib/money';
import messages from '../i18n/messages';

/** "49,00 € TTC" / "€49.00 incl. tax", for the widgets' locale, from the API's price object. */
export function priceText(intl, price) {
  if (!price) { return ''; }
  if (typeof price.amount !== 'number' || !price.currency) { return price.formatted || ''; }
  let amount;
  try {
    amount = formatMoney(price.amount, price.currency, intl.locale);
  } catch (e) {
    return price.formatted || '';
  }
  return price.tax_included ? intl.formatMessage(messages.taxIncluded, { price: amount }) : amount;
}
