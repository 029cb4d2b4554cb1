import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { createEmailHasher, isValidEmail, normalizeEmail } from '../../../src/domain/email.ts';

const KEY = 'a-test-key-of-32-characters-long';

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Jane.Doe@Example.COM \t')).toBe('jane.doe@example.com');
  });
});

describe('isValidEmail', () => {
  it.each([
    'a@b.co',
    'jane.doe@example.com',
    'first.last+tag@sub.example.co.ke',
    "o'neil@example.com",
    'under_score-dash@my-shop.africa',
    'ünïcode@exämple.com',
    `${'l'.repeat(64)}@example.com`,
    `${'l'.repeat(64)}@${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(57)}.com`,
  ])('accepts %s', (email) => {
    expect(isValidEmail(email)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['no @', 'plainaddress'],
    ['no local part', '@example.com'],
    ['no domain', 'jane@'],
    ['a domain without a dot', 'jane@localhost'],
    ['two @', 'jane@doe@example.com'],
    ['doubled @', 'jane@@example.com'],
    ['a space in the local part', 'jane doe@example.com'],
    ['a space in the domain', 'jane@exa mple.com'],
    ['a leading dot', '.jane@example.com'],
    ['a trailing dot in the local part', 'jane.@example.com'],
    ['consecutive dots', 'jane..doe@example.com'],
    ['an empty domain label', 'jane@example..com'],
    ['a label starting with a hyphen', 'jane@-example.com'],
    ['a label ending with a hyphen', 'jane@example-.com'],
    ['an IP address', 'jane@192.168.0.1'],
    ['a quoted local part', '"jane doe"@example.com'],
    ['a local part of 65 characters', `${'l'.repeat(65)}@example.com`],
    ['a label of 64 characters', `jane@${'d'.repeat(64)}.com`],
    ['255 characters', `${'l'.repeat(64)}@${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(58)}.com`],
    ['a phone number', '+254712345678'],
  ])('refuses %s', (_label, email) => {
    expect(isValidEmail(email)).toBe(false);
  });
});

describe('createEmailHasher', () => {
  it('is a hex HMAC-SHA-256 of the address under the key', () => {
    const hash = createEmailHasher(KEY);
    const expected = createHmac('sha256', KEY).update('jane@example.com').digest('hex');
    expect(hash('jane@example.com')).toBe(expected);
    expect(hash('jane@example.com')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same hash for the same address, also from a cache hit', () => {
    const hash = createEmailHasher(KEY);
    const first = hash('jane@example.com');
    expect(hash('jane@example.com')).toBe(first);
    expect(createEmailHasher(KEY)('jane@example.com')).toBe(first);
  });

  it('gives different hashes for different addresses and different keys', () => {
    const hash = createEmailHasher(KEY);
    expect(hash('jane@example.com')).not.toBe(hash('john@example.com'));
    expect(createEmailHasher(`${KEY}!`)('jane@example.com')).not.toBe(hash('jane@example.com'));
  });

  it('hashes equal once normalized, whatever the spelling in the file', () => {
    const hash = createEmailHasher(KEY);
    expect(hash(normalizeEmail(' A@B.com '))).toBe(hash('a@b.com'));
  });

  it('stays correct after its cache fills up and is dropped', () => {
    const hash = createEmailHasher(KEY);
    const first = hash('customer0@example.com');
    for (let index = 1; index <= 200_001; index += 1) hash(`customer${index}@example.com`);
    expect(hash('customer0@example.com')).toBe(first);
    expect(hash('customer200001@example.com')).toBe(
      createHmac('sha256', KEY).update('customer200001@example.com').digest('hex'),
    );
  });

  it('refuses an empty key', () => {
    expect(() => createEmailHasher('')).toThrow(/key/);
  });
});
