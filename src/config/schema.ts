import { z } from 'zod';
import { type NotificationSettings, notificationsSchema } from '../notify/config.ts';
import { secretSchema } from './secret.ts';

/**
 * A school's configuration: the seed's prerequisites (docs/rules.md §1)
 * plus our options. Parsed once by this schema into a frozen, fully defaulted
 * object. Unknown keys are errors: a typo must not be silently ignored.
 */

export { type SecretInput, secretSchema } from './secret.ts';

/** A header's value: some instances want an API key there, so it is shown back like a secret. */
const headerValue = z.string();

/** Schemas whose values are never shown back, not even in an error (see `keys.ts`). */
export const SECRET_SCHEMAS: ReadonlySet<z.ZodType> = new Set<z.ZodType>([
  secretSchema,
  headerValue,
]);

const url = z
  .string()
  .trim()
  .url('must be a full URL such as https://auriga.your-school.fr')
  .refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://');

const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/Paris');

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM, e.g. 11:00');

const scheduleWindow = z
  .strictObject({ from: clock, to: clock })
  .refine((w) => w.from < w.to, 'a window must end after it starts, on the same day');

export const aurigaSchema = z.strictObject({
  /** The Auriga application, e.g. https://auriga.your-company.fr */
  url,
  /** SSO base URL, with or without the legacy `/auth` suffix, even with `/realms/...` pasted on. */
  keycloakUrl: url,
  realm: z.string().trim().min(1),
  clientId: z.string().trim().min(1),
  clientSecret: secretSchema,
  username: z.string().trim().min(1),
  password: secretSchema,
  interventionsQueryId: z.coerce.string().trim().min(1),
  groupsQueryId: z.coerce.string().trim().min(1).optional(),
  /** Found from /api/menus when absent. */
  menuEntryId: z.coerce.string().trim().min(1).optional(),
  /** Rows asked per page of a favorite. Auriga's web app uses 100 to 300. @default 200 */
  pageSize: z.number().int().min(1).max(1000).default(200),
  /** A safety stop: never read more pages than this from one favorite. @default 1000 */
  maxPages: z.number().int().min(1).default(1000),
  /** One HTTP request's time limit. @default 30000 */
  timeoutMs: z.number().int().min(100).default(30_000),
  /** Extra headers some instances require, e.g. `{ "x-scope": "frontend" }`. @default {} */
  extraHeaders: z.record(z.string(), headerValue).default({}),
});

export const edusignSchema = z.strictObject({
  token: secretSchema,
  /** @default https://ext.edusign.fr */
  baseUrl: url.default('https://ext.edusign.fr'),
  /** Edusign allows 480 requests a minute per account; we stay at it by default. @default 480 */
  requestsPerMinute: z.number().int().min(1).default(480),
  /** @default 30000 */
  timeoutMs: z.number().int().min(100).default(30_000),
  /** Requests in flight at once while writing. @default 4 */
  concurrency: z.number().int().min(1).max(32).default(4),
});

export const optionsSchema = z.strictObject({
  /** The seed's "Group synchronization" option. @default false */
  syncGroups: z.boolean().default(false),
  /** Auriga motive → Edusign absence reason name; checked against Edusign's list. @default {} */
  absenceMotives: z.record(z.string(), z.string()).default({}),
  /** @default 14 */
  windowDays: z.number().int().min(1).max(90).default(14),
  /** @default Europe/Paris */
  timeZone: timeZone.default('Europe/Paris'),
  /** Label language. @default fr */
  language: z.string().trim().min(2).max(8).default('fr'),
  /** @default " § " */
  courseNameSeparator: z.string().default(' § '),
  /** @default 11:00–13:00 and 18:00–21:00 in timeZone (the seed's windows). */
  schedule: z
    .array(scheduleWindow)
    .min(1)
    .default([
      { from: '11:00', to: '13:00' },
      { from: '18:00', to: '21:00' },
    ]),
  /**
   * Mass-change guard: deletions above this share of the managed sheets in
   * the window are held until a person confirms. @default 0.1
   */
  maxDeleteShare: z.number().min(0).max(1).default(0.1),
  /**
   * … and only when they are also more than this many sheets: a small school
   * cancelling two classes is not an accident. @default 5
   */
  maxDeleteCount: z.number().int().min(0).default(5),
});

export const storeSchema = z.strictObject({
  /** `sqlite` (embedded file, one school on one machine) or `postgres` (a fleet). @default sqlite */
  kind: z.enum(['sqlite', 'postgres']).default('sqlite'),
  /** SQLite file, relative to the configuration file. @default .auriga-edusign/<school>.sqlite */
  path: z.string().optional(),
  /**
   * PostgreSQL connection string when kind is postgres, e.g.
   * `postgres://user:password@host:5432/db`. It carries a password, so it is
   * a secret: inline, `{ env }` or `{ file }`, and shown back masked.
   */
  url: secretSchema.optional(),
});

export const configSchema = z.strictObject({
  /** A short name of the school (the tenant): used for the store and in logs. @default the file's name */
  school: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'use letters, digits, dot, dash, underscore')
    .optional(),
  auriga: aurigaSchema,
  edusign: edusignSchema,
  options: optionsSchema.default(optionsSchema.parse({})),
  store: storeSchema.default({ kind: 'sqlite' }),
  /** Who is told, by email and webhooks, when a run needs a person (docs/notifications.md). */
  notifications: notificationsSchema.optional(),
});

export type ConfigInput = z.input<typeof configSchema>;
type Parsed = z.output<typeof configSchema>;

/** Secrets after resolution: plain strings, to be handled with care (never logged). */
export type Config = Readonly<
  Omit<Parsed, 'auriga' | 'edusign' | 'school' | 'store' | 'notifications'> & {
    school: string;
    /** Resolved (secrets read, owner: the school), frozen; absent when not configured. */
    notifications?: NotificationSettings | undefined;
    store: Omit<Parsed['store'], 'url'> & { url?: string | undefined };
    auriga: Readonly<
      Omit<Parsed['auriga'], 'clientSecret' | 'password'> & {
        clientSecret: string;
        password: string;
      }
    >;
    edusign: Readonly<Omit<Parsed['edusign'], 'token'> & { token: string }>;
  }
>;
export type AurigaConfig = Config['auriga'];
export type EdusignConfig = Config['edusign'];
export type SyncOptions = Config['options'];
