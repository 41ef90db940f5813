import type { SyncWindow } from '../domain/types.ts';
import type { EventKind, ExplainEvent, ExplanationData, Subject } from './derive.ts';

/**
 * Writing an explanation: the derived data (derive.ts) in plain sentences a
 * school admin reads. Pure text. A sentence points to the rules by
 * docs/rules.md, the page the school has, never by an internal file.
 */

const NOUN: Record<Subject, string> = {
  learner: 'Learner',
  instructor: 'Instructor',
  sheet: 'Sheet',
};

/**
 * `2026-03-02 14:05 Europe/Paris`: the school's wall-clock time with its zone
 * named, so a reader elsewhere (an integrator, support) reads the right hour.
 */
export function localTime(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${timeZone}`;
}

const windowWords = (w: SyncWindow) => `from ${w.firstDay} to ${w.lastDay}, ${w.timeZone}`;

const rowWords = (e: ExplainEvent) =>
  e.row
    ? ` (Auriga ${e.row.favorite === 'groups' ? 'Groups' : 'Interventions'} favorite, row ${e.row.id.startsWith('#') ? e.row.id : `of intervention ${e.row.id}`})`
    : '';

/** The answer in a few plain sentences for a school admin; dates in the school's zone. */
export function sentencesOf(e: ExplanationData, timeZone: string): string[] {
  const at = (iso: string) => localTime(iso, timeZone);
  const who = `${NOUN[e.subject]} ${e.aurigaId}`;
  const them = e.subject === 'sheet' ? 'it' : 'them';
  const out: string[] = [];
  const findEvent = (kind: EventKind) => e.history.find((h) => h.event === kind);

  switch (e.state) {
    case 'no_run':
      out.push(
        `No run of ${e.school} is recorded in the store yet, so nothing can be told about ${who}: run \`auriga-edusign sync\` first.`,
      );
      return out;
    case 'created': {
      const created = findEvent('created');
      const adopted = findEvent('adopted');
      out.push(
        `${who} is on Edusign (Edusign id ${e.edusignId}), created by the sync on ${at(e.mapping?.createdAt ?? '')}.`,
      );
      if (created) out.push(`Why: ${created.message}`);
      else if (adopted)
        out.push(
          `The sync had created it earlier and found it again by its external id: ${adopted.message}`,
        );
      break;
    }
    case 'adopted': {
      const adopted = findEvent('adopted');
      out.push(
        `${who} was already on Edusign, made by hand (Edusign id ${e.edusignId}): on ${at(e.mapping?.createdAt ?? '')} the sync took that record over instead of creating a duplicate.`,
      );
      out.push(
        adopted
          ? `Why: ${adopted.message}`
          : 'It was matched by its external id or its email (see docs/rules.md, section 5); the run that did it is older than the runs kept here.',
      );
      break;
    }
    case 'deleted': {
      const deleted = findEvent('deleted');
      out.push(
        `${who} was deleted on Edusign by the sync on ${at(deleted?.at ?? '')} (Edusign id ${e.edusignId}).`,
      );
      if (deleted) out.push(`Why: ${deleted.message}`);
      break;
    }
    case 'not_created': {
      const because = e.because;
      if (because === null) break;
      const notOn = `${who} is not on Edusign`;
      switch (because.kind) {
        case 'problem':
          out.push(
            `${notOn}: the run of ${at(because.event.at)} did not create ${them} because of a problem in Auriga${rowWords(because.event)}: ${because.event.message}`,
          );
          break;
        case 'failure':
          out.push(
            `${notOn}: creating ${them} failed in the run of ${at(because.event.at)} [${because.event.code}]: ${because.event.message} The next run tries again.`,
          );
          break;
        case 'held':
          out.push(
            `${notOn}: the run of ${at(because.event.at)} held ${them} back [${because.event.code}]: ${because.event.message}`,
          );
          break;
        case 'not_in_window':
          out.push(
            e.subject === 'sheet'
              ? `${notOn}: no intervention ${e.aurigaId} starting in the window of the last run (${windowWords(because.window)}) was read from Auriga: a sheet is created only for an intervention whose Start lies in the window (see docs/rules.md, section 2).`
              : `${notOn}: no session of this ${e.subject} lies in the window of the last run (${windowWords(because.window)}): people are created only once a sheet in the window lists them (see docs/rules.md, section 5).`,
          );
          break;
        case 'interrupted':
          out.push(
            `${notOn}: the last run, on ${at(because.run.startedAt)}, was ${because.run.outcome === 'abandoned' ? 'abandoned (its process died)' : 'interrupted'} before it wrote ${them}: what it wrote is recorded, and the next run does the rest.`,
          );
          break;
        case 'run_failed':
          out.push(
            `${notOn}: no run has read Auriga yet; the last run, on ${at(because.run.startedAt)}, failed${because.run.error ? ` [${because.run.error.code}]: ${because.run.error.message}` : '.'}`,
          );
          break;
      }
      break;
    }
  }

  // What the last run that read Auriga did, when the record exists.
  if (e.state === 'created' || e.state === 'adopted') {
    const action = e.lastAction;
    if (action?.event === 'held')
      out.push(
        `In the run of ${at(action.at)} it was held back (${action.code}): ${action.message}`,
      );
    else if (action?.event === 'updated')
      out.push(`It was updated in the run of ${at(action.at)}: ${action.message}`);
    else if (action?.event === 'failed')
      out.push(
        `In the run of ${at(action.at)} a change failed [${action.code}]: ${action.message}`,
      );
    else if (action === null && e.referenceRun) {
      const start = e.mapping?.courseStart ?? null;
      const window = e.referenceRun.window;
      const outside =
        e.subject === 'sheet' &&
        start !== null &&
        window !== null &&
        (start < window.from || start >= window.to);
      out.push(
        outside
          ? `Its course lies outside the window of the last run (${windowWords(window)}): the sync no longer changes it.`
          : `The last run, on ${at(e.referenceRun.startedAt)}, found nothing to change.`,
      );
    }
    const updates = e.history.filter((h) => h.event === 'updated' && h !== action).slice(0, 3);
    for (const update of updates) out.push(`Updated on ${at(update.at)}: ${update.message}`);
    const heldBefore = e.history.filter((h) => h.event === 'held' && h !== action).slice(0, 1);
    for (const held of heldBefore)
      out.push(`Held back on ${at(held.at)} (${held.code}): ${held.message}`);
  }

  // Problems in the last run that read Auriga, not already quoted.
  const quoted = e.because && 'event' in e.because ? e.because.event : undefined;
  const problems = e.history.filter(
    (h) => h.event === 'problem' && h.runId === e.referenceRun?.runId && h !== quoted,
  );
  for (const problem of problems.slice(0, 3))
    out.push(`Also noted in that run${rowWords(problem)}: ${problem.message}`);

  const lastRun = e.lastRun;
  if (
    lastRun &&
    lastRun.outcome === 'failed' &&
    lastRun.runId !== e.referenceRun?.runId &&
    e.referenceRun
  )
    out.push(
      `Note: the last run, on ${at(lastRun.startedAt)}, failed${lastRun.error ? ` [${lastRun.error.code}]: ${lastRun.error.message}` : ''}; this answer comes from the run of ${at(e.referenceRun.startedAt)}.`,
    );
  return out;
}
