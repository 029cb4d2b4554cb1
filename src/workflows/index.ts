export { ingestFileWorkflow } from './ingest-file.ts';
