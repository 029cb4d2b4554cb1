export { ingestFileWorkflow } from './ingest-file.ts';
export { aggregateSalesWorkflow } from './aggregate-sales.ts';
