import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runSchool } from '../../app/index.ts';
import { parseConfig } from '../../config/load.ts';
import { startSandboxes } from '../../sandbox/start.ts';
import { formatReport } from '../../sync/report.ts';
import { parseCommand, usageError } from '../args.ts';
import { type Command, EXIT } from '../io.ts';

const HELP = `Usage: auriga-edusign demo [--school small|large] [--seed S] [--malformed X] [--json]

Starts the Auriga and Edusign sandboxes in this process with a generated
school, syncs it with the embedded store, prints the report, then runs again
to show that a second run over unchanged data writes nothing.
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
