import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workflowBundleKey, type WorkflowBundleInputs } from '../../src/worker/workflow-bundle-key.ts';

/** A project of its own: the key must follow every source file, not a list someone keeps. */
describe('the workflow bundle key', () => {
  let root: string;
  let inputs: WorkflowBundleInputs;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'pipeforge-bundle-key-'));
    const sourceDir = join(root, 'src');
    await mkdir(join(sourceDir, 'workflows'), { recursive: true });
    await writeFile(join(sourceDir, 'workflows', 'index.ts'), "export * from './ingest.ts';\n");
    await writeFile(join(sourceDir, 'workflows', 'ingest.ts'), 'export async function ingest() {}\n');
    await writeFile(join(sourceDir, 'shared.ts'), "export const TASK_QUEUE = 'ingest';\n");
    inputs = { projectRoot: root, sourceDir, workflowsPath: join(sourceDir, 'workflows', 'index.ts') };
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('stays the same while nothing changes', async () => {
    expect(await workflowBundleKey(inputs)).toBe(await workflowBundleKey(inputs));
  });

  it('changes with a workflow, a module it imports, and a new file', async () => {
    const keys = [await workflowBundleKey(inputs)];
    await writeFile(join(inputs.sourceDir, 'workflows', 'ingest.ts'), 'export async function ingest() { return 1; }\n');
    keys.push(await workflowBundleKey(inputs));
    await writeFile(join(inputs.sourceDir, 'shared.ts'), "export const TASK_QUEUE = 'ingest-2';\n");
    keys.push(await workflowBundleKey(inputs));
    await mkdir(join(inputs.sourceDir, 'domain'));
    await writeFile(join(inputs.sourceDir, 'domain', 'dates.ts'), 'export const DAY = 1;\n');
    keys.push(await workflowBundleKey(inputs));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('changes with the installed packages and with the checkout it is built for', async () => {
    const before = await workflowBundleKey(inputs);
    await mkdir(join(root, 'node_modules'));
    await writeFile(join(root, 'node_modules', '.package-lock.json'), '{"packages":{}}\n');
    const afterInstall = await workflowBundleKey(inputs);
    const elsewhere = await workflowBundleKey({ ...inputs, workflowsPath: join(root, 'copy', 'workflows', 'index.ts') });
    expect(new Set([before, afterInstall, elsewhere]).size).toBe(3);
  });

  it('does not mistake a renamed file for the same content', async () => {
    const before = await workflowBundleKey(inputs);
    await rm(join(inputs.sourceDir, 'shared.ts'));
    await writeFile(join(inputs.sourceDir, 'shared2.ts'), "export const TASK_QUEUE = 'ingest';\n");
    expect(await workflowBundleKey(inputs)).not.toBe(before);
  });
});
