import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { ConfigError } from '../../src/errors.ts';
import { formatLogLine } from '../../src/log-format/pretty-line.ts';
import { chooseLogFormat, useColors } from '../../src/log-format/pretty-destination.ts';
import { componentLogger, createLogger, type LoggerOptions } from '../../src/logger.ts';
import type { LogLevel } from '../../src/config.ts';

const TIME = Date.UTC(2025, 10, 3, 14, 5, 9, 42);
const PLAIN = { colors: false, stacks: false };
const ESC = '\u001b[';

let savedTz: string | undefined;
beforeAll(() => {
  savedTz = process.env.TZ;
  process.env.TZ = 'UTC';
});
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

function line(fields: Record<string, unknown>): string {
  return JSON.stringify({ level: 30, time: TIME, app: 'pipeforge', component: 'worker', ...fields });
}

type CaptureTarget = Writable & { isTTY?: boolean };

function capture(level: LogLevel = 'info', options: LoggerOptions & { tty?: boolean } = {}) {
  const chunks: string[] = [];
  const destination: CaptureTarget = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  if (options.tty) destination.isTTY = true;
  const logger = createLogger(level, { component: 'cli' }, destination, { env: {}, ...options });
  return { text: () => chunks.join(''), logger };
}

describe('a JSON log line as text', () => {
  it('reads time, level, component, message and then the fields as key=value', () => {
    const text = formatLogLine(line({ msg: 'claimed file', fileId: '01a2', attempt: 1, duplicateOf: null }), PLAIN);
    expect(text).toBe('14:05:09.042 INFO  worker claimed file fileId=01a2 attempt=1 duplicateOf=null');
  });

  it('names every pino level', () => {
    const names = [10, 20, 30, 40, 50, 60].map((level) => formatLogLine(line({ level, msg: 'm' }), PLAIN).split(' ')[1]);
    expect(names).toEqual(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']);
  });

  it('quotes a value with spaces, quotes or an equals sign, and leaves plain ones bare', () => {
    const text = formatLogLine(line({ msg: 'm', reason: 'the file is empty', path: '/tmp/a.csv', eq: 'a=b', empty: '' }), PLAIN);
    expect(text).toContain('reason="the file is empty" path=/tmp/a.csv eq="a=b" empty=""');
  });

  it('flattens nested objects into dotted keys, and prints arrays as JSON', () => {
    const text = formatLogLine(line({ msg: 'm', config: { storage: { bucket: 'pipeforge', port: 9000 } }, days: ['2025-11-01', '2025-11-02'] }), PLAIN);
    expect(text).toContain('config.storage.bucket=pipeforge config.storage.port=9000 days=["2025-11-01","2025-11-02"]');
  });

  it('prints an error by its type and message, and its stack only when stacks are asked for', () => {
    const err = { type: 'InvalidFileError', message: 'a.csv: the file is empty', stack: 'InvalidFileError: a.csv\n    at readOrderLines (x.ts:1:1)', code: 'E1' };
    const short = formatLogLine(line({ level: 40, msg: 'failed', err }), PLAIN);
    expect(short).toBe('14:05:09.042 WARN  worker failed err="InvalidFileError: a.csv: the file is empty" err.code=E1');
    const long = formatLogLine(line({ level: 40, msg: 'failed', err }), { colors: false, stacks: true });
    expect(long.split('\n')).toEqual([short, '    InvalidFileError: a.csv', '        at readOrderLines (x.ts:1:1)']);
  });

  it('passes a line that is not JSON through unchanged', () => {
    expect(formatLogLine('not json at all', PLAIN)).toBe('not json at all');
  });

  it('colours only when asked to', () => {
    expect(formatLogLine(line({ msg: 'm' }), PLAIN)).not.toContain(ESC);
    expect(formatLogLine(line({ msg: 'm' }), { colors: true, stacks: false })).toContain(`${ESC}32mINFO `);
  });
});

describe('the choice of log format', () => {
  const tty = Object.assign(new Writable(), { isTTY: true });
  const pipe = new Writable();

  it('is text on a terminal and JSON elsewhere, unless LOG_FORMAT says', () => {
    expect(chooseLogFormat(undefined, tty)).toBe('pretty');
    expect(chooseLogFormat(undefined, pipe)).toBe('json');
    expect(chooseLogFormat('json', tty)).toBe('json');
    expect(chooseLogFormat('pretty', pipe)).toBe('pretty');
  });

  it('colours a terminal unless NO_COLOR is set, and never a pipe', () => {
    expect(useColors(tty, {})).toBe(true);
    expect(useColors(tty, { NO_COLOR: '1' })).toBe(false);
    expect(useColors(pipe, {})).toBe(false);
  });

  it('is read by createLogger from the destination and LOG_FORMAT', () => {
    const onTerminal = capture('info', { tty: true, env: { NO_COLOR: '1' } });
    onTerminal.logger.info({ fileId: 'f1' }, 'claimed file');
    expect(onTerminal.text()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  cli claimed file fileId=f1\n$/);

    const forcedJson = capture('info', { tty: true, env: { LOG_FORMAT: 'json' } });
    forcedJson.logger.info('hello');
    expect(JSON.parse(forcedJson.text())).toMatchObject({ level: 30, component: 'cli', msg: 'hello' });

    const forcedPretty = capture('info', { env: { LOG_FORMAT: 'pretty' } });
    forcedPretty.logger.info('hello');
    expect(forcedPretty.text()).toMatch(/ INFO  cli hello\n$/);
    expect(forcedPretty.text()).not.toContain(ESC);
  });

  it('refuses an unknown LOG_FORMAT', () => {
    expect(() => capture('info', { env: { LOG_FORMAT: 'xml' } })).toThrow(ConfigError);
  });
});

describe('text lines', () => {
  it('still censor secret fields and mask emails and URL passwords', () => {
    const { text, logger } = capture('info', { format: 'pretty' });
    logger.warn(
      {
        secretKey: 'minio-secret-value',
        config: { storage: { accessKey: 'minio-access-value' } },
        row: { customer_email: 'amina@example.com' },
        detail: 'connect failed: postgres://pipeforge:s3cr3t-pw@127.0.0.1:5433/db',
        databaseUrl: 'postgres://pipeforge:other-pw@127.0.0.1:5433/pipeforge',
      },
      'rejected a line of kofi@example.com',
    );
    logger.error({ err: new Error('no such customer: zawadi@example.org') }, 'lookup failed');
    const output = text();
    for (const leaked of ['minio-secret-value', 'minio-access-value', 'amina@example.com', 'kofi@example.com', 'zawadi@example.org', 's3cr3t-pw', 'other-pw']) {
      expect(output).not.toContain(leaked);
    }
    expect(output).toContain('secretKey=[redacted] config.storage.accessKey=[redacted] row.customer_email=[redacted]');
    expect(output).toContain('rejected a line of [email]');
    expect(output).toContain('databaseUrl=postgres://pipeforge:***@127.0.0.1:5433/pipeforge');
  });

  it('show stacks only when the level is debug or trace', () => {
    const info = capture('info', { format: 'pretty' });
    info.logger.error({ err: new Error('disk full') }, 'write failed');
    expect(info.text()).toContain('err="Error: disk full"');
    expect(info.text()).not.toContain('    at ');
    const debug = capture('debug', { format: 'pretty' });
    debug.logger.error({ err: new Error('disk full') }, 'write failed');
    expect(debug.text()).toMatch(/\n {4}Error: disk full\n {8}at /);
  });
});

describe('a component logger', () => {
  it('writes to the same destination under its own component, once per line', () => {
    const { text, logger } = capture('info', { format: 'json' });
    componentLogger(logger, 'worker').info('started');
    logger.info('command');
    const [workerLine, cliLine] = text().trim().split('\n');
    expect(workerLine?.match(/"component"/g)).toHaveLength(1);
    expect(JSON.parse(workerLine ?? '')).toMatchObject({ app: 'pipeforge', component: 'worker', msg: 'started' });
    expect(JSON.parse(cliLine ?? '')).toMatchObject({ component: 'cli', msg: 'command' });
  });

  it('keeps the level of the logger it comes from', () => {
    const { text, logger } = capture('warn', { format: 'json' });
    const worker = componentLogger(logger, 'worker');
    worker.info('hidden');
    worker.warn('shown');
    expect(text()).not.toContain('hidden');
    expect(text()).toContain('shown');
  });
});

describe('an error with causes', () => {
  it('is logged with a cause that repeats its message once, and a cause that adds to it appended', () => {
    const { text, logger } = capture('info', { format: 'json' });
    const same = new Error('a.csv: the file is empty', { cause: new Error('a.csv: the file is empty') });
    logger.warn({ err: same }, 'failed');
    const different = new Error('could not load a.csv', { cause: new Error('connection reset') });
    logger.warn({ err: different }, 'failed');
    const [first, second] = text().trim().split('\n').map((entry) => JSON.parse(entry) as { err: { message: string; stack: string } });
    expect(first?.err.message).toBe('a.csv: the file is empty');
    expect(first?.err.stack).toContain('caused by: Error: a.csv: the file is empty');
    expect(second?.err.message).toBe('could not load a.csv: connection reset');
  });
});
