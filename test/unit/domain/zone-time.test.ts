import { describe, expect, it } from '@jest/globals';
import { isKnownTimeZone } from '../../../src/domain/zone-time.ts';

describe('isKnownTimeZone', () => {
  it.each(['UTC', 'Africa/Nairobi', 'America/Los_Angeles', 'Etc/GMT+3'])('knows %s', (zone) => {
    expect(isKnownTimeZone(zone)).toBe(true);
  });

  it.each(['', 'Mars/Olympus', 'Africa/Atlantis', 'not a zone'])('does not know %j', (zone) => {
    expect(isKnownTimeZone(zone)).toBe(false);
  });
});
