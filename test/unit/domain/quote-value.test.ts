import { describe, expect, it } from '@jest/globals';
import { displayValue, HIDDEN_EMAIL_LIKE_VALUE, quoteValue } from '../../../src/domain/quote-value.ts';

describe('quoteValue', () => {
  it('quotes a short value as is', () => {
    expect(quoteValue('1,200.00')).toBe('"1,200.00"');
  });

  it('cuts a long value to 40 characters', () => {
    const quoted = quoteValue('x'.repeat(100));
    expect(quoted).toBe(`"${'x'.repeat(40)}…"`);
  });

  it('cuts by characters, never inside an emoji', () => {
    expect(displayValue('🛒'.repeat(41))).toBe(`${'🛒'.repeat(40)}…`);
  });

  it('hides anything that looks like an email address', () => {
    for (const value of ['jane@example.com', 'contact: jane@example.com', '@', 'jane＠example.com']) {
      expect(quoteValue(value)).toBe(HIDDEN_EMAIL_LIKE_VALUE);
      expect(quoteValue(value)).not.toMatch(/[@＠]/);
    }
  });

  it('hides an address even past the 40th character', () => {
    expect(quoteValue(`${'x'.repeat(45)} jane@example.com`)).toBe(HIDDEN_EMAIL_LIKE_VALUE);
  });

  it('escapes line breaks and quotes so a reason stays on one line', () => {
    expect(quoteValue('a\n"b"')).toBe('"a\\n\\"b\\""');
  });
});
