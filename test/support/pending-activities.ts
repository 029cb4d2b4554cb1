import type { WorkflowHandle } from '@temporalio/client';

/** PENDING_ACTIVITY_STATE_STARTED in Temporal's API: a worker has picked the attempt up. */
const STARTED = 2;

export type PendingActivity = {
  type: string;
  attempt: number;
  started: boolean;
  /** The server holds heartbeat details from this or an earlier attempt: a retry can resume. */
  hasHeartbeatDetails: boolean;
  lastFailure: string | null;
  lastWorkerIdentity: string;
};

export type WorkflowState = { status: string; pending: PendingActivity[] };

/** What the server knows of a workflow's running activities (type, attempt, heartbeat, failure). */
export async function workflowState(handle: WorkflowHandle): Promise<WorkflowState> {
  const description = await handle.describe();
  const pending = (description.raw.pendingActivities ?? []).map((activity) => ({
    type: activity.activityType?.name ?? '',
    attempt: activity.attempt ?? 0,
    started: Number(activity.state) === STARTED,
    hasHeartbeatDetails: (activity.heartbeatDetails?.payloads?.length ?? 0) > 0,
    lastFailure: activity.lastFailure?.message ?? null,
    lastWorkerIdentity: activity.lastWorkerIdentity ?? '',
  }));
  return { status: description.status.name, pending };
}

/** The pending activity of that type, if the workflow is at it. */
export async function pendingActivity(handle: WorkflowHandle, type: string): Promise<PendingActivity | undefined> {
  const state = await workflowState(handle);
  if (state.status !== 'RUNNING') throw new Error(`workflow ${handle.workflowId} is ${state.status}, not at ${type}`);
  return state.pending.find((activity) => activity.type === type);
}
