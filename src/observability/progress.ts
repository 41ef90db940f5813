/**
 * A one-line progress display for people at a terminal: each phase of a run
 * (reading Auriga, planning, writing to Edusign) redraws its counts and rate
 * in place, and leaves one final line when it ends. Off the terminal (CI,
 * cron, a log file) it writes nothing: the logs carry the same facts.
 */

export type PhaseName = 'auriga' | 'edusign' | 'plan' | 'write';

/** A writable text stream; a TTY says so with `isTTY` and may give its width in `columns`. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(chunk: string): unknown;
}

export interface ProgressOptions {
  /** @default process.stderr, so that standard output stays clean for piping */
  readonly stream?: ProgressStream;
  /** @default whether the stream is a terminal */
  readonly enabled?: boolean;
  /** Milliseconds from any origin. @default performance.now */
  readonly now?: () => number;
  /** Redraw at most this often: about ten times a second is smooth and cheap. @default 100 */
  readonly minIntervalMs?: number;
}

export interface Progress {
  /** Begin a phase (ending the current one, if any). `total`, when known, shows a fraction. */
  phase(name: PhaseName, total?: number): void;
  /** `n` more items done (default 1); `detail` replaces the phase's note, e.g. `3 pages`. */
  tick(n?: number, detail?: string): void;
  /** End the current phase with its final line. */
  done(): void;
}

const PHASES: Readonly<Record<PhaseName, { label: string; unit: string }>> = Object.freeze({
  auriga: { label: 'reading Auriga', unit: 'rows' },
  edusign: { label: 'reading Edusign', unit: 'records' },
  plan: { label: 'planning', unit: 'records' },
  write: { label: 'writing Edusign', unit: 'operations' },
});

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** Erase from the cursor to the end of the line: a shorter redraw leaves no tail behind. */
const CLEAR_TO_END = '\x1b[K';

function formatRate(perSecond: number): string {
  return perSecond < 10 ? oneDecimal.format(perSecond) : integer.format(perSecond);
}

function formatDuration(ms: number): string {
  // Under a second, "0 s" would say nothing happened: milliseconds say how quick it was.
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${oneDecimal.format(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

interface PhaseState {
  readonly name: PhaseName;
  readonly total: number | undefined;
  readonly startedAt: number;
  count: number;
  detail: string | undefined;
  lastDrawAt: number | undefined;
}

/**
 * The text of a phase's line, without control characters. A phase with
 * nothing to count (reading Edusign, planning) shows its note or "done",
 * never "0 records"; one with nothing to do says so.
 */
function formatPhaseLine(state: PhaseState, now: number, final: boolean): string {
  const { label, unit } = PHASES[state.name];
  const elapsedMs = now - state.startedAt;
  if (state.total === 0) return `${label}  nothing to ${state.name === 'write' ? 'write' : 'do'}`;
  if (state.count === 0 && state.total === undefined) {
    const what = state.detail || (final ? 'done' : '…');
    return `${label}  ${what}${final ? ` in ${formatDuration(elapsedMs)}` : ''}`;
  }
  const count =
    state.total === undefined
      ? `${integer.format(state.count)} ${unit}`
      : `${integer.format(state.count)}/${integer.format(state.total)} ${unit}` +
        (state.total > 0 ? ` ${Math.floor((100 * state.count) / state.total)}%` : '');
  const notes: string[] = [];
  if (state.detail !== undefined && state.detail !== '') notes.push(state.detail);
  // Under a tenth of a second the rate is noise; say nothing rather than something silly.
  if (elapsedMs >= 100) notes.push(`${formatRate((state.count * 1000) / elapsedMs)} ${unit}/s`);
  // What is left at the pace so far; after a second, when the pace means something.
  if (!final && state.total !== undefined && state.count > 0 && elapsedMs >= 1000) {
    const leftMs = (elapsedMs * (state.total - state.count)) / state.count;
    if (leftMs > 0) notes.push(`about ${formatDuration(Math.max(leftMs, 1000))} left`);
  }
  const timing = final ? ` in ${formatDuration(elapsedMs)}` : '';
  const tail = notes.length === 0 ? '' : `  (${notes.join(', ')})`;
  return `${label}  ${count}${timing}${tail}`;
}

const disabled: Progress = Object.freeze({ phase() {}, tick() {}, done() {} });

export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (!(options.enabled ?? stream.isTTY === true)) return disabled;
  const now = options.now ?? (() => performance.now());
  const minIntervalMs = options.minIntervalMs ?? 100;
  let current: PhaseState | undefined;

  const fitWidth = (line: string) => {
    const width = stream.columns;
    // Wider than the terminal, the line would wrap and `\r` would no longer return to its start.
    return width !== undefined && width > 1 && line.length >= width
      ? line.slice(0, width - 1)
      : line;
  };

  const draw = (state: PhaseState, at: number) => {
    state.lastDrawAt = at;
    stream.write(`\r${fitWidth(formatPhaseLine(state, at, false))}${CLEAR_TO_END}`);
  };

  const progress: Progress = {
    phase(name, total) {
      if (current !== undefined) progress.done();
      const startedAt = now();
      current = { name, total, startedAt, count: 0, detail: undefined, lastDrawAt: undefined };
      draw(current, startedAt);
    },

    tick(n = 1, detail) {
      if (current === undefined) return;
      current.count += n;
      if (detail !== undefined) current.detail = detail;
      const at = now();
      if (current.lastDrawAt === undefined || at - current.lastDrawAt >= minIntervalMs) {
        draw(current, at);
      }
    },

    done() {
      if (current === undefined) return;
      const line = formatPhaseLine(current, now(), true);
      current = undefined;
      stream.write(`\r${fitWidth(line)}${CLEAR_TO_END}\n`);
    },
  };
  return progress;
}
