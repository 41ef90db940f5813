import { loadConfigFile } from '../../config/load.ts';
import { scrubberFor } from '../../config/scrubber.ts';
import { ConfigError } from '../../errors/app-error.ts';
import { notifyTest } from '../../notify/notifier.ts';
import { CONFIG_OPTION, parseCommand } from '../args.ts';
import { type Command, EXIT } from '../io.ts';

const HELP = `Usage: auriga-edusign notify test --config FILE [--json]

Sends a test notice on every channel of the school's notifications (each
email recipient list and each webhook) at once, without the retry queue, and
prints one line per channel: its kind, where it goes, and ok or what went
wrong. Nothing is stored.

  --config FILE   the school's configuration (YAML or JSON)
  --json          print {ok, results} as one JSON object

Exit codes: 0 every channel answered, 2 a channel failed, 3 configuration
error (no notifications configured, among others).
`;

export const run: Command = async (argv, io) => {
  const args = parseCommand(argv, io, {
    command: 'notify test',
    help: HELP,
    words: ['test'],
    requireConfig: true,
    options: { ...CONFIG_OPTION, json: { type: 'boolean' } },
  });
  if (!args) return EXIT.ok;
  const file = args.values.config as string;
  const config = loadConfigFile(file, { env: io.env });
  if (!config.notifications)
    throw new ConfigError(
      'config.no_notifications',
      `${file} configures no notifications: there is nothing to test.`,
      { hint: 'Add a notifications section (see docs/notifications.md).' },
    );
  const results = await notifyTest(config.notifications, {
    secrets: scrubberFor([config]).secrets(),
  });
  const ok = results.every((result) => result.ok);
  if (args.values.json) io.stdout.write(`${JSON.stringify({ ok, results })}\n`);
  else {
    const width = Math.max(...results.map((r) => r.target.length));
    for (const r of results)
      io.stdout.write(
        `${r.channel.padEnd(7)}  ${r.target.padEnd(width)}  ${r.ok ? 'ok' : `error: ${r.error ?? `status ${r.status}`}`}\n`,
      );
  }
  return ok ? EXIT.ok : EXIT.failed;
};
