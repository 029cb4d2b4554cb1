import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { connectClient } from '../client/temporal-client.ts';
import { loadLogLevel } from '../config.ts';
import { createLogger } from '../logger.ts';
import { BENCH_USAGE, parseBenchArgs, reproduceCommand, type BenchOptions } from './bench-options.ts';
import { runScenarios } from './bench-sequence.ts';
import { startBenchStack } from './bench-stack.ts';
import { measuresTable, renderBenchmarksMarkdown, sizeTable } from './benchmark-report.ts';
import { readPreviousReport, withHandWrittenNotes } from './hand-written-notes.ts';
import { createCleanup } from './cleanup.ts';
import { describeMachine } from './machine-info.ts';
import { earlierMeasures } from './measures.ts';
import { evaluateIssue12Measures } from './measures-issue12.ts';
import { PROJECT_ROOT } from './node-entry.ts';
import { peerParagraph, sideBySideTable } from './peer-report.ts';
import { preparePeer } from './peer-setup.ts';

/**
 * `npm run bench`: the measures of the performance issues (#12, beside the dlt peer, and #5) on a
 * throwaway local stack, printed with their targets and written to BENCHMARKS.md (or --out).
 */
async function main(argv: string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${BENCH_USAGE}\n`);
    return 2;
  }
  const startedAt = new Date();
  const loadAtStart = loadavg();
  const say = (text: string) => {
    const elapsed = ((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(5);
    process.stdout.write(`[${elapsed} s] ${text}\n`);
  };
  // The servers' own logs stay in their data directory; only warnings reach the terminal.
  const logger = createLogger(loadLogLevel({ LOG_LEVEL: 'warn', ...process.env }), { component: 'bench' }, process.stderr);
  // One line each: after a Ctrl-C the workers have usually stopped by themselves already.
  const cleanup = createCleanup((error) => process.stderr.write(`cleanup: ${firstLine(error)}\n`));
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    say(`${signal}: stopping the workers and the local stack...`);
    void cleanup.run().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    say('starting Temporal, MinIO and PostgreSQL on loopback in a throwaway directory');
    const stack = await startBenchStack(logger);
    cleanup.add(() => stack.stop());
    const machine = { ...(await describeMachine(stack.databaseUrl)), loadAverage: loadAtStart };
    const client = await connectClient(stack.temporal);
    cleanup.add(() => client.connection.close());
    const context = { env: stack.childEnv, databaseUrl: stack.databaseUrl, workDir: stack.dataDir, client, cleanup, say };
    const peer = await preparePeer(options, PROJECT_ROOT, say);

    const results = await runScenarios(context, options, peer);
    const issue12Measures = evaluateIssue12Measures(results);
    const measures = earlierMeasures(results);
    const peerOf = (rows: number) => results.peerFirstLoads.find((load) => load.rows === rows)?.peer ?? { missing: 'peer not run' };
    for (const size of results.sizes) {
      const title = `${size.rows.toLocaleString('en-US')} lines`;
      process.stdout.write(`\n${title}\n\n${sizeTable(size)}\n\n${peerParagraph(peerOf(size.rows))}\n`);
    }
    const second = results.secondFile;
    process.stdout.write(
      `\nA second ${second.pipeforge.rows.toLocaleString('en-US')}-line file, into the populated database\n\n` +
        `${sizeTable(second.pipeforge)}\n\n${peerParagraph(second.peer)}\n`,
    );
    process.stdout.write(`\nPipeForge beside the dlt peer\n\n${sideBySideTable(results)}\n`);
    process.stdout.write(`\nTargets (issue #12)\n\n${measuresTable(issue12Measures)}\n`);
    process.stdout.write(`\nOther targets (issue #5)\n\n${measuresTable(measures)}\n\n`);
    const command = reproduceCommand(options);
    const rendered = renderBenchmarksMarkdown({ date: startedAt, machine, command, results, measures, issue12Measures });
    await writeFile(options.out, withHandWrittenNotes(rendered, await readPreviousReport(options.out)));
    say(`wrote ${options.out}`);
    return 0;
  } catch (error) {
    // The child processes got the same Ctrl-C and failed the step in flight: that is no bench failure.
    if (interrupted) return 130;
    throw error;
  } finally {
    await cleanup.run();
  }
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0] ?? '';
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${String((error as Error)?.stack ?? error)}\n`);
    process.exitCode = 1;
  },
);
