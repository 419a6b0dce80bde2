/**
 * Widgets of the learner dashboard MFE. Imported by env.config.jsx in the
 * learner-dashboard build only.
 */
export { default as InvoiceLink } from './widgets/InvoiceLink';
