/**
 * The queue the worker polls and the client starts workflows on, unless TEMPORAL_TASK_QUEUE names
 * another. One queue for every workflow: any worker can run any stage of any file.
 */
export const DEFAULT_TASK_QUEUE = 'pipeforge-ingest';
