import { describe, expect, it } from '@jest/globals';
import { normalizePaymentMethod, PAYMENT_METHODS } from '../../../src/domain/payment-method.ts';

describe('normalizePaymentMethod', () => {
  it.each([
    ['mpesa', 'mpesa'],
    ['M-Pesa', 'mpesa'],
    ['M PESA', 'mpesa'],
    ['m_pesa', 'mpesa'],
    [' MPESA ', 'mpesa'],
    ['PayStack', 'paystack'],
    ['pay-stack', 'paystack'],
    ['card', 'card'],
    ['Credit Card', 'card'],
    ['credit-card', 'card'],
    ['debit_card', 'card'],
    ['DebitCard', 'card'],
    ['Bank Transfer', 'bank_transfer'],
    ['bank_transfer', 'bank_transfer'],
    ['bank', 'bank_transfer'],
    ['EFT', 'bank_transfer'],
    ['e-f-t', 'bank_transfer'],
    ['crypto', 'other'],
    ['cash on delivery', 'other'],
    ['visa', 'other'],
    ['mpesa2', 'other'],
  ])('maps %j to %s', (raw, expected) => {
    expect(normalizePaymentMethod(raw)).toBe(expected);
  });

  it('only ever returns a value of the database enum', () => {
    for (const raw of ['', 'x', 'Bank', 'M.Pesa', '💳']) {
      expect(PAYMENT_METHODS).toContain(normalizePaymentMethod(raw));
    }
  });
});
