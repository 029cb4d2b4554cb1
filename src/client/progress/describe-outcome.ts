import type { IngestSummary } from '../../workflows/ingest-file-contract.ts';
import { describeSummary } from '../output.ts';

/** The one-line result of a file, including the outcomes the generic summary does not phrase. */
export function describeOutcome(summary: IngestSummary): string {
  if (summary.status === 'cancelled') {
    return `${summary.filename}: cancelled — nothing of it was kept (staging, rejects and its file row removed)`;
  }
  return describeSummary(summary);
}
