/**
 * A command's command line, declared once: the parser reads it to accept and convert arguments,
 * and the help is printed from it, so the two cannot disagree.
 */

type OptionBase = {
  /** One line for the help. */
  description: string;
  /** A single letter also accepted as `-x`. */
  short?: string;
};

export type BooleanOption = OptionBase & { type: 'boolean' };

export type StringOption = OptionBase & {
  type: 'string';
  /** The value's placeholder in the help, e.g. `FILE` in `--out FILE`. */
  value: string;
  default?: string;
  /** What the default is when it depends on the environment, for the help only. */
  defaultText?: string;
  choices?: readonly string[];
  required?: boolean;
};

/** A whole number of at least `min`; given as a number to the command. */
export type IntegerOption = OptionBase & {
  type: 'integer';
  value: string;
  min: number;
  default?: number;
  required?: boolean;
};

/** A decimal number of at least `min`. */
export type NumberOption = OptionBase & {
  type: 'number';
  value: string;
  min: number;
  default?: number;
};

export type OptionSpec = BooleanOption | StringOption | IntegerOption | NumberOption;

export type PositionalSpec = {
  /** camelCase; shown as FILE_ID in the help and used as the key of the parsed value. */
  name: string;
  description: string;
  /** Takes every remaining argument (at least one unless optional). */
  variadic?: boolean;
  optional?: boolean;
};

export type CommandSpec = {
  summary: string;
  /** A few lines below the usage line, when the summary is not enough. */
  details?: readonly string[];
  positionals?: readonly PositionalSpec[];
  options: Readonly<Record<string, OptionSpec>>;
  examples: readonly string[];
};

/** A command whose first argument picks one of its subcommands, e.g. `schedule create`. */
export type CommandGroupSpec = {
  summary: string;
  subcommands: Readonly<Record<string, CommandSpec>>;
};

export function defineCommand<const S extends CommandSpec>(spec: S): S {
  return spec;
}

export function defineGroup<const G extends CommandGroupSpec>(group: G): G {
  return group;
}

export function isGroup(spec: CommandSpec | CommandGroupSpec): spec is CommandGroupSpec {
  return 'subcommands' in spec;
}

type OptionValue<O> = O extends BooleanOption ? boolean : O extends IntegerOption | NumberOption ? number : string;
type HasValue<O> = O extends BooleanOption ? true : O extends { default: unknown } ? true : O extends { required: true } ? true : false;

export type OptionValues<Options> = {
  [K in keyof Options]: HasValue<Options[K]> extends true ? OptionValue<Options[K]> : OptionValue<Options[K]> | undefined;
};

type PositionalValue<P> = P extends { variadic: true } ? string[] : P extends { optional: true } ? string | undefined : string;

export type PositionalValues<Positionals> = Positionals extends readonly PositionalSpec[]
  ? { [P in Positionals[number] as P['name']]: PositionalValue<P> }
  : Record<never, never>;

/** What a command's body receives: converted option values and its named arguments. */
export type ParsedCommandLine<S extends CommandSpec> = {
  values: OptionValues<S['options']>;
  args: PositionalValues<S['positionals']>;
};

/** Options every command accepts besides its own. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h', description: 'show this help and exit' },
  debug: { type: 'boolean', description: 'show the full stack trace of an error (also LOG_LEVEL=debug)' },
} as const satisfies Record<string, OptionSpec>;

/** `orderRef` → `ORDER_REF`, `file` → `FILE`. */
export function positionalLabel(positional: PositionalSpec): string {
  const name = positional.name.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase();
  if (positional.variadic) return `${name}...`;
  return name;
}
