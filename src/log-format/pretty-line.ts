/**
 * One pino JSON line as a line a person reads on a terminal:
 * `HH:MM:SS.mmm LEVEL component message key=value …`. The fields are those pino wrote, after
 * redaction and masking, so the text shows nothing the JSON would not.
 */

export type PrettyOptions = {
  /** ANSI colours, for a terminal only. */
  colors: boolean;
  /** Error stacks, which help a developer (LOG_LEVEL=debug) and bury a user's screen. */
  stacks: boolean;
};

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLORS: Record<number, string> = { 10: '90', 20: '34', 30: '32', 40: '33', 50: '31', 60: '35' };

/** Written by pino on every line or said by the line's head already. */
const HEAD_KEYS = new Set(['level', 'time', 'msg', 'component', 'app', 'pid', 'hostname']);
/** Nested objects deeper than this print as JSON: a line stays one line. */
const MAX_FLATTEN_DEPTH = 3;

type Paint = (code: string, text: string) => string;

function painter(colors: boolean): Paint {
  return colors ? (code, text) => `\u001b[${code}m${text}\u001b[39m` : (_code, text) => text;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Local wall-clock time: the terminal's reader compares it with their own clock. */
export function clockTime(epochMs: number): string {
  const date = new Date(epochMs);
  return `${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}.${pad(date.getMilliseconds(), 3)}`;
}

function levelName(level: unknown): { name: string; color: string } {
  if (typeof level === 'number') return { name: LEVEL_NAMES[level] ?? `L${level}`, color: LEVEL_COLORS[level] ?? '39' };
  return { name: String(level).toUpperCase(), color: '39' };
}

/** Bare when it reads unambiguously, quoted (JSON string rules) when it has spaces, quotes or `=`. */
function scalar(value: unknown): string {
  if (typeof value === 'string') return value !== '' && !/[\s"=\\]/u.test(value) ? value : JSON.stringify(value);
  if (value === undefined) return 'undefined';
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What pino's error serializer writes: a type, a message and a stack. */
function isSerializedError(value: unknown): value is Record<string, unknown> & { message: string } {
  return isPlainObject(value) && typeof value.message === 'string' && typeof value.stack === 'string';
}

type Rendered = { pairs: string[]; stacks: string[] };

function render(key: string, value: unknown, depth: number, options: PrettyOptions, paint: Paint, out: Rendered): void {
  if (isSerializedError(value)) {
    const type = typeof value.type === 'string' ? value.type : 'Error';
    out.pairs.push(`${paint('2', `${key}=`)}${scalar(`${type}: ${value.message}`)}`);
    for (const [field, item] of Object.entries(value)) {
      if (['type', 'message', 'stack', 'name'].includes(field)) continue;
      render(`${key}.${field}`, item, depth + 1, options, paint, out);
    }
    if (options.stacks) out.stacks.push(String(value.stack));
    return;
  }
  if (isPlainObject(value) && depth < MAX_FLATTEN_DEPTH && Object.keys(value).length > 0) {
    for (const [field, item] of Object.entries(value)) render(`${key}.${field}`, item, depth + 1, options, paint, out);
    return;
  }
  out.pairs.push(`${paint('2', `${key}=`)}${scalar(value)}`);
}

/** The text line for one JSON line, without its newline; a line that is not JSON comes back as it was. */
export function formatLogLine(line: string, options: PrettyOptions): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (!isPlainObject(entry)) return line;
  const paint = painter(options.colors);
  const level = levelName(entry.level);
  const head = [
    typeof entry.time === 'number' ? paint('2', clockTime(entry.time)) : undefined,
    paint(level.color, level.name.padEnd(5)),
    typeof entry.component === 'string' ? paint('36', entry.component) : undefined,
    typeof entry.msg === 'string' ? entry.msg : undefined,
  ].filter((part) => part !== undefined);
  const rendered: Rendered = { pairs: [], stacks: [] };
  for (const [key, value] of Object.entries(entry)) {
    if (!HEAD_KEYS.has(key)) render(key, value, 0, options, paint, rendered);
  }
  const text = [...head, ...rendered.pairs].join(' ');
  const stacks = rendered.stacks.map((stack) => stack.replace(/^/gmu, '    '));
  return [text, ...stacks].join('\n');
}
