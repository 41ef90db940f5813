import { parseArgs } from 'node:util';
import { loadConfigFile } from '../../config/load.ts';
import { ConfigError, isAppError } from '../../errors/app-error.ts';
import { DEFAULT_HOST, DEFAULT_PORT } from '../../serve/service.ts';
import { ROLES, type Role } from '../../store/console/port.ts';
import { openStore } from '../../store/index.ts';
import type { Store } from '../../store/port.ts';
import { addAccount, newApiToken, signInLink } from '../../web/accounts.ts';
import { type Command, EXIT } from '../io.ts';

const HELP = `Usage:
  auriga-edusign user add --email E --role operator|admin|viewer [--school NAME ...]
                          (--config FILE | --database URL) [--url CONSOLE_URL]
  auriga-edusign user token --email E (--config FILE | --database URL) [--name NAME]
  auriga-edusign user link --email E (--config FILE | --database URL) [--url CONSOLE_URL]

add    creates a console account and prints a one-time sign-in link: the
       person opens it and chooses a password (the link works once, for 7 days).
       An admin or a viewer sees only the schools given with --school.
link   prints a new one-time link for an existing account (a forgotten
       password): using it sets a new password and ends the account's sessions.
token  prints a new API token for the account (Authorization: Bearer …),
       shown once; it acts with the account's role and schools.

  --config FILE     the store of this school's configuration holds the accounts
                    (the store \`serve\` uses for its first --config)
  --database URL    or the store itself: postgres://… or a SQLite file path
  --url URL         where people reach the console, for the link
                    (default http://${DEFAULT_HOST}:${DEFAULT_PORT})
`;

export const run: Command = async (argv, io) => {
  const [action, ...rest] = argv;
  if (action === undefined || action === '--help' || action === '-h') {
    io.stdout.write(HELP);
    return action === undefined ? EXIT.config : EXIT.ok;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      role: { type: 'string' },
      school: { type: 'string', multiple: true },
      config: { type: 'string', short: 'c' },
      database: { type: 'string' },
      url: { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.ok;
  }
  if (action !== 'add' && action !== 'token' && action !== 'link') {
    io.stderr.write(`Unknown action "${action}": add, link or token.\n\n${HELP}`);
    return EXIT.config;
  }
  if (!values.email) throw new ConfigError('config.bad_option', '--email is required.');
  const store = await storeOf(values.config, values.database, io.env);
  try {
    const now = () => new Date();
    if (action === 'add') {
      const role = values.role as Role;
      if (!ROLES.includes(role))
        throw new ConfigError('config.bad_option', `--role must be one of ${ROLES.join(', ')}.`);
      try {
        const added = await addAccount(
          store.console(),
          { email: values.email, role, schools: values.school ?? [] },
          { now, publicUrl: values.url ?? `http://${DEFAULT_HOST}:${DEFAULT_PORT}`, actor: 'cli' },
        );
        io.stdout.write(
          `Account ${added.account.email} (${added.account.role}${added.account.schools.length > 0 ? `: ${added.account.schools.join(', ')}` : ''}) added.\n` +
            `One-time sign-in link (works once, for 7 days; send it to the person only):\n${added.signInLink}\n`,
        );
      } catch (error) {
        if (isAppError(error) && error.code.startsWith('account.'))
          throw new ConfigError('config.bad_option', error.message);
        throw error;
      }
      return EXIT.ok;
    }
    const account = await store.console().findAccountByEmail(values.email);
    if (!account)
      throw new ConfigError(
        'config.bad_option',
        `No account for ${values.email}: add it first with \`user add\`.`,
      );
    if (action === 'link') {
      const link = await signInLink(store.console(), account.id, {
        now,
        publicUrl: values.url ?? `http://${DEFAULT_HOST}:${DEFAULT_PORT}`,
      });
      await store.console().audit({
        at: now().toISOString(),
        actor: 'cli',
        school: account.schools[0] ?? null,
        action: 'account.link_issued',
        detail: { email: account.email },
      });
      io.stdout.write(
        `One-time sign-in link for ${account.email} (works once, for 7 days):\n${link}\n`,
      );
      return EXIT.ok;
    }
    const { token } = await newApiToken(store.console(), account, values.name ?? 'cli', now);
    io.stdout.write(
      `API token for ${account.email} (shown once; send it as "Authorization: Bearer <token>"):\n${token}\n`,
    );
    return EXIT.ok;
  } finally {
    await store.close();
  }
};

function storeOf(
  config: string | undefined,
  database: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<Store> {
  if (config && database)
    throw new ConfigError('config.bad_option', 'Give --config FILE or --database URL, not both.');
  if (config) return openStore(loadConfigFile(config, { env }).store);
  if (database)
    return openStore(
      /^postgres(ql)?:\/\//.test(database)
        ? { kind: 'postgres', url: database }
        : { kind: 'sqlite', path: database },
    );
  throw new ConfigError('config.bad_option', 'Give --config FILE (its store) or --database URL.');
}
