import { describe, expect, it } from '@jest/globals';
import { loadPipelineConfig } from '../../src/config.ts';

describe('config', () => {
  it('rejects a short key', () => {
    expect(() => loadPipelineConfig({ PIPEFORGE_EMAIL_HASH_KEY: 'short' })).toThrow(/PIPEFORGE_EMAIL_HASH_KEY/);
  });
});
