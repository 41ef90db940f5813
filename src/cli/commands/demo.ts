import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runSchool } from '../../app/index.ts';
import { parseConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { createLogger } from '../../observability/logger.ts';
import type { Sandboxes } from '../../sandbox/start.ts';
import { startSandboxes } from '../../sandbox/start.ts';
import { startService } from '../../serve/service.ts';
import { openStore } from '../../store/index.ts';
import { formatReport } from '../../sync/report.ts';
import { addAccount } from '../../web/accounts.ts';
import { parseCommand, usageError } from '../args.ts';
import { type CliIo, type Command, EXIT } from '../io.ts';

const HELP = `Usage: auriga-edusign demo [--school small|large] [--seed S] [--malformed X] [--json]
       auriga-edusign demo --console [--port N]

Starts the Auriga and Edusign sandboxes in this process with a generated
school, syncs it with the embedded store, prints the report, then runs again
to show that a second run over unchanged data writes nothing.

With --console: after a first run, 8 coming interventions are cancelled in
the Auriga sandbox so that the second run holds their deletions (the
mass-change guard); then the console is served on 127.0.0.1 (--port, default
a free one) and a one-time sign-in link for an operator is printed. Stop
with Ctrl-C.
`;

export const run: Command = async (argv, io) => {
  const spec = {
    command: 'demo',
    help: HELP,
    options: {
      school: { type: 'string' },
      seed: { type: 'string' },
      malformed: { type: 'string' },
      json: { type: 'boolean' },
      console: { type: 'boolean' },
      port: { type: 'string' },
    },
  } as const;
  const args = parseCommand(argv, io, spec);
  if (!args) return EXIT.ok;
  const values = { school: 'small', seed: '1', malformed: '0.05', ...args.values };
  if (values.school !== 'small' && values.school !== 'large')
    throw usageError(spec, `--school must be small or large, got "${values.school}"`);
  const seed = /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed;
  const sandboxes = await startSandboxes({
    school: values.school,
    seed,
    malformedShare: Number(values.malformed),
    // The sandbox's own rate limit is Edusign's; the demo is about behaviour, not waiting.
    edusignRateLimit: { requests: 100_000, windowMs: 60_000 },
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'auriga-edusign-demo-'));
  try {
    const config = parseConfig(
      {
        ...sandboxes.config,
        school: 'demo',
        edusign: { ...sandboxes.config.edusign, requestsPerMinute: 100_000 },
        store: { kind: 'sqlite', path: path.join(dir, 'demo.sqlite') },
      },
      { env: {}, baseDir: dir },
    );
    const say = (text: string) => {
      if (!values.json) io.stdout.write(text);
    };
    if (values.console) return await demoConsole(config, sandboxes, values.port, io);
    say(
      `Sandboxes: Auriga ${sandboxes.auriga.url}, Edusign ${sandboxes.edusign.url}; school "${values.school}" (seed ${values.seed}).\n\n`,
    );
    const first = await runSchool(config, { signal: io.stopSignal });
    say(`First run:\n${formatReport(first)}\n`);
    const writesBefore = sandboxes.edusign.calls().writes;
    const second = await runSchool(config, { signal: io.stopSignal });
    const secondWrites = sandboxes.edusign.calls().writes - writesBefore;
    say(`Second run, over unchanged data:\n${formatReport(second)}\n`);
    const state = sandboxes.edusign.state();
    say(
      `Edusign now holds ${state.courses.length} sheets, ${state.students.length} learners, ${state.professors.length} instructors, ${state.groups.length} groups.\n` +
        `The second run made ${secondWrites} write call(s) on Edusign.\n`,
    );
    if (values.json)
      io.stdout.write(`${JSON.stringify({ first, second, secondRunWrites: secondWrites })}\n`);
    return first.outcome === 'failed' || second.outcome === 'failed' ? EXIT.failed : EXIT.ok;
  } finally {
    await sandboxes.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

/** The demo school after two runs (the second holding deletions), and the console over it. */
async function demoConsole(
  config: Config,
  sandboxes: Sandboxes,
  portText: string | undefined,
  io: CliIo,
): Promise<number> {
  const store = await openStore(config.store);
  try {
    const first = await runSchool(config, { store, signal: io.stopSignal });
    io.stdout.write(`First run: ${first.outcome}.\n`);
    // Cancel coming interventions (not started: they would be deleted), more than the guard lets through.
    const soon = Date.now() + 2 * 3600_000;
    const coming = (await store.forSchool(config.school).listMappings('sheet'))
      .filter((m) => m.courseStart !== null && Date.parse(m.courseStart) > soon)
      .slice(0, 8);
    for (const m of coming) sandboxes.auriga.control.cancelIntervention(m.aurigaId);
    const second = await runSchool(config, { store, signal: io.stopSignal });
    io.stdout.write(
      `Second run, after ${coming.length} interventions were cancelled in Auriga: ${second.outcome} (${second.held.length} deletion(s) held).\n`,
    );
  } finally {
    await store.close();
  }
  const port = portText === undefined ? 0 : Number(portText);
  const service = await startService({
    configs: [config],
    port,
    logger: createLogger({ level: 'warn' }),
  });
  try {
    const consoleStore = service.consoleStore;
    if (!consoleStore) throw new Error('the console is not served');
    const added = await addAccount(
      consoleStore,
      { email: 'operator@demo.invalid', role: 'operator', schools: [] },
      { now: () => new Date(), publicUrl: service.url, actor: 'demo' },
    );
    io.stdout.write(
      `\nConsole: ${service.url}\nSign in once with this link (it works once), then choose a password:\n${added.signInLink}\n\nStop with Ctrl-C.\n`,
    );
    await new Promise<void>((resolve) => {
      if (io.stopSignal.aborted) resolve();
      else io.stopSignal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    await service.stop(5_000);
  }
  return EXIT.ok;
}
