import type { WorkflowHandle } from '@temporalio/client';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/**
 * A workflow history as searchable text, payloads decoded: the history's JSON form shows payload
 * bytes base64-encoded, hiding exactly what a leak check must see.
 */
export function historyText(history: History): string {
  return JSON.stringify(history, (key, value: unknown) => {
    if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
    if (key === 'data' && typeof value === 'string') return Buffer.from(value, 'base64').toString('utf8');
    return value;
  });
}
