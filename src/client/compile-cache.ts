import { enableCompileCache } from 'node:module';

/**
 * Imported first by the CLI's entry (cli.ts). From here on V8 keeps the code it compiles for each module
 * on disk (in the OS temp directory) and reuses it on the next start: the CLI's Temporal client and
 * MinIO modules, loaded lazily by each command, then start without being parsed and compiled again.
 * Modules the entry imports statically were compiled before this ran and are not cached.
 */
enableCompileCache();
