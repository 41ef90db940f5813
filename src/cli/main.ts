import { readFileSync } from 'node:fs';
import { ConfigError, isAppError, StopRequested } from '../errors/app-error.ts';
import { USAGE_CODE } from './args.ts';
import { type CliIo, type Command, EXIT, errorJson } from './io.ts';

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
  user: {
    summary: 'user add|token: console accounts (one-time sign-in link) and API tokens',
    load: () => import('./commands/user.ts'),
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
  notify: {
    summary: 'notify test: send a test notice on every channel',
    load: () => import('./commands/notify.ts'),
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
  const [first, ...after] = argv;
  if (first === '--version' || first === '-V') {
    io.stdout.write(`auriga-edusign ${packageVersion()}\n`);
    return EXIT.ok;
  }
  // `help sync` is `sync --help`.
  const [name, ...rest] = first === 'help' && after[0] !== undefined ? [after[0], '--help'] : argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? EXIT.config : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`Unknown command "${name}". Run \`auriga-edusign --help\` for the list.\n`);
    return EXIT.config;
  }
  // Known before parsing, so that even a wrong option is answered in JSON.
  const options = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  const json = options.includes('--json');
  try {
    const { run } = await command.load();
    return await run(rest, io);
  } catch (error) {
    return failed(error, io, json);
  }
}

/**
 * A command's failure, printed once for all: one JSON object on stdout with
 * --json (`{ ok: false, error: { code, message, hint? } }`), else one line
 * for a command-line mistake and `Error [code]: …` with its fix otherwise.
 * The exit code is the same either way.
 */
function failed(error: unknown, io: CliIo, json: boolean): number {
  const known = isAppError(error);
  const code =
    known && (error.code.startsWith('config.') || error instanceof ConfigError)
      ? EXIT.config
      : EXIT.failed;
  if (json) {
    const failure = known
      ? errorJson(error)
      : { code: 'internal', message: error instanceof Error ? error.message : String(error) };
    io.stdout.write(`${JSON.stringify({ ok: false, error: failure })}\n`);
    if (!known) io.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    return code;
  }
  if (known && error.code === USAGE_CODE) io.stderr.write(`${error.message}\n`);
  else if (known)
    io.stderr.write(
      `Error [${error.code}]: ${error.message}\n${error.hint ? `Fix: ${error.hint}\n` : ''}`,
    );
  else
    io.stderr.write(
      `Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  return code;
}

function packageVersion(): string {
  const file = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
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
