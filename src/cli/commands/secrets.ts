import { openFleetDatabase } from '../../fleet/database.ts';
import { KEY_VARIABLE, loadSecretKeys, PREVIOUS_KEY_VARIABLE } from '../../fleet/secret-key.ts';
import { parseCommand } from '../args.ts';
import { type Command, EXIT } from '../io.ts';

const HELP = `Usage: auriga-edusign secrets rotate --database URL

Re-encrypts every school's secrets (and those of its previous settings)
under the key in ${KEY_VARIABLE}, opening them with that key or the one in
${PREVIOUS_KEY_VARIABLE} (each may also be given as a file by *_FILE).

To rotate: give every process the new key as ${KEY_VARIABLE} and the old
one as ${PREVIOUS_KEY_VARIABLE}, run this command, then drop the old key.
A school whose secrets open under neither key is named and left as it is
(exit 2).
`;

export const run: Command = async (argv, io) => {
  const args = parseCommand(argv, io, {
    command: 'secrets',
    help: HELP,
    words: ['rotate'],
    options: { database: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (!args) return EXIT.ok;
  const { values } = args;
  const keys = loadSecretKeys(io.env);
  const db = await openFleetDatabase({
    url: values.database ?? io.env.AURIGA_EDUSIGN_DATABASE_URL ?? '',
  });
  try {
    const result = await db.schools.rotate(keys);
    if (values.json) io.stdout.write(`${JSON.stringify({ key: keys.current.id, ...result })}\n`);
    else {
      io.stdout.write(
        `${result.rotated} school${result.rotated === 1 ? '' : 's'} now under key ${keys.current.id}.\n`,
      );
      for (const f of result.failed) io.stderr.write(`${f.school}: ${f.message}\n`);
    }
    return result.failed.length === 0 ? EXIT.ok : EXIT.failed;
  } finally {
    await db.close();
  }
};
