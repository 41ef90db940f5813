import { z } from 'zod';
import { type SecretInput, secretSchema } from '../config/secret.ts';
import { ConfigError } from '../errors/app-error.ts';

/**
 * A school's notifications (console.md, "Notifications"), mounted at
 * `notifications` in the school's configuration, and the operator's, of the
 * same shape. Strict like every key: a typo in `smtp.pasword` must be an
 * error, not a silently unauthenticated mail server.
 */

export const NOTICE_EVENTS = ['run_failed', 'deletions_held', 'new_problems', 'recovered'] as const;
export type NoticeEvent = (typeof NOTICE_EVENTS)[number];

export const NOTICE_LANGUAGES = ['fr', 'en'] as const;
export type NoticeLanguage = (typeof NOTICE_LANGUAGES)[number];

const httpUrl = z
  .string()
  .trim()
  .url('must be a full URL such as https://sync.your-school.fr')
  .refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://');

const email = z.string().trim().email('must be an email address such as scolarite@ecole.fr');

export const smtpSchema = z
  .strictObject({
    host: z.string().trim().min(1),
    /** 587 is the submission port, where STARTTLS is the rule. @default 587 */
    port: z.number().int().min(1).max(65_535).default(587),
    /**
     * Require STARTTLS before anything, the password above all, is sent:
     * a server that does not offer it is refused. @default true
     */
    starttls: z.boolean().default(true),
    /** TLS from the first byte (port 465) instead of STARTTLS. @default false */
    secure: z.boolean().default(false),
    user: z.string().trim().min(1).optional(),
    password: secretSchema.optional(),
    /**
     * Accept a certificate no authority signed (a local relay, a test server).
     * Off by default: it lets anyone on the path read the password. @default false
     */
    acceptSelfSignedCertificate: z.boolean().default(false),
    /** Connection, greeting and each command's time limit. @default 30000 */
    timeoutMs: z.number().int().min(100).default(30_000),
  })
  .superRefine((smtp, ctx) => {
    if ((smtp.user === undefined) !== (smtp.password === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [smtp.user === undefined ? 'user' : 'password'],
        message: 'give both user and password, or neither for a relay that needs no login',
      });
  });

export const emailSchema = z.strictObject({
  smtp: smtpSchema,
  /** The sender, e.g. sync@your-school.fr; your SMTP server must allow it. */
  from: email,
  to: z.array(email).min(1, 'give at least one address'),
});

export const webhookSchema = z.strictObject({
  url: httpUrl,
  /** Signs every body (`X-Auriga-Edusign-Signature`); the receiver holds the same secret. */
  secret: secretSchema,
  /** No answer within this time counts as a failed attempt. @default 10000 */
  timeoutMs: z.number().int().min(100).default(10_000),
});

export const notificationsSchema = z
  .strictObject({
    /** Base of the links in each notice: the console, e.g. https://sync.your-school.fr */
    consoleUrl: httpUrl,
    /** @default the school's options.language when it is fr or en, else en */
    language: z.enum(NOTICE_LANGUAGES).optional(),
    /** Which events these channels are told about. @default all of them */
    events: z.array(z.enum(NOTICE_EVENTS)).min(1).optional(),
    email: emailSchema.optional(),
    /** @default [] */
    webhooks: z.array(webhookSchema).default([]),
  })
  .refine(
    (n) => n.email !== undefined || n.webhooks.length > 0,
    'give email or at least one webhook, or remove notifications',
  );

export type NotificationsInput = z.input<typeof notificationsSchema>;
export type NotificationsParsed = z.output<typeof notificationsSchema>;

/** Secrets resolved into plain strings: handle with care, never log. */
export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  readonly starttls: boolean;
  readonly secure: boolean;
  readonly auth: { readonly user: string; readonly password: string } | null;
  readonly acceptSelfSignedCertificate: boolean;
  readonly timeoutMs: number;
}

export interface WebhookSettings {
  readonly url: string;
  readonly secret: string;
  readonly timeoutMs: number;
}

export interface NotificationSettings {
  /** Whose channels these are: the school's name, or `operator`. */
  readonly owner: string;
  /** Without a trailing slash. */
  readonly consoleUrl: string;
  readonly language: NoticeLanguage;
  readonly events: readonly NoticeEvent[];
  readonly email: {
    readonly smtp: SmtpSettings;
    readonly from: string;
    readonly to: readonly string[];
  } | null;
  readonly webhooks: readonly WebhookSettings[];
}

/** The config loader's own secret resolution (`{env}`, `{file}`, inline), naming the key on failure. */
export type SecretResolver = (key: string, secret: SecretInput) => string;

export interface ResolveOptions {
  /** `school` for a school's block, `operator` for the operator's. */
  readonly owner: string;
  /** The school's `options.language`, used when `notifications.language` is absent. */
  readonly defaultLanguage?: string | undefined;
  readonly resolveSecret: SecretResolver;
  /** Prefix of the keys named in errors. @default notifications */
  readonly keyPrefix?: string;
}

/** Parse with `notificationsSchema`, throwing a ConfigError that names each key. */
export function parseNotifications(raw: unknown, keyPrefix = 'notifications'): NotificationsParsed {
  const result = notificationsSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const key = [keyPrefix, ...issue.path].join('.');
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((k) => `  - ${key}.${k}: unknown key; remove it or check its spelling`);
    return [`  - ${key}: ${issue.message}`];
  });
  throw new ConfigError('config.invalid', `${keyPrefix} is invalid:\n${lines.flat().join('\n')}`);
}

export function noticeLanguage(language: string | undefined): NoticeLanguage {
  return language?.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

/** The parsed block with its secrets resolved by the loader's resolver, frozen. */
export function resolveNotifications(
  parsed: NotificationsParsed,
  options: ResolveOptions,
): NotificationSettings {
  const prefix = options.keyPrefix ?? 'notifications';
  const smtp = parsed.email?.smtp;
  const settings: NotificationSettings = {
    owner: options.owner,
    consoleUrl: parsed.consoleUrl.replace(/\/+$/, ''),
    language: parsed.language ?? noticeLanguage(options.defaultLanguage),
    events: [...(parsed.events ?? NOTICE_EVENTS)],
    email:
      parsed.email && smtp
        ? {
            smtp: {
              host: smtp.host,
              port: smtp.port,
              starttls: smtp.starttls,
              secure: smtp.secure,
              auth:
                smtp.user !== undefined && smtp.password !== undefined
                  ? {
                      user: smtp.user,
                      password: options.resolveSecret(
                        `${prefix}.email.smtp.password`,
                        smtp.password,
                      ),
                    }
                  : null,
              acceptSelfSignedCertificate: smtp.acceptSelfSignedCertificate,
              timeoutMs: smtp.timeoutMs,
            },
            from: parsed.email.from,
            to: [...parsed.email.to],
          }
        : null,
    webhooks: parsed.webhooks.map((hook, i) => ({
      url: hook.url,
      secret: options.resolveSecret(`${prefix}.webhooks.${i}.secret`, hook.secret),
      timeoutMs: hook.timeoutMs,
    })),
  };
  return deepFreeze(settings);
}

/**
 * Resolved settings back into the configuration's `notifications:` (secrets
 * inline, `owner` dropped, `smtp.auth` as `user` and `password`): what the
 * schema takes again, e.g. to edit a fleet school's stored settings.
 */
export function inputOfNotifications(settings: NotificationSettings): NotificationsInput {
  const smtp = settings.email?.smtp;
  return {
    consoleUrl: settings.consoleUrl,
    language: settings.language,
    events: [...settings.events] as NoticeEvent[],
    ...(settings.email && smtp
      ? {
          email: {
            smtp: {
              host: smtp.host,
              port: smtp.port,
              starttls: smtp.starttls,
              secure: smtp.secure,
              acceptSelfSignedCertificate: smtp.acceptSelfSignedCertificate,
              timeoutMs: smtp.timeoutMs,
              ...(smtp.auth ? { user: smtp.auth.user, password: smtp.auth.password } : {}),
            },
            from: settings.email.from,
            to: [...settings.email.to],
          },
        }
      : {}),
    webhooks: settings.webhooks.map((hook) => ({
      url: hook.url,
      secret: hook.secret,
      timeoutMs: hook.timeoutMs,
    })),
  };
}

/**
 * Every secret in the settings, for the log scrubber: `secret` is not one of
 * the keys `collectSecrets` knows, so the wiring must add these itself.
 */
export function secretsOf(settings: readonly NotificationSettings[]): string[] {
  return settings.flatMap((s) => [
    ...(s.email?.smtp.auth ? [s.email.smtp.auth.password] : []),
    ...s.webhooks.map((w) => w.secret),
  ]);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
