import { COMMON_OPTIONS, isGroup, positionalLabel, type CommandGroupSpec, type CommandSpec, type OptionSpec } from './spec.ts';

function optionLabel(name: string, option: OptionSpec): string {
  const long = option.type === 'boolean' ? `--${name}` : `--${name} ${option.value}`;
  return option.short ? `-${option.short}, ${long}` : `    ${long}`;
}

function optionText(option: OptionSpec): string {
  const notes: string[] = [];
  if (option.type === 'string' && option.choices) notes.push(`one of ${option.choices.join(', ')}`);
  if (option.type !== 'boolean' && 'required' in option && option.required) notes.push('required');
  const shownDefault = option.type === 'string' && option.defaultText ? option.defaultText : option.type === 'boolean' ? undefined : option.default;
  if (shownDefault !== undefined) notes.push(`default: ${shownDefault}`);
  return notes.length === 0 ? option.description : `${option.description} (${notes.join('; ')})`;
}

function columns(rows: ReadonlyArray<readonly [string, string]>): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`.trimEnd());
}

export function usageLine(path: string, spec: CommandSpec): string {
  const words = [`pipeforge ${path}`];
  for (const positional of spec.positionals ?? []) {
    const label = positionalLabel(positional);
    words.push(positional.optional ? `[${label}]` : label);
  }
  for (const [name, option] of Object.entries(spec.options)) {
    if (option.type !== 'boolean' && 'required' in option && option.required) words.push(`--${name} ${option.value}`);
  }
  if (Object.values(spec.options).some((option) => option.type === 'boolean' || !('required' in option && option.required))) {
    words.push('[options]');
  }
  return words.join(' ');
}

/** `pipeforge ingest --help`: the usage, what the command does, its arguments, options and an example. */
export function commandHelp(path: string, spec: CommandSpec): string {
  const lines = [`Usage: ${usageLine(path, spec)}`, '', `${capitalize(spec.summary)}.`];
  if (spec.details) lines.push(...spec.details);
  const positionals = spec.positionals ?? [];
  if (positionals.length > 0) {
    lines.push('', 'Arguments:', ...columns(positionals.map((p) => [positionalLabel(p), p.description] as const)));
  }
  const options = Object.entries({ ...spec.options, ...COMMON_OPTIONS });
  lines.push('', 'Options:', ...columns(options.map(([name, option]) => [optionLabel(name, option), optionText(option)] as const)));
  lines.push('', spec.examples.length === 1 ? 'Example:' : 'Examples:', ...spec.examples.map((example) => `  ${example}`));
  return lines.join('\n');
}

/** `pipeforge schedule --help`: its subcommands, each with its usage line. */
export function groupHelp(name: string, group: CommandGroupSpec): string {
  const subcommands = Object.entries(group.subcommands);
  return [
    `Usage: pipeforge ${name} SUBCOMMAND [options]`,
    '',
    `${capitalize(group.summary)}.`,
    '',
    'Subcommands:',
    ...columns(subcommands.map(([sub, spec]) => [sub, spec.summary] as const)),
    '',
    'Usage of each:',
    ...subcommands.map(([sub, spec]) => `  ${usageLine(`${name} ${sub}`, spec)}`),
    '',
    'Example:',
    ...subcommands.slice(0, 1).flatMap(([, spec]) => spec.examples.slice(0, 1).map((example) => `  ${example}`)),
    '',
    `Run \`pipeforge ${name} SUBCOMMAND --help\` for its options and an example.`,
  ].join('\n');
}

export function helpFor(name: string, spec: CommandSpec | CommandGroupSpec): string {
  return isGroup(spec) ? groupHelp(name, spec) : commandHelp(name, spec);
}

/** `pipeforge help`: every command and its summary. */
export function globalHelp(commands: ReadonlyArray<readonly [string, CommandSpec | CommandGroupSpec]>): string {
  return [
    'Usage: pipeforge COMMAND [options]',
    '',
    'Commands:',
    ...columns(commands.map(([name, spec]) => [name, spec.summary] as const)),
    '',
    'Run `pipeforge COMMAND --help` (or `pipeforge help COMMAND`) for its options and an example;',
    '--debug on any command shows the stack trace of an error.',
    'Configuration comes from the environment (see README); while `pipeforge dev` runs, other',
    'commands read the variables it wrote to .pipeforge/dev.env.',
  ].join('\n');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
