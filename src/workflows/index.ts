export { ingestFileWorkflow } from './ingest-file.ts';
export { aggregateSalesWorkflow } from './aggregate-sales.ts';
export { revertFileWorkflow } from './revert-file.ts';
