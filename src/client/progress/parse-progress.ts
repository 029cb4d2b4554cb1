import type { ParseHeartbeatDetails } from '../../workflows/ingest-file-contract.ts';
import { numberField, ratio, type StageProgress } from './stage-share.ts';

/** A whole-file parse (or the hash stage's read): bytes read of the object. */
export function bytesProgress(details: unknown): StageProgress | null {
  const bytes = parseBytes(details);
  return bytes === null ? null : ratio(bytes.read, bytes.total, 'bytes');
}

/**
 * A file parsed in parts side by side. Each part counts as an equal share of the file: one not
 * started adds nothing, one running adds the share of its bytes read, and one finished (no longer
 * pending) all of it, so the sum only grows as parts start and finish, in any order. Weighing the
 * parts by their lengths would not: a finished part and one not started are both absent from what
 * the heartbeats say, and their lengths differ (the last part is the short one). The parts are cut
 * at about the same length, so the done bytes are that share of the file's size.
 *
 * Details heartbeated before they carried the number of parts leave only an estimate: a part not
 * started counts as long as the average part that has, and finished parts are whatever is left.
 */
export function partsProgress(details: readonly unknown[]): StageProgress | null {
  const started = details.flatMap((detail) => {
    const bytes = parseBytes(detail);
    return bytes === null ? [] : [bytes];
  });
  const fileBytes = started.find((bytes) => bytes.fileBytes !== null)?.fileBytes ?? null;
  if (fileBytes === null) return null;
  const rangeCount = started.find((bytes) => bytes.rangeCount !== null)?.rangeCount ?? null;
  if (rangeCount === null || rangeCount < details.length) return averagedParts(details.length, started, fileBytes);
  const finished = rangeCount - details.length;
  const running = started.reduce((sum, bytes) => sum + (bytes.total <= 0 ? 1 : Math.min(1, Math.max(0, bytes.read / bytes.total))), 0);
  return ratio(Math.round((fileBytes * (finished + running)) / rangeCount), fileBytes, 'bytes');
}

function averagedParts(pending: number, started: readonly ParseBytes[], fileBytes: number): StageProgress {
  const left = started.reduce((sum, bytes) => sum + Math.max(0, bytes.total - bytes.read), 0);
  const averagePart = started.reduce((sum, bytes) => sum + bytes.total, 0) / started.length;
  const notStarted = pending - started.length;
  return ratio(Math.max(0, fileBytes - left - notStarted * averagePart), fileBytes, 'bytes');
}

type ParseBytes = { read: number; total: number; fileBytes: number | null; rangeCount: number | null };

/** The byte counts of a parse heartbeat; null for details heartbeated before they carried any. */
function parseBytes(details: unknown): ParseBytes | null {
  const read = numberField(details, 'bytesRead' satisfies keyof ParseHeartbeatDetails);
  const total = numberField(details, 'totalBytes' satisfies keyof ParseHeartbeatDetails);
  if (read === null || total === null) return null;
  return {
    read,
    total,
    fileBytes: numberField(details, 'fileBytes' satisfies keyof ParseHeartbeatDetails),
    rangeCount: numberField(details, 'rangeCount' satisfies keyof ParseHeartbeatDetails),
  };
}
