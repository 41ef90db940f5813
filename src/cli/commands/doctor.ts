import type { Command } from '../io.ts';
import { EXIT } from '../io.ts';

// Placeholder until the command is built; it says so rather than pretending.
export const run: Command = async (_argv, io) => {
  io.stderr.write('The "doctor" command is not built yet.\n');
  return EXIT.failed;
};
