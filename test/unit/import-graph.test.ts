/**
 * The layering of src/ held as a test, read from the source text: no module may import itself
 * back through others (a cycle makes load order matter and hides a type kept in the wrong file),
 * and the domain stays pure, so workflow code and the CLI can use it without the Temporal SDK.
 * Type-only and dynamic imports count: each is still a dependency of one file on another.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const srcDir = join(root, 'src');

const BLOCK_COMMENT = /\/\*[\s\S]*?\*\//g;
const LINE_COMMENT = /^\s*\/\/.*$/gm;
/** `import … from 'x'`, `export … from 'x'`, `import 'x'` and `import('x')`. */
const SPECIFIER = /(?:\bfrom\s*|^\s*import\s*|\bimport\s*\(\s*)['"]([^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(BLOCK_COMMENT, '').replace(LINE_COMMENT, '');
  return [...text.matchAll(SPECIFIER)].map((match) => match[1] ?? '');
}

type Graph = Map<string, { local: string[]; packages: string[] }>;

function importGraph(): Graph {
  const graph: Graph = new Map();
  for (const file of sourceFiles(srcDir)) {
    const found = specifiers(file);
    const local = found.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s));
    graph.set(file, { local, packages: found.filter((s) => !s.startsWith('.')) });
  }
  return graph;
}

const name = (file: string): string => relative(srcDir, file);

/** Every import cycle, each as the files along it, found by a depth-first walk. */
function cycles(graph: Graph): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string): void => {
    const onPath = path.indexOf(file);
    if (onPath >= 0) {
      found.push([...path.slice(onPath), file].map(name));
      return;
    }
    if (done.has(file)) return;
    path.push(file);
    for (const next of graph.get(file)?.local ?? []) visit(next);
    path.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return found;
}

/** The files a file reaches through its relative imports, itself included. */
function reachable(graph: Graph, start: string): Set<string> {
  const seen = new Set<string>();
  const pending = [start];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    pending.push(...(graph.get(file)?.local ?? []));
  }
  return seen;
}

describe('the import graph of src/', () => {
  const graph = importGraph();

  it('is read from the source files', () => {
    // Guards the reading itself: a pattern that found nothing would pass every rule below.
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get(join(srcDir, 'domain/order-line.ts'))?.local).toContain(join(srcDir, 'domain/order-line-readers.ts'));
    expect(graph.get(join(srcDir, 'client/submit-file.ts'))?.local).toContain(join(srcDir, 'client/await-ingestion.ts'));
  });

  it('resolves every relative import to a file of src/', () => {
    const missing = [...graph].flatMap(([file, { local }]) =>
      local.filter((target) => !graph.has(target)).map((target) => `${name(file)} → ${relative(root, target)}`),
    );
    expect(missing).toEqual([]);
  });

  it('has no cycle', () => {
    expect(cycles(graph).map((cycle) => cycle.join(' → '))).toEqual([]);
  });

  it('keeps the Temporal SDK out of src/domain, also through the modules the domain imports', () => {
    const domainFiles = [...graph.keys()].filter((file) => name(file).startsWith('domain/'));
    const offenders = domainFiles.flatMap((file) =>
      [...reachable(graph, file)]
        .filter((reached) => graph.get(reached)?.packages.some((p) => p.startsWith('@temporalio/')))
        .map((reached) => `${name(file)} reaches @temporalio through ${name(reached)}`),
    );
    expect(offenders).toEqual([]);
  });
});
