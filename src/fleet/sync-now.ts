import { ConfigError, StopRequested } from '../errors/app-error.ts';
import { sleep } from '../http/retry.ts';
import type { RunReport } from '../sync/report.ts';
import { checkDatabaseUrl, openFleetDatabase } from './database.ts';
import { type JobOutcome, openFleetQueue } from './queue.ts';
import { UnknownSchool } from './schools.ts';
import { loadSecretKeys } from './secret-key.ts';

/**
 * `sync --school NAME --database URL`: a run of a fleet's school now. Its
 * job is enqueued at once (it does not count as the window's run) and taken
 * by any worker; this waits for it and hands back the run's report.
 */
export async function syncFleetSchool(input: {
  readonly school: string | undefined;
  readonly database: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly signal: AbortSignal;
  readonly onWaiting?: (message: string) => void;
  /** @default 1000 */
  readonly pollMs?: number;
}): Promise<RunReport> {
  if (input.school === undefined)
    throw new ConfigError('cli.usage', 'sync --database needs --school NAME (the school to run).');
  const url = checkDatabaseUrl(input.database);
  // Refused here as in every fleet process, though the worker is who opens the secrets.
  loadSecretKeys(input.env);
  const db = await openFleetDatabase({ url });
  const silent = { info() {}, warn() {}, error() {} };
  try {
    const row = await db.schools.get(input.school);
    if (row === undefined) throw new UnknownSchool(input.school);
    const queue = await openFleetQueue({ db, logger: silent, produce: false, concurrency: 0 });
    try {
      const id = await queue.enqueueNow(input.school);
      input.onWaiting?.(
        `Run of ${input.school} enqueued (job ${id}); waiting for a worker (\`auriga-edusign worker --database …\`) to take it.`,
      );
      for (;;) {
        if (input.signal.aborted) throw input.signal.reason ?? new StopRequested();
        const job = await queue.job(id);
        if (job?.state === 'completed' || job?.state === 'failed' || job?.state === 'cancelled') {
          const output = (job.output ?? {}) as JobOutcome;
          if (output.runId !== undefined) {
            const run = await db.store.forSchool(input.school).getRun(output.runId);
            if (run?.report) return run.report as RunReport;
          }
          throw new ConfigError(
            'fleet.run_not_done',
            `The run of ${input.school} was not done (${output.skipped ?? job.state}): ${
              output.skipped === 'locked'
                ? 'another run of this school was in progress.'
                : output.skipped === 'disabled'
                  ? 'the school is disabled.'
                  : 'see the workers’ logs.'
            }`,
          );
        }
        await sleep(input.pollMs ?? 1000, input.signal).catch(() => undefined);
      }
    } finally {
      await queue.stop({ graceMs: 0 });
    }
  } finally {
    await db.close();
  }
}
