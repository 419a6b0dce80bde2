import { describe, expect, it } from 'vitest';

import {
  formatMoney, minorUnitExponent, parseMajorUnits, toMajorUnits,
} from '../src/lib/money';
import { courseIdFromCardProps, courseIdFromLocation } from '../src/lib/courseId';
import { messagesFor } from '../src/i18n';
import en from '../src/i18n/messages/en.json';
import fr from '../src/i18n/messages/fr.json';

const plain = (text) => text.replace(/[\u00a0\u202f]/g, ' ');

describe('money in minor units', () => {
  it('knows the minor unit of each currency', () => {
    expect(minorUnitExponent('EUR')).toBe(2);
    expect(minorUnitExponent('jpy')).toBe(0);
    expect(minorUnitExponent('KRW')).toBe(0);
    expect(minorUnitExponent('KWD')).toBe(3);
    expect(minorUnitExponent('TND')).toBe(3);
  });

  it('turns minor units into exact decimals', () => {
    expect(toMajorUnits(4900, 'EUR')).toBe('49.00');
    expect(toMajorUnits(5, 'EUR')).toBe('0.05');
    expect(toMajorUnits(1999, 'JPY')).toBe('1999');
    expect(toMajorUnits(12345, 'KWD')).toBe('12.345');
    expect(toMajorUnits(900719925474099, 'EUR')).toBe('9007199254740.99');
  });

  it('formats for the locale', () => {
    expect(plain(formatMoney(4900, 'EUR', 'fr'))).toBe('49,00 €');
    expect(formatMoney(4900, 'EUR', 'en')).toBe('€49.00');
    expect(plain(formatMoney(1999, 'JPY', 'fr'))).toBe('1 999 JPY');
    expect(formatMoney(1999, 'JPY', 'en')).toBe('¥1,999');
    expect(plain(formatMoney(12345, 'KWD', 'en'))).toBe('KWD 12.345');
  });

  it('reads the prices a person types', () => {
    expect(parseMajorUnits('49,90')).toBe('49.90');
    expect(parseMajorUnits(' 10 ')).toBe('10');
    expect(parseMajorUnits('ten')).toBeNull();
    expect(parseMajorUnits('-5')).toBeNull();
  });
});

describe('course ids', () => {
  it('reads the about page path of the catalog MFE', () => {
    expect(courseIdFromLocation({ pathname: '/catalog/courses/course-v1:Org+Paid+2026/about' })).toBe('course-v1:Org+Paid+2026');
    expect(courseIdFromLocation({ pathname: '/catalog/courses/course-v1%3AOrg%2BPaid%2B2026/about/' })).toBe('course-v1:Org+Paid+2026');
    expect(courseIdFromLocation({ pathname: '/catalog/courses' })).toBeNull();
  });

  it('reads the card props of every release', () => {
    expect(courseIdFromCardProps({ courseId: 'course-v1:A+B+C' })).toBe('course-v1:A+B+C');
    expect(courseIdFromCardProps({ original: { id: 'course-v1:A+B+C', data: {} } })).toBe('course-v1:A+B+C');
    expect(courseIdFromCardProps({ course: { id: 'course-v1:A+B+C' } })).toBe('course-v1:A+B+C');
    expect(courseIdFromCardProps({ isLoading: true })).toBeNull();
  });
});

describe('messages', () => {
  it('has a French text for every English one, with the same placeholders', () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
    Object.keys(en).forEach((id) => {
      const names = (text) => [...text.matchAll(/\{(\w+)[,}]/g)].map((m) => m[1]).sort();
      expect(names(fr[id]), id).toEqual(names(en[id]));
    });
  });

  it('picks the catalogue of the locale or of its language', () => {
    expect(messagesFor('fr-ca')).toBe(fr);
    expect(messagesFor('de')).toBe(en);
  });
});
