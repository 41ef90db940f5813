import { isAppError, StopRequested } from '../errors/app-error.ts';
import { type CliIo, type Command, EXIT } from './io.ts';

/** Each command lives in its own module, loaded only when asked for. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run: Command }> }> = {
  demo: {
    summary: 'sync a generated school against both sandboxes, twice',
    load: () => import('./commands/demo.ts'),
  },
  sandbox: {
    summary: 'start the Auriga (with Keycloak) and Edusign sandboxes',
    load: () => import('./commands/sandbox.ts'),
  },
  sync: { summary: 'run one school now', load: () => import('./commands/sync.ts') },
  plan: {
    summary: 'dry run: print what a sync would do, write nothing',
    load: () => import('./commands/plan.ts'),
  },
  auriga: {
    summary: "auriga read: read and check a school's favorites",
    load: () => import('./commands/auriga.ts'),
  },
  config: {
    summary: 'config check: validate a configuration file',
    load: () => import('./commands/config.ts'),
  },
  doctor: {
    summary: 'walk the prerequisites one by one',
    load: () => import('./commands/doctor.ts'),
  },
  serve: {
    summary: 'run the schedule for one or several schools',
    load: () => import('./commands/serve.ts'),
  },
  school: {
    summary: "a fleet's schools in PostgreSQL: import, list, show, enable, disable, remove",
    load: () => import('./commands/school.ts'),
  },
  secrets: {
    summary: "secrets rotate: re-encrypt a fleet's secrets under a new key",
    load: () => import('./commands/secrets.ts'),
  },
  worker: {
    summary: "take a fleet's run jobs from PostgreSQL and run them",
    load: () => import('./commands/worker.ts'),
  },
  explain: {
    summary: 'explain learner|instructor|sheet ID: why it is (not) on Edusign',
    load: () => import('./commands/explain.ts'),
  },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'Usage: auriga-edusign <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`),
    '',
    "Run `auriga-edusign <command> --help` for a command's options.",
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? EXIT.config : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`Unknown command "${name}".\n\n${usage()}`);
    return EXIT.config;
  }
  try {
    const { run } = await command.load();
    return await run(rest, io);
  } catch (error) {
    if (isAppError(error)) {
      io.stderr.write(
        `Error [${error.code}]: ${error.message}\n${error.hint ? `Fix: ${error.hint}\n` : ''}`,
      );
      return error.code.startsWith('config.') || error.name === 'ConfigError'
        ? EXIT.config
        : EXIT.failed;
    }
    if (
      error instanceof TypeError &&
      (error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
    ) {
      io.stderr.write(`${error.message}\n`);
      return EXIT.config;
    }
    io.stderr.write(
      `Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT.failed;
  }
}

function processIo(): CliIo {
  const controller = new AbortController();
  const stop = (signal: 'SIGINT' | 'SIGTERM') => () => {
    if (!controller.signal.aborted) controller.abort(new StopRequested(signal));
  };
  process.once('SIGINT', stop('SIGINT'));
  process.once('SIGTERM', stop('SIGTERM'));
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stopSignal: controller.signal,
  };
}
