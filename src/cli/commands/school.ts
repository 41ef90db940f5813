import { loadConfigFile } from '../../config/load.ts';
import { maskConfig } from '../../config/mask.ts';
import { openFleetDatabase } from '../../fleet/database.ts';
import { UnknownSchool } from '../../fleet/schools.ts';
import { loadSecretKeys } from '../../fleet/secret-key.ts';
import { configFromSettings } from '../../fleet/settings.ts';
import { parseCommand, usageError } from '../args.ts';
import { type Command, EXIT } from '../io.ts';

const HELP = `Usage: auriga-edusign school import|list|show|enable|disable|remove [NAME] --database URL [--config FILE] [--purge] [--json]

The schools of a fleet, kept in its PostgreSQL database (see "Run a fleet"
in the README). Secrets are stored encrypted under AURIGA_EDUSIGN_SECRET_KEY
(or AURIGA_EDUSIGN_SECRET_KEY_FILE), which every fleet process needs.

  school import --config FILE   add or update a school from a configuration
                                file, checked exactly as \`config check\`
                                does; nothing is written when it is refused
  school list                   every school, enabled or not
  school show NAME              one school's settings, secrets masked
  school enable NAME            runs it in its windows again
  school disable NAME           gives it no more runs (history kept)
  school remove NAME [--purge]  removes it; its runs and previous settings are
                                kept unless --purge

  --database URL                postgres://USER:PASSWORD@HOST:5432/DATABASE
                                (or AURIGA_EDUSIGN_DATABASE_URL)
  --json                        print one JSON object
`;

export const run: Command = async (argv, io) => {
  const spec = {
    command: 'school',
    help: HELP,
    positionals: { min: 1, max: 2 },
    options: {
      database: { type: 'string' },
      config: { type: 'string', short: 'c' },
      purge: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  } as const;
  const args = parseCommand(argv, io, spec);
  if (!args) return EXIT.ok;
  const { values } = args;
  const [action = '', name] = args.positionals;
  const known = ['import', 'list', 'show', 'enable', 'disable', 'remove'];
  if (!known.includes(action)) throw usageError(spec, `unknown action "${action}"`);
  if (action !== 'import' && action !== 'list' && name === undefined)
    throw usageError(spec, `school ${action} needs the school's name`);
  if (action === 'import' && values.config === undefined)
    throw usageError(spec, 'school import needs --config FILE');
  const keys = loadSecretKeys(io.env);
  // Validated before the database is touched: a refused file writes nothing.
  const config =
    action === 'import' ? loadConfigFile(values.config as string, { env: io.env }) : undefined;
  const db = await openFleetDatabase({
    url: values.database ?? io.env.AURIGA_EDUSIGN_DATABASE_URL ?? '',
  });
  const out = (text: string, json: unknown) =>
    io.stdout.write(values.json ? `${JSON.stringify(json)}\n` : text);
  try {
    switch (action) {
      case 'import': {
        if (config === undefined) return EXIT.config;
        const result = await db.schools.import(config, keys);
        out(`School "${config.school}" ${result}.\n`, { school: config.school, result });
        return EXIT.ok;
      }
      case 'list': {
        const rows = await db.schools.list();
        out(
          rows.length === 0
            ? 'No school yet: add one with `school import --config FILE`.\n'
            : `${rows
                .map(
                  (r) =>
                    `${r.name}\t${r.enabled ? 'enabled' : 'disabled'}\tv${r.version}\t${r.aurigaHost}\tupdated ${r.updatedAt}`,
                )
                .join('\n')}\n`,
          rows,
        );
        return EXIT.ok;
      }
      case 'show': {
        const school = name as string;
        const row = await db.schools.get(school);
        if (row === undefined) throw new UnknownSchool(school);
        const shown = maskConfig(configFromSettings(school, row.settings, keys));
        const { settings: _sealed, ...about } = row;
        const versions = await db.schools.versions(school);
        out(
          `School "${school}" (${row.enabled ? 'enabled' : 'disabled'}, version ${row.version}, ${versions.length} previous version${versions.length === 1 ? '' : 's'} kept):\n${JSON.stringify(shown, null, 2)}\n`,
          { ...about, versions, config: shown },
        );
        return EXIT.ok;
      }
      case 'enable':
      case 'disable': {
        const school = name as string;
        if (!(await db.schools.setEnabled(school, action === 'enable')))
          throw new UnknownSchool(school);
        out(`School "${school}" ${action}d.\n`, { school, enabled: action === 'enable' });
        return EXIT.ok;
      }
      default: {
        const school = name as string;
        const removed = await db.schools.remove(school, { purge: values.purge ?? false });
        if (!removed && !values.purge) throw new UnknownSchool(school);
        out(
          values.purge
            ? `School "${school}" removed with its history (runs, mappings, previous settings).\n`
            : `School "${school}" removed; its runs and previous settings are kept (--purge deletes them).\n`,
          { school, removed: true, purged: values.purge ?? false },
        );
        return EXIT.ok;
      }
    }
  } finally {
    await db.close();
  }
};
