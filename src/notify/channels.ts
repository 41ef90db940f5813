import nodemailer from 'nodemailer';
import { parseRetryAfter } from '../http/retry.ts';
import { redactSecrets } from '../observability/secrets.ts';
import type { NoticeEvent, NotificationSettings, SmtpSettings, WebhookSettings } from './config.ts';
import { renderEmail, webhookPayload } from './messages.ts';
import type { Notice } from './notice.ts';
import { SIGNATURE_HEADER, signBody } from './signature.ts';

/**
 * The edges that carry a notice out: email over SMTP (nodemailer) and signed
 * webhooks (fetch). A send never throws: it answers what happened, in words
 * without a secret, for the delivery's attempt log.
 */

export interface SendResult {
  readonly ok: boolean;
  /** The HTTP status (webhook) or SMTP reply code (email), when an answer came. */
  readonly status: number | null;
  /** What went wrong, scrubbed; null when ok. */
  readonly error: string | null;
  /** The receiver's `Retry-After`, when it gave one. */
  readonly retryAfterMs?: number;
}

export interface Channel {
  /** Stable across restarts while the configuration stays: `<owner>:email`, `<owner>:webhook:<n>`. */
  readonly id: string;
  readonly kind: 'email' | 'webhook';
  /** Where it goes, said without a secret: `smtp.example.org:587 → a@b`, `POST https://host/path`. */
  readonly target: string;
  readonly owner: string;
  readonly events: readonly NoticeEvent[];
  send(notice: Notice, now: Date): Promise<SendResult>;
}

export interface ChannelOptions {
  /** Handed to the webhooks, so tests point them anywhere. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Secrets beyond these settings' own (the school's Auriga and Edusign ones) to scrub from every text sent. */
  readonly secrets?: readonly string[];
}

/** The channels of one owner's settings, in a stable order. */
export function channelsOf(
  settings: NotificationSettings,
  options: ChannelOptions = {},
): Channel[] {
  const secrets = [
    ...(options.secrets ?? []),
    ...(settings.email?.smtp.auth ? [settings.email.smtp.auth.password] : []),
    ...settings.webhooks.map((w) => w.secret),
  ];
  const channels: Channel[] = [];
  if (settings.email) channels.push(emailChannel(settings, secrets));
  settings.webhooks.forEach((hook, i) => {
    channels.push(webhookChannel(settings, hook, i, secrets, options.fetch ?? globalThis.fetch));
  });
  return channels;
}

/**
 * The configured channel a queued delivery goes to. Webhook ids number the
 * webhooks in order (`<owner>:webhook:<n>`), so removing one renumbers the
 * next: a delivery goes first to its own id if that still points where it
 * did, else to the owner's channel of the same kind that points there (its
 * number moved), else to its id as configured now (the URL was corrected in
 * place). Undefined: the channel is gone.
 */
export function pickChannel(
  channels: readonly Channel[],
  row: { readonly channelId: string; readonly channel: Channel['kind']; readonly target: string },
): Channel | undefined {
  const same = channels.find((c) => c.id === row.channelId);
  if (same?.target === row.target) return same;
  const owner = row.channelId.replace(/:(email|webhook:\d+)$/, '');
  const moved = channels.find(
    (c) => c.owner === owner && c.kind === row.channel && c.target === row.target,
  );
  return moved ?? same;
}

/** nodemailer's options for our SMTP settings. */
export function transportOptions(smtp: SmtpSettings) {
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    // STARTTLS required: a server that does not offer it is refused, so the
    // password never crosses in clear. Without it nodemailer still upgrades
    // when the server offers STARTTLS (opportunistic TLS).
    requireTLS: smtp.starttls && !smtp.secure,
    ...(smtp.auth ? { auth: { user: smtp.auth.user, pass: smtp.auth.password } } : {}),
    tls: { rejectUnauthorized: !smtp.acceptSelfSignedCertificate },
    connectionTimeout: smtp.timeoutMs,
    greetingTimeout: smtp.timeoutMs,
    socketTimeout: smtp.timeoutMs,
    // nodemailer would otherwise log through its own logger, outside our scrubbing.
    logger: false,
    debug: false,
  } as const;
}

function emailChannel(settings: NotificationSettings, secrets: readonly string[]): Channel {
  const email = settings.email;
  if (!email) throw new Error('emailChannel without email settings');
  const { smtp } = email;
  return {
    id: `${settings.owner}:email`,
    kind: 'email',
    target: `${smtp.host}:${smtp.port} → ${email.to.join(', ')}`,
    owner: settings.owner,
    events: settings.events,
    async send(notice, now) {
      const message = renderEmail(notice, {
        language: settings.language,
        consoleUrl: settings.consoleUrl,
        secrets,
      });
      const transport = nodemailer.createTransport(transportOptions(smtp));
      try {
        const info = await transport.sendMail({
          from: email.from,
          to: [...email.to],
          subject: message.subject,
          text: message.text,
          date: now,
          headers: {
            // RFC 3834: no out-of-office answers to a robot's mail.
            'Auto-Submitted': 'auto-generated',
            'X-Auriga-Edusign-Event': notice.event,
            'X-Auriga-Edusign-School': notice.school,
            [NOTICE_HEADER]: notice.id,
          },
        });
        const code = /^(\d{3})/.exec(String(info.response ?? ''))?.[1];
        return { ok: true, status: code ? Number(code) : null, error: null };
      } catch (error) {
        const e = error as Error & { code?: string; responseCode?: number; response?: string };
        const detail = e.response ?? e.message;
        return {
          ok: false,
          status: typeof e.responseCode === 'number' ? e.responseCode : null,
          error: redactSecrets(
            `SMTP ${smtp.host}:${smtp.port}${e.code ? ` (${e.code})` : ''}: ${detail}`,
            secrets,
          ),
        };
      } finally {
        transport.close();
      }
    },
  };
}

/** Names the notice, the same on every attempt, so that a receiver can drop a repeat. */
export const NOTICE_HEADER = 'X-Auriga-Edusign-Notice';

/** The URL as shown in logs and the console: no user, password, query or fragment. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(unreadable URL)';
  }
}

/** How much of a refusing receiver's answer is kept in the attempt log. */
const ANSWER_EXCERPT_CHARS = 200;

function webhookChannel(
  settings: NotificationSettings,
  hook: WebhookSettings,
  index: number,
  secrets: readonly string[],
  fetchImpl: typeof fetch,
): Channel {
  const target = `POST ${describeUrl(hook.url)}`;
  return {
    id: `${settings.owner}:webhook:${index}`,
    kind: 'webhook',
    target,
    owner: settings.owner,
    events: settings.events,
    async send(notice, now) {
      const body = webhookPayload(notice, {
        consoleUrl: settings.consoleUrl,
        sentAt: now,
        secrets,
      });
      try {
        const response = await fetchImpl(hook.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'auriga-edusign',
            [SIGNATURE_HEADER]: signBody(body, hook.secret, now),
            // The same on every retry: delivery is at least once (an answer
            // lost after the receiver acted is retried), so receivers dedupe by it.
            [NOTICE_HEADER]: notice.id,
          },
          body,
          // A redirect would resend the signed body somewhere nobody configured.
          redirect: 'manual',
          signal: AbortSignal.timeout(hook.timeoutMs),
        });
        const answer = await response.text().catch(() => '');
        if (response.status >= 200 && response.status < 300)
          return { ok: true, status: response.status, error: null };
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now.getTime());
        const excerpt = answer.trim().slice(0, ANSWER_EXCERPT_CHARS);
        return {
          ok: false,
          status: response.status,
          error: redactSecrets(
            `${target} answered ${response.status}${excerpt ? `: ${excerpt}` : ''}`,
            secrets,
          ),
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        };
      } catch (error) {
        const e = error as Error & { cause?: { code?: string; message?: string } };
        const why =
          e.name === 'TimeoutError'
            ? `no answer within ${hook.timeoutMs} ms`
            : (e.cause?.code ?? e.cause?.message ?? e.message);
        return { ok: false, status: null, error: redactSecrets(`${target}: ${why}`, secrets) };
      }
    },
  };
}
