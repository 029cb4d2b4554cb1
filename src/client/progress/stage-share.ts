/** How far the current stage is, as its running activities last heartbeated. */
export type StageProgress = {
  /** Share of the stage done, from 0 to 1. */
  fraction: number;
  /** What the fraction counts, when the heartbeats say: bytes of the object, rows loaded, days. */
  done: number | null;
  total: number | null;
  unit: 'bytes' | 'rows' | 'days';
  /** What the stage is doing, in words, when its activity says (the load's step). */
  step?: string;
};

export function ratio(done: number, total: number, unit: StageProgress['unit']): StageProgress {
  const fraction = total <= 0 ? 1 : Math.min(1, Math.max(0, done / total));
  return { fraction, done: Math.min(done, total), total, unit };
}

export function numberField(details: unknown, name: string): number | null {
  if (typeof details !== 'object' || details === null) return null;
  const value = (details as Record<string, unknown>)[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
