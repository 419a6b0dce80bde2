/**
 * Widgets of the catalog MFE (course about page, home and catalog cards,
 * catalog search). Imported by env.config.jsx in the catalog build only.
 */
export { default as BuyButton } from './widgets/BuyButton';
export { default as CoursePrice } from './widgets/CoursePrice';
export { default as CardPriceBadge } from './widgets/CardPriceBadge';
export { default as PriceFilter } from './widgets/PriceFilter';
