import { describe, expect, it } from '@jest/globals';
import { UsageError } from '../../src/errors.ts';
import { commandHelp } from '../../src/client/command-line/help.ts';
import { parseCommandLine, wantsHelp } from '../../src/client/command-line/parse.ts';
import { defineCommand } from '../../src/client/command-line/spec.ts';
import { closestMatch, editDistance } from '../../src/client/command-line/suggest.ts';

const SPEC = defineCommand({
  summary: 'a test command',
  positionals: [
    { name: 'fileId', description: 'the file' },
    { name: 'more', variadic: true, optional: true, description: 'more files' },
  ],
  options: {
    wait: { type: 'boolean', description: 'wait' },
    limit: { type: 'integer', value: 'N', min: 1, default: 20, description: 'how many' },
    every: { type: 'number', value: 'S', min: 0, description: 'seconds' },
    by: { type: 'string', value: 'GROUP', choices: ['day', 'category'], default: 'day', description: 'grouping' },
  },
  examples: ['pipeforge test 1'],
});

const usageError = (args: string[]) => {
  try {
    parseCommandLine(SPEC, args);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`accepted ${args.join(' ')}`);
};

describe('the command-line parser', () => {
  it('converts values, applies defaults and names the arguments', () => {
    expect(parseCommandLine(SPEC, ['f1', '--limit', '5', 'f2', '--every=0.5', 'f3', '--wait'])).toEqual({
      values: { wait: true, limit: 5, every: 0.5, by: 'day', help: false, debug: false },
      args: { fileId: 'f1', more: ['f2', 'f3'] },
    });
    const defaults = parseCommandLine(SPEC, ['f1']);
    expect(defaults.values).toMatchObject({ wait: false, limit: 20, by: 'day' });
    expect(defaults.values.every).toBeUndefined();
    expect(defaults.args).toEqual({ fileId: 'f1', more: [] });
  });

  it('names each mistake, with a suggestion when one is close', () => {
    expect(usageError(['f1', '--wiat'])).toBe('unknown option --wiat; did you mean --wait?');
    expect(usageError(['f1', '--zzz'])).toBe('unknown option --zzz');
    expect(usageError(['f1', '--limit', 'abc'])).toBe('--limit must be a positive whole number, not "abc"');
    expect(usageError(['f1', '--limit', '1.5'])).toBe('--limit must be a positive whole number, not "1.5"');
    expect(usageError(['f1', '--limit'])).toBe('--limit needs a value: --limit N');
    expect(usageError(['f1', '--limit', '--wait'])).toBe('--limit needs a value: --limit N');
    expect(usageError(['f1', '--every', '-1'])).toBe('--every needs a value: --every S');
    expect(usageError(['f1', '--every=-1'])).toBe('--every must be a number of at least 0, not "-1"');
    expect(usageError(['f1', '--wait=yes'])).toBe('--wait takes no value (--wait=yes)');
    expect(usageError(['f1', '--by', 'dya'])).toBe('--by must be one of day, category, not "dya"; did you mean day?');
    expect(usageError([])).toBe('missing FILE_ID');
  });

  it('sees a help request anywhere before `--`', () => {
    expect(wantsHelp(SPEC, ['f1', '--wiat', '-h'])).toBe(true);
    expect(wantsHelp(SPEC, ['f1', '--', '--help'])).toBe(false);
  });

  it('prints the help from the same spec', () => {
    const help = commandHelp('test', SPEC);
    expect(help).toContain('Usage: pipeforge test FILE_ID [MORE...] [options]');
    expect(help).toMatch(/--limit N\s+how many \(default: 20\)/);
    expect(help).toMatch(/--by GROUP\s+grouping \(one of day, category; default: day\)/);
    expect(help).toContain('Example:\n  pipeforge test 1');
  });
});

describe('suggestions', () => {
  it('count a swap of two letters as one edit', () => {
    expect(editDistance('wiat', 'wait')).toBe(1);
    expect(editDistance('ingset', 'ingest')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggest only what is close', () => {
    expect(closestMatch('ingset', ['ingest', 'status', 'files'])).toBe('ingest');
    expect(closestMatch('stat', ['ingest', 'status', 'files'])).toBe('status');
    expect(closestMatch('xyz', ['ingest', 'status', 'files'])).toBeUndefined();
  });
});
