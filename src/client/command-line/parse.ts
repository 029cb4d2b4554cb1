import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { UsageError } from '../../errors.ts';
import { COMMON_OPTIONS, positionalLabel, type CommandSpec, type OptionSpec, type ParsedCommandLine } from './spec.ts';
import { didYouMean } from './suggest.ts';

type Token = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number];

function allOptions(spec: CommandSpec): Record<string, OptionSpec> {
  return { ...spec.options, ...COMMON_OPTIONS };
}

/**
 * Node's parser in its lenient mode only splits the words; every rule is checked here, so that
 * each mistake gets its own message (naming the option, with a suggestion) instead of Node's.
 */
function tokenize(spec: CommandSpec, args: readonly string[]): Token[] {
  const config: ParseArgsOptionsConfig = {};
  for (const [name, option] of Object.entries(allOptions(spec))) {
    config[name] = { type: option.type === 'boolean' ? 'boolean' : 'string', ...(option.short ? { short: option.short } : {}) };
  }
  return parseArgs({ args: [...args], options: config, strict: false, allowPositionals: true, tokens: true }).tokens;
}

/** `--help` or `-h` anywhere before a `--`: the help wins over every other problem of the line. */
export function wantsHelp(spec: CommandSpec, args: readonly string[]): boolean {
  return tokenize(spec, args).some((token) => token.kind === 'option' && token.name === 'help');
}

export function parseCommandLine<S extends CommandSpec>(spec: S, args: readonly string[]): ParsedCommandLine<S> {
  const options = allOptions(spec);
  const values: Record<string, string | number | boolean | undefined> = {};
  const positionals: string[] = [];
  for (const token of tokenize(spec, args)) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (!option) {
      const known = Object.keys(options).map((name) => `--${name}`);
      throw new UsageError(`unknown option ${token.rawName}${didYouMean(`--${token.name}`, known)}`);
    }
    values[token.name] = convert(`--${token.name}`, option, token);
  }
  for (const [name, option] of Object.entries(options)) {
    if (values[name] !== undefined) continue;
    if (option.type === 'boolean') values[name] = false;
    else if (option.default !== undefined) values[name] = option.default;
    else if ('required' in option && option.required) throw new UsageError(`--${name} ${option.value} is required`);
  }
  return { values, args: namePositionals(spec, positionals) } as ParsedCommandLine<S>;
}

function convert(flag: string, option: OptionSpec, token: Extract<Token, { kind: 'option' }>): string | number | boolean {
  if (option.type === 'boolean') {
    if (token.value !== undefined) throw new UsageError(`${flag} takes no value (${token.rawName}=${token.value})`);
    return true;
  }
  const raw = token.value;
  // A value that looks like an option was most likely one: `--limit --json` forgot the number.
  if (raw === undefined || (!token.inlineValue && raw.startsWith('-') && raw.length > 1)) {
    throw new UsageError(`${flag} needs a value: ${flag} ${option.value}`);
  }
  switch (option.type) {
    case 'string':
      if (option.choices && !option.choices.includes(raw)) {
        throw new UsageError(`${flag} must be one of ${option.choices.join(', ')}, not ${JSON.stringify(raw)}${didYouMean(raw, option.choices)}`);
      }
      return raw;
    case 'integer': {
      const value = Number(raw);
      if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < option.min) {
        const rule = option.min === 1 ? 'a positive whole number' : `a whole number of at least ${option.min}`;
        throw new UsageError(`${flag} must be ${rule}, not ${JSON.stringify(raw)}`);
      }
      return value;
    }
    case 'number': {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value) || value < option.min) {
        throw new UsageError(`${flag} must be a number of at least ${option.min}, not ${JSON.stringify(raw)}`);
      }
      return value;
    }
  }
}

function namePositionals(spec: CommandSpec, given: string[]): Record<string, string | string[] | undefined> {
  const named: Record<string, string | string[] | undefined> = {};
  const rest = [...given];
  for (const positional of spec.positionals ?? []) {
    const label = positionalLabel(positional);
    if (positional.variadic) {
      if (rest.length === 0 && !positional.optional) throw new UsageError(`missing ${label}: give at least one`);
      named[positional.name] = rest.splice(0);
      continue;
    }
    const value = rest.shift();
    if (value === undefined && !positional.optional) throw new UsageError(`missing ${label}`);
    named[positional.name] = value;
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  return named;
}
