import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { WebhookBody } from './messages.ts';
import { SIGNATURE_HEADER, SIGNATURE_TOLERANCE_SECONDS, verifySignature } from './signature.ts';

/**
 * An example webhook receiver, to copy into your own service: it checks the
 * signature over the raw body before reading anything, refuses one older
 * than 5 minutes (a replay) or not matching (401), and answers 2xx fast:
 * do the slow work after answering, since no answer within the sender's
 * timeout counts as a failure and is retried.
 *
 * Run it as is:  HOOK_SECRET=… PORT=8080 node src/notify/example-receiver.ts
 */

export interface ReceiverOptions {
  readonly secret: string;
  /** Called with each verified notice. */
  readonly onNotice: (notice: WebhookBody) => void;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default 300 */
  readonly toleranceSeconds?: number;
  /** Bodies larger than this are refused (413). @default 1 MiB */
  readonly maxBodyBytes?: number;
}

export function receiverHandler(options: ReceiverOptions) {
  const maxBytes = options.maxBodyBytes ?? 1024 * 1024;
  return async (request: IncomingMessage, response: ServerResponse) => {
    const answer = (status: number, text: string) => {
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`${text}\n`);
    };
    if (request.method !== 'POST') return answer(405, 'POST only');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) return answer(413, 'body too large');
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    const verdict = verifySignature({
      header: request.headers[SIGNATURE_HEADER.toLowerCase()],
      body,
      secret: options.secret,
      now: (options.now ?? (() => new Date()))(),
      toleranceSeconds: options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS,
    });
    // Say why, but never echo the body or the expected signature back.
    if (!verdict.ok)
      return answer(401, `signature refused (${verdict.reason}): ${verdict.message}`);
    let notice: WebhookBody;
    try {
      notice = JSON.parse(body.toString('utf8')) as WebhookBody;
    } catch {
      return answer(400, 'not JSON');
    }
    answer(204, '');
    options.onNotice(notice);
  };
}

export function createReceiver(options: ReceiverOptions): Server {
  const handle = receiverHandler(options);
  return createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
}

if (import.meta.main) {
  const secret = process.env.HOOK_SECRET;
  if (!secret) {
    console.error('Set HOOK_SECRET to the webhook secret given in the school configuration.');
    process.exit(2);
  }
  const port = Number(process.env.PORT ?? 8080);
  createReceiver({
    secret,
    onNotice: (n) => console.log(`${n.sentAt} ${n.school} ${n.event} ${n.consoleUrl}`),
  }).listen(port, () => console.log(`listening on :${port}`));
}
