import type { SyncWindow } from '../domain/types.ts';
import type { EventKind, ExplainEvent, ExplanationData, Subject } from './derive.ts';

/**
 * Writing an explanation: the derived data (derive.ts) in plain sentences a
 * school admin reads. Pure text. A sentence points to the rules by
 * docs/rules.md, the page the school has, never by an internal file.
 */

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

/** The language of an explanation's sentences; the report's own sentences, quoted, stay as written. */
export type ExplainLang = 'en' | 'fr';

const rowOf = (
  e: ExplainEvent,
): { favorite: 'groups' | 'interventions'; id: string } | undefined =>
  e.row
    ? { favorite: e.row.favorite === 'groups' ? 'groups' : 'interventions', id: e.row.id }
    : undefined;

/**
 * Each sentence an explanation may say, in one language. The control flow
 * (`sentencesOf`) is one for both: a phrase book only words it.
 */
interface Phrases {
  /** What comes between an error's code and its message (French spaces a colon). */
  readonly colon: string;
  readonly noun: Record<Subject, string>;
  /** `it` or `them`: the record a sentence is about. */
  readonly them: (subject: Subject) => string;
  readonly window: (w: SyncWindow) => string;
  readonly row: (e: ExplainEvent) => string;
  readonly noRun: (school: string, who: string) => string;
  readonly created: (who: string, edusignId: string, at: string) => string;
  readonly why: (message: string) => string;
  readonly foundAgain: (message: string) => string;
  readonly adopted: (who: string, edusignId: string, at: string) => string;
  readonly adoptedLongAgo: string;
  readonly deleted: (who: string, at: string, edusignId: string) => string;
  readonly notOn: (who: string) => string;
  readonly problem: (
    notOn: string,
    at: string,
    them: string,
    row: string,
    message: string,
  ) => string;
  readonly failure: (
    notOn: string,
    them: string,
    at: string,
    code: string,
    message: string,
  ) => string;
  readonly held: (notOn: string, at: string, them: string, code: string, message: string) => string;
  readonly sheetNotInWindow: (notOn: string, id: string, window: string) => string;
  readonly personNotInWindow: (notOn: string, subject: Subject, window: string) => string;
  readonly interrupted: (notOn: string, at: string, abandoned: boolean, them: string) => string;
  readonly runFailed: (notOn: string, at: string, error: string) => string;
  readonly lastHeld: (at: string, code: string, message: string) => string;
  readonly lastUpdated: (at: string, message: string) => string;
  readonly lastFailed: (at: string, code: string, message: string) => string;
  readonly outsideWindow: (window: string) => string;
  readonly nothingToChange: (at: string) => string;
  readonly updatedOn: (at: string, message: string) => string;
  readonly heldOn: (at: string, code: string, message: string) => string;
  readonly alsoNoted: (row: string, message: string) => string;
  readonly lastRunFailed: (at: string, error: string, from: string) => string;
}

/** ` [code]: message`, or the end of the sentence when the run kept no error. */
const errorWords = (
  w: Phrases,
  error: { code: string; message: string } | undefined,
  none: string,
) => (error ? ` [${error.code}]${w.colon}${error.message}` : none);

const EN: Phrases = {
  colon: ': ',
  noun: { learner: 'Learner', instructor: 'Instructor', sheet: 'Sheet' },
  them: (subject) => (subject === 'sheet' ? 'it' : 'them'),
  window: (w) => `from ${w.firstDay} to ${w.lastDay}, ${w.timeZone}`,
  row: (e) => {
    const row = rowOf(e);
    if (!row) return '';
    const where = row.id.startsWith('#') ? row.id : `of intervention ${row.id}`;
    return ` (Auriga ${row.favorite === 'groups' ? 'Groups' : 'Interventions'} favorite, row ${where})`;
  },
  noRun: (school, who) =>
    `No run of ${school} is recorded in the store yet, so nothing can be told about ${who}: run \`auriga-edusign sync\` first.`,
  created: (who, id, at) =>
    `${who} is on Edusign (Edusign id ${id}), created by the sync on ${at}.`,
  why: (message) => `Why: ${message}`,
  foundAgain: (message) =>
    `The sync had created it earlier and found it again by its external id: ${message}`,
  adopted: (who, id, at) =>
    `${who} was already on Edusign, made by hand (Edusign id ${id}): on ${at} the sync took that record over instead of creating a duplicate.`,
  adoptedLongAgo:
    'It was matched by its external id or its email (see docs/rules.md, section 5); the run that did it is older than the runs kept here.',
  deleted: (who, at, id) =>
    `${who} was deleted on Edusign by the sync on ${at} (Edusign id ${id}).`,
  notOn: (who) => `${who} is not on Edusign`,
  problem: (notOn, at, them, row, message) =>
    `${notOn}: the run of ${at} did not create ${them} because of a problem in Auriga${row}: ${message}`,
  failure: (notOn, them, at, code, message) =>
    `${notOn}: creating ${them} failed in the run of ${at} [${code}]: ${message} The next run tries again.`,
  held: (notOn, at, them, code, message) =>
    `${notOn}: the run of ${at} held ${them} back [${code}]: ${message}`,
  sheetNotInWindow: (notOn, id, window) =>
    `${notOn}: no intervention ${id} starting in the window of the last run (${window}) was read from Auriga: a sheet is created only for an intervention whose Start lies in the window (see docs/rules.md, section 2).`,
  personNotInWindow: (notOn, subject, window) =>
    `${notOn}: no session of this ${subject} lies in the window of the last run (${window}): people are created only once a sheet in the window lists them (see docs/rules.md, section 5).`,
  interrupted: (notOn, at, abandoned, them) =>
    `${notOn}: the last run, on ${at}, was ${abandoned ? 'abandoned (its process died)' : 'interrupted'} before it wrote ${them}: what it wrote is recorded, and the next run does the rest.`,
  runFailed: (notOn, at, error) =>
    `${notOn}: no run has read Auriga yet; the last run, on ${at}, failed${error}`,
  lastHeld: (at, code, message) => `In the run of ${at} it was held back (${code}): ${message}`,
  lastUpdated: (at, message) => `It was updated in the run of ${at}: ${message}`,
  lastFailed: (at, code, message) => `In the run of ${at} a change failed [${code}]: ${message}`,
  outsideWindow: (window) =>
    `Its course lies outside the window of the last run (${window}): the sync no longer changes it.`,
  nothingToChange: (at) => `The last run, on ${at}, found nothing to change.`,
  updatedOn: (at, message) => `Updated on ${at}: ${message}`,
  heldOn: (at, code, message) => `Held back on ${at} (${code}): ${message}`,
  alsoNoted: (row, message) => `Also noted in that run${row}: ${message}`,
  lastRunFailed: (at, error, from) =>
    `Note: the last run, on ${at}, failed${error}; this answer comes from the run of ${from}.`,
};

/**
 * The same in French, agreed with the record (a sheet is feminine); the
 * report's sentences they quote stay in English, as the report gives them.
 */
function french(subject: Subject): Phrases {
  const e = subject === 'sheet' ? 'e' : '';
  const il = subject === 'sheet' ? 'elle' : 'il';
  const Il = subject === 'sheet' ? 'Elle' : 'Il';
  return {
    colon: ' : ',
    noun: { learner: 'L’apprenant', instructor: 'Le formateur', sheet: 'La feuille' },
    them: () => 'le',
    window: (w) => `du ${w.firstDay} au ${w.lastDay}, ${w.timeZone}`,
    row: (ev) => {
      const row = rowOf(ev);
      if (!row) return '';
      const where = row.id.startsWith('#') ? row.id : `de l’intervention ${row.id}`;
      return ` (favori ${row.favorite === 'groups' ? 'Groupes' : 'Interventions'} d’Auriga, ligne ${where})`;
    },
    noRun: (school, who) =>
      `Aucune exécution de ${school} n’est encore enregistrée : rien ne peut être dit de ${lower(who)}. Lancez d’abord \`auriga-edusign sync\`.`,
    created: (who, id, at) =>
      `${who} est sur Edusign (identifiant Edusign ${id}), créé${e} par la synchronisation le ${at}.`,
    why: (message) => `Pourquoi : ${message}`,
    foundAgain: (message) =>
      `La synchronisation l’avait créé${e} auparavant et l’a retrouvé${e} par son identifiant externe : ${message}`,
    adopted: (who, id, at) =>
      `${who} était déjà sur Edusign, créé${e} à la main (identifiant Edusign ${id}) : le ${at}, la synchronisation a repris cette fiche au lieu d’en créer un doublon.`,
    adoptedLongAgo: `${Il} a été reconnu${e} par son identifiant externe ou son e-mail (voir docs/rules.md, section 5) ; l’exécution qui l’a fait est plus ancienne que celles conservées ici.`,
    deleted: (who, at, id) =>
      `${who} a été supprimé${e} d’Edusign par la synchronisation le ${at} (identifiant Edusign ${id}).`,
    notOn: (who) => `${who} n’est pas sur Edusign`,
    problem: (notOn, at, _them, row, message) =>
      `${notOn} : l’exécution du ${at} ne l’a pas créé${e} à cause d’un problème dans Auriga${row} : ${message}`,
    failure: (notOn, _them, at, code, message) =>
      `${notOn} : sa création a échoué lors de l’exécution du ${at} [${code}] : ${message} La prochaine exécution réessaie.`,
    held: (notOn, at, _them, code, message) =>
      `${notOn} : l’exécution du ${at} l’a retenu${e} [${code}] : ${message}`,
    sheetNotInWindow: (notOn, id, window) =>
      `${notOn} : aucune intervention ${id} commençant dans la fenêtre de la dernière exécution (${window}) n’a été lue dans Auriga ; une feuille n’est créée que pour une intervention dont le début est dans la fenêtre (voir docs/rules.md, section 2).`,
    personNotInWindow: (notOn, kind, window) =>
      `${notOn} : aucune séance de ${kind === 'learner' ? 'cet apprenant' : 'ce formateur'} n’a lieu dans la fenêtre de la dernière exécution (${window}) ; une personne n’est créée qu’une fois listée sur une feuille de la fenêtre (voir docs/rules.md, section 5).`,
    interrupted: (notOn, at, abandoned) =>
      `${notOn} : la dernière exécution, le ${at}, a été ${abandoned ? 'abandonnée (son processus s’est arrêté)' : 'interrompue'} avant de l’écrire ; ce qu’elle a écrit est enregistré, la prochaine exécution fait le reste.`,
    runFailed: (notOn, at, error) =>
      `${notOn} : aucune exécution n’a encore lu Auriga ; la dernière, le ${at}, a échoué${error}`,
    lastHeld: (at, code, message) =>
      `Lors de l’exécution du ${at}, ${il} a été retenu${e} (${code}) : ${message}`,
    lastUpdated: (at, message) =>
      `${Il} a été mis${e} à jour lors de l’exécution du ${at} : ${message}`,
    lastFailed: (at, code, message) =>
      `Lors de l’exécution du ${at}, une modification a échoué [${code}] : ${message}`,
    outsideWindow: (window) =>
      `${Il} est en dehors de la fenêtre de la dernière exécution (${window}) : la synchronisation ne ${subject === 'sheet' ? 'la' : 'le'} modifie plus.`,
    nothingToChange: (at) => `La dernière exécution, le ${at}, n’a rien trouvé à modifier.`,
    updatedOn: (at, message) => `Mis${e} à jour le ${at} : ${message}`,
    heldOn: (at, code, message) => `Retenu${e} le ${at} (${code}) : ${message}`,
    alsoNoted: (row, message) => `Également relevé lors de cette exécution${row} : ${message}`,
    lastRunFailed: (at, error, from) =>
      `Note : la dernière exécution, le ${at}, a échoué${error} ; cette réponse vient de l’exécution du ${from}.`,
  };
}

const PHRASES: Record<ExplainLang, (subject: Subject) => Phrases> = { en: () => EN, fr: french };

/** `La feuille 12` inside a sentence: `la feuille 12`. */
const lower = (who: string) => who.charAt(0).toLowerCase() + who.slice(1);

/** The answer in a few plain sentences for a school admin; dates in the school's zone. */
export function sentencesOf(
  e: ExplanationData,
  timeZone: string,
  lang: ExplainLang = 'en',
): string[] {
  const w = PHRASES[lang](e.subject);
  const at = (iso: string) => localTime(iso, timeZone);
  const who = `${w.noun[e.subject]} ${e.aurigaId}`;
  const them = w.them(e.subject);
  const out: string[] = [];
  const findEvent = (kind: EventKind) => e.history.find((h) => h.event === kind);

  switch (e.state) {
    case 'no_run':
      out.push(w.noRun(e.school, who));
      return out;
    case 'created': {
      const created = findEvent('created');
      const adopted = findEvent('adopted');
      out.push(w.created(who, e.edusignId ?? '', at(e.mapping?.createdAt ?? '')));
      if (created) out.push(w.why(created.message));
      else if (adopted) out.push(w.foundAgain(adopted.message));
      break;
    }
    case 'adopted': {
      const adopted = findEvent('adopted');
      out.push(w.adopted(who, e.edusignId ?? '', at(e.mapping?.createdAt ?? '')));
      out.push(adopted ? w.why(adopted.message) : w.adoptedLongAgo);
      break;
    }
    case 'deleted': {
      const deleted = findEvent('deleted');
      out.push(w.deleted(who, at(deleted?.at ?? ''), e.edusignId ?? ''));
      if (deleted) out.push(w.why(deleted.message));
      break;
    }
    case 'not_created': {
      const because = e.because;
      if (because === null) break;
      const notOn = w.notOn(who);
      switch (because.kind) {
        case 'problem':
          out.push(
            w.problem(
              notOn,
              at(because.event.at),
              them,
              w.row(because.event),
              because.event.message,
            ),
          );
          break;
        case 'failure':
          out.push(
            w.failure(
              notOn,
              them,
              at(because.event.at),
              because.event.code ?? '',
              because.event.message,
            ),
          );
          break;
        case 'held':
          out.push(
            w.held(
              notOn,
              at(because.event.at),
              them,
              because.event.code ?? '',
              because.event.message,
            ),
          );
          break;
        case 'not_in_window':
          out.push(
            e.subject === 'sheet'
              ? w.sheetNotInWindow(notOn, e.aurigaId, w.window(because.window))
              : w.personNotInWindow(notOn, e.subject, w.window(because.window)),
          );
          break;
        case 'interrupted':
          out.push(
            w.interrupted(
              notOn,
              at(because.run.startedAt),
              because.run.outcome === 'abandoned',
              them,
            ),
          );
          break;
        case 'run_failed':
          out.push(
            w.runFailed(notOn, at(because.run.startedAt), errorWords(w, because.run.error, '.')),
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
      out.push(w.lastHeld(at(action.at), action.code ?? '', action.message));
    else if (action?.event === 'updated') out.push(w.lastUpdated(at(action.at), action.message));
    else if (action?.event === 'failed')
      out.push(w.lastFailed(at(action.at), action.code ?? '', action.message));
    else if (action === null && e.referenceRun) {
      const start = e.mapping?.courseStart ?? null;
      const window = e.referenceRun.window;
      const outside =
        e.subject === 'sheet' &&
        start !== null &&
        window !== null &&
        (start < window.from || start >= window.to);
      out.push(
        outside && window !== null
          ? w.outsideWindow(w.window(window))
          : w.nothingToChange(at(e.referenceRun.startedAt)),
      );
    }
    const updates = e.history.filter((h) => h.event === 'updated' && h !== action).slice(0, 3);
    for (const update of updates) out.push(w.updatedOn(at(update.at), update.message));
    const heldBefore = e.history.filter((h) => h.event === 'held' && h !== action).slice(0, 1);
    for (const held of heldBefore) out.push(w.heldOn(at(held.at), held.code ?? '', held.message));
  }

  // Problems in the last run that read Auriga, not already quoted.
  const quoted = e.because && 'event' in e.because ? e.because.event : undefined;
  const problems = e.history.filter(
    (h) => h.event === 'problem' && h.runId === e.referenceRun?.runId && h !== quoted,
  );
  for (const problem of problems.slice(0, 3))
    out.push(w.alsoNoted(w.row(problem), problem.message));

  const lastRun = e.lastRun;
  if (
    lastRun &&
    lastRun.outcome === 'failed' &&
    lastRun.runId !== e.referenceRun?.runId &&
    e.referenceRun
  )
    out.push(
      w.lastRunFailed(
        at(lastRun.startedAt),
        errorWords(w, lastRun.error, ''),
        at(e.referenceRun.startedAt),
      ),
    );
  return out;
}
