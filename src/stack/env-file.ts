import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';

/** Single quotes keep every character literal in a shell; a quote itself is closed, escaped, reopened. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function assertVariableName(key: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`${key} is not a valid environment variable name`);
}

/**
 * Written so that `. file` in a shell and `readEnvFile` agree. The file holds secrets, so it is
 * created 0600 and swapped in whole: a reader never sees half a file.
 */
export async function writeEnvFile(path: string, env: Readonly<Record<string, string>>): Promise<void> {
  const lines = Object.entries(env).map(([key, value]) => {
    assertVariableName(key);
    return `${key}=${shellQuote(value)}`;
  });
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, `${lines.join('\n')}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

function unquote(raw: string, where: string): string {
  let value = '';
  let rest = raw;
  while (rest.length > 0) {
    if (rest.startsWith("\\'")) {
      value += "'";
      rest = rest.slice(2);
    } else if (rest.startsWith("'")) {
      const end = rest.indexOf("'", 1);
      if (end === -1) throw new Error(`${where}: unterminated quote`);
      value += rest.slice(1, end);
      rest = rest.slice(end + 1);
    } else {
      const next = rest.search(/['\\]/);
      const chunk = next === -1 ? rest : rest.slice(0, next);
      if (/\s/.test(chunk) || chunk.length === 0) throw new Error(`${where}: unsupported value syntax`);
      value += chunk;
      rest = rest.slice(chunk.length);
    }
  }
  return value;
}

/** Reads what `writeEnvFile` writes: `KEY='value'` lines, blank lines and `#` comments. */
export async function readEnvFile(path: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  const lines = (await readFile(path, 'utf8')).split('\n');
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const where = `${path}:${index + 1}`;
    const equals = trimmed.indexOf('=');
    if (equals <= 0) throw new Error(`${where}: expected KEY='value'`);
    const key = trimmed.slice(0, equals);
    assertVariableName(key);
    env[key] = unquote(trimmed.slice(equals + 1), where);
  });
  return env;
}
