import type { Command } from '../io.ts';
import { runCommand } from './sync.ts';

export const run: Command = (argv, io) => runCommand(argv, io, true);
