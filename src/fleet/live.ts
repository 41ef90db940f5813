import pg from 'pg';
import type { Logger } from '../observability/logger.ts';
import { createLiveBoard, type LiveBoard, type LiveRun } from '../web/live.ts';
import type { FleetDatabase } from './database.ts';

/**
 * The live view of a fleet's runs: a worker, on any machine, publishes each
 * run's progress with PostgreSQL's NOTIFY; every `serve --database` LISTENs
 * and keeps the console's live board. Nothing is stored: a console started
 * mid-run sees the run from its next message (within a second), and a lost
 * message costs a moment of staleness, never a run.
 */

/** One channel per fleet schema, so two fleets sharing a database never mix. */
const channelOf = (schema: string) => `${schema}_live`.slice(0, 63);

/** What a worker publishes to: the live board's writing half. */
export type LivePublisher = Pick<LiveBoard, 'start' | 'update'> & {
  /** Send what is pending now and stop sending. */
  close(): Promise<void>;
};

/**
 * Publishes each school's live run: a new phase or the end at once, counts
 * at most every `intervalMs`. A failed NOTIFY is logged and dropped: a
 * live view never fails or slows a run.
 */
export function livePublisher(
  db: FleetDatabase,
  logger: Pick<Logger, 'warn'>,
  options: { readonly intervalMs?: number } = {},
): LivePublisher {
  const intervalMs = options.intervalMs ?? 500;
  const board = createLiveBoard();
  const timers = new Map<string, NodeJS.Timeout>();
  const sending = new Set<Promise<unknown>>();
  let warned = false;
  const send = (school: string) => {
    const timer = timers.get(school);
    if (timer) clearTimeout(timer);
    timers.delete(school);
    const run = board.get(school);
    if (run === undefined) return;
    const sent = db.pool
      .query('SELECT pg_notify($1, $2)', [channelOf(db.schema), JSON.stringify({ school, run })])
      .catch((error: Error) => {
        if (!warned)
          logger.warn({ err: error.message }, 'live view: progress could not be published');
        warned = true;
      })
      .finally(() => sending.delete(sent));
    sending.add(sent);
  };
  return {
    start(school, at) {
      board.start(school, at);
      send(school);
    },
    update(school, change) {
      const before = board.get(school);
      board.update(school, change);
      if (change.phase !== undefined && change.phase !== before?.phase) send(school);
      else if (!timers.has(school))
        timers.set(
          school,
          setTimeout(() => send(school), intervalMs),
        );
    },
    async close() {
      for (const school of [...timers.keys()]) send(school);
      await Promise.all(sending);
    },
  };
}

/**
 * The console's live board, fed by the workers' messages: a connection of
 * its own LISTENs (a pooled one would be handed to others), and comes back
 * with a backoff when it is lost.
 */
export function listenLive(
  db: FleetDatabase,
  logger: Pick<Logger, 'warn' | 'info'>,
): { readonly board: LiveBoard; readonly ready: Promise<void>; close(): Promise<void> } {
  const board = createLiveBoard();
  let listening: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    listening = resolve;
  });
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let attempt = 0;
  const connect = async () => {
    if (closed) return;
    const next = new pg.Client({
      connectionString: db.url,
      application_name: 'auriga-edusign live view',
    });
    next.on('notification', (message) => {
      try {
        const { school, run } = JSON.parse(message.payload ?? '') as {
          school: string;
          run: LiveRun;
        };
        if (board.get(school)?.startedAt !== run.startedAt) board.start(school, run.startedAt);
        board.update(school, run);
      } catch {
        // Not one of ours: ignored.
      }
    });
    next.on('error', () => undefined);
    next.on('end', () => {
      if (closed) return;
      client = undefined;
      schedule();
    });
    try {
      await next.connect();
      await next.query(`LISTEN "${channelOf(db.schema)}"`);
      if (closed) {
        await next.end().catch(() => undefined);
        return;
      }
      client = next;
      listening();
      if (attempt > 0) logger.info({}, 'live view: listening again');
      attempt = 0;
    } catch (error) {
      await next.end().catch(() => undefined);
      logger.warn({ err: (error as Error).message }, 'live view: cannot listen; trying again');
      schedule();
    }
  };
  const schedule = () => {
    if (closed || retry) return;
    const waitMs = Math.min(30_000, 1000 * 2 ** attempt++);
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, waitMs);
  };
  void connect();
  return {
    board,
    ready,
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
