import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { Worker } from '@temporalio/worker';
import { containsEmail } from '../../src/domain/email-in-text.ts';
import { historyFromJson } from '../support/history-json.ts';
import { installQuietTemporalRuntime, prebuiltWorkflowBundle } from '../support/workflow-test-env.ts';

/**
 * Histories of real runs (`npm run record-histories`) replayed through the current workflow code:
 * a change that would make a running workflow take another path than its history recorded fails
 * here, before a deploy could strand the executions in flight. Such a change goes behind
 * `patched()`; the recorded files stay as they are.
 */

const HISTORIES_DIR = fileURLToPath(new URL('./histories/', import.meta.url));

/** Every way a run ends that a worker in the field may have to replay. */
const SCENARIOS = [
  'ingest-completed',
  'ingest-duplicate',
  'ingest-too-many-rejects',
  'ingest-invalid-file',
  'ingest-cancelled-before-load',
  'ingest-cancelled-after-load',
  'aggregate-continued-run1',
  'aggregate-continued-run2',
  'aggregate-last-days',
  'revert-completed',
  'revert-again',
  'revert-refused',
];

/**
 * Fields that are not customer data and hold an '@' by construction: a worker's identity is
 * pid@host and a build id names the SDK package and its version.
 */
const NOT_CUSTOMER_DATA = new Set(['identity', 'buildId']);

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type Recorded = { file: string; json: JsonValue };

let recorded: Recorded[];

beforeAll(async () => {
  installQuietTemporalRuntime();
  const names = (await readdir(HISTORIES_DIR)).filter((name) => name.endsWith('.json')).sort();
  recorded = await Promise.all(
    names.map(async (name) => ({ file: name, json: JSON.parse(await readFile(`${HISTORIES_DIR}${name}`, 'utf8')) as JsonValue })),
  );
});

/** Every text of a history, payloads decoded: the JSON form hides their bytes in base64. */
function texts(value: JsonValue, key = ''): string[] {
  if (NOT_CUSTOMER_DATA.has(key)) return [];
  if (typeof value === 'string') return [key === 'data' ? Buffer.from(value, 'base64').toString('utf8') : value];
  if (Array.isArray(value)) return value.flatMap((item) => texts(item));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([name, item]) => texts(item, name));
  return [];
}

function emailsIn(json: JsonValue): string[] {
  return texts(json).filter((text) => containsEmail(text) || /@example\.com/i.test(text));
}

describe('recorded histories', () => {
  it('hold a complete run of every scenario', () => {
    for (const scenario of SCENARIOS) {
      expect(recorded.map(({ file }) => file).filter((file) => file.endsWith(`-${scenario}.json`)).length).toBeGreaterThan(0);
    }
    const lastEvents = new Set(
      recorded.map(({ json }) => {
        const events = (json as { events: Array<{ eventType: string }> }).events;
        return events.at(-1)?.eventType;
      }),
    );
    expect([...lastEvents].sort()).toEqual([
      'EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
      'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED',
    ]);
  });

  it('replay through the current workflow code without nondeterminism', async () => {
    const { codePath } = await prebuiltWorkflowBundle();
    const histories = recorded.map(({ file, json }) => ({ workflowId: basename(file, '.json'), history: historyFromJson(json) }));
    const results: Array<{ workflowId: string; error: string | undefined }> = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath } }, histories)) {
      results.push({ workflowId: result.workflowId, error: result.error ? `${result.error.name}: ${result.error.message}` : undefined });
    }
    expect(results.map(({ workflowId }) => workflowId)).toEqual(histories.map(({ workflowId }) => workflowId));
    expect(results.filter(({ error }) => error !== undefined)).toEqual([]);
  });

  it('hold no customer email, in any field or payload', () => {
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.flatMap(({ file, json }) => emailsIn(json).map((text) => ({ file, text })))).toEqual([]);
  });

  it('would show an email hidden in a payload (the search reads decoded payloads)', () => {
    const first = recorded[0];
    if (!first) throw new Error('no recorded history');
    const leaked: JsonValue = {
      ...(first.json as { [key: string]: JsonValue }),
      extra: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: Buffer.from('{"customer":"Buyer7@Example.com"}').toString('base64') }],
    };
    expect(emailsIn(first.json)).toEqual([]);
    expect(emailsIn(leaked)).toEqual(['{"customer":"Buyer7@Example.com"}']);
  });
});
