import { loadConfigFile } from '../../config/load.ts';
import { SUBJECTS, type Subject } from '../../explain/explain.ts';
import { DEFAULT_RUNS, explainFromStore, formatExplanation } from '../../explain/from-store.ts';
import { openStore } from '../../store/index.ts';
import { CONFIG_OPTION, parseCommand, usageError } from '../args.ts';
import { type Command, EXIT } from '../io.ts';

const HELP = `Usage: auriga-edusign explain learner|instructor|sheet AURIGA_ID --config FILE [--json] [--runs ${DEFAULT_RUNS}]

Says why a learner, an instructor or an attendance sheet (by its Auriga id;
a sheet by its intervention ID) is on Edusign or not: created by the sync or
taken over from a record made by hand, held back, deleted, or not created and
why (a problem in Auriga, a failure, no session in the window). Answers from
the store: the records of the last runs. Writes nothing, calls no API.

  --config FILE   the school's configuration (YAML or JSON)
  --json          print the answer as one JSON object
  --runs N        how many recent runs to look through (default ${DEFAULT_RUNS})

Exit codes: 0 answered (including "not created because…"), 2 no run recorded
yet, 3 configuration or command line error.
`;

export const run: Command = async (argv, io) => {
  const spec = {
    command: 'explain',
    help: HELP,
    positionals: { min: 0, max: 2 },
    options: { ...CONFIG_OPTION, json: { type: 'boolean' }, runs: { type: 'string' } },
  } as const;
  const args = parseCommand(argv, io, spec);
  if (!args) return EXIT.ok;
  const { values } = args;
  const [subject, aurigaId] = args.positionals;
  if (subject === undefined || !(SUBJECTS as readonly string[]).includes(subject))
    throw usageError(
      spec,
      `${subject === undefined ? 'say what to explain' : `"${subject}" cannot be explained`}: learner, instructor or sheet`,
    );
  if (aurigaId === undefined || aurigaId.trim() === '')
    throw usageError(spec, `give one Auriga id after "${subject}"`);
  if (!values.config) throw usageError(spec, '--config FILE is required');
  const runs = values.runs === undefined ? DEFAULT_RUNS : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 1000)
    throw usageError(spec, `--runs must be a whole number from 1 to 1000, got "${values.runs}"`);
  const config = loadConfigFile(values.config, { env: io.env });
  // It writes nothing: a school with no store yet gets none from asking.
  const store = await openStore(config.store, { readOnly: true });
  try {
    const explanation = await explainFromStore(store.forSchool(config.school), {
      subject: subject as Subject,
      aurigaId: aurigaId.trim(),
      timeZone: config.options.timeZone,
      runs,
    });
    io.stdout.write(
      values.json ? `${JSON.stringify(explanation)}\n` : formatExplanation(explanation),
    );
    return explanation.state === 'no_run' ? EXIT.failed : EXIT.ok;
  } finally {
    await store.close();
  }
};
