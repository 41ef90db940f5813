import { FAILURES_FR } from '../errors/sentences-fr.ts';
import { redactSecrets } from '../observability/secrets.ts';
import type { Counts } from '../sync/report.ts';
import type { NoticeLanguage } from './config.ts';
import { type Notice, type NoticeProblem, noticeLink } from './notice.ts';

/**
 * A notice as people read it (email, in the school's language) and as
 * programs read it (the webhook's JSON, the same in every language). Every
 * text that leaves is scrubbed of the known secrets: the report's messages
 * come from third parties that may echo a credential back.
 */

/** The email lists this many problems; the console and the webhook have them all. */
export const EMAIL_PROBLEM_LIMIT = 50;

export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
}

/** The webhook body, as console.md fixes it. */
export interface WebhookBody {
  readonly event: Notice['event'];
  readonly school: string;
  readonly runId: string;
  readonly outcome: Notice['outcome'];
  readonly counts: Counts | null;
  readonly problems: readonly NoticeProblem[];
  /** The console page that explains the notice. */
  readonly consoleUrl: string;
  readonly sentAt: string;
}

interface Words {
  subject: (n: Notice) => string;
  intro: (n: Notice) => string;
  failedRuns: (count: number) => string;
  error: string;
  fix: string;
  /** Before the report's own words, when the message above is translated. */
  original: string;
  problems: (shown: number, total: number) => string;
  more: (count: number) => string;
  see: string;
  outcome: Record<NonNullable<Notice['outcome']>, string>;
  footer: string;
  /** French puts a space before a colon. */
  colon: string;
}

const plural = (count: number, one: string, many: string) => (count === 1 ? one : many);

const WORDS: Record<NoticeLanguage, Words> = {
  en: {
    subject: (n) => {
      switch (n.event) {
        case 'run_failed':
          return `${n.school}: sync failed (${n.error?.code ?? 'error'})`;
        case 'deletions_held':
          return `${n.school}: ${n.held?.deletions ?? 0} ${plural(n.held?.deletions ?? 0, 'deletion', 'deletions')} held, waiting for your confirmation`;
        case 'new_problems':
          return `${n.school}: ${n.problems.length} new ${plural(n.problems.length, 'problem', 'problems')} to fix in Auriga`;
        case 'recovered':
          return `${n.school}: sync back to normal`;
        case 'test':
          return `${n.school}: test notice`;
      }
    },
    intro: (n) => {
      switch (n.event) {
        case 'run_failed':
          return `The sync of ${n.school} with Edusign failed: nothing was written.`;
        case 'deletions_held':
          return `The sync of ${n.school} would delete more attendance sheets than usual. It holds these deletions until a person confirms them in the console.`;
        case 'new_problems':
          return `The sync of ${n.school} found problems to fix in Auriga since the last notice. The rows concerned are left out of Edusign until they are fixed.`;
        case 'recovered':
          return `The sync of ${n.school} succeeded again after the failure we told you about. Nothing more to do.`;
        case 'test':
          return `This is a test notice for ${n.school}: if you read it, notifications reach you.`;
      }
    },
    failedRuns: (count) => `Failed runs in a row: ${count}.`,
    error: 'Error',
    original: 'Original message',
    fix: 'What to do',
    problems: (shown, total) =>
      shown === total ? `New problems (${total}):` : `New problems (${total}, first ${shown}):`,
    more: (count) => `… and ${count} more in the console.`,
    see: 'Details in the console',
    outcome: {
      succeeded: 'succeeded',
      partly_failed: 'partly failed',
      failed: 'failed',
      deletions_held: 'succeeded, deletions held',
      interrupted: 'interrupted',
      abandoned: 'abandoned',
    },
    footer: 'Sent by auriga-edusign. Run',
    colon: ':',
  },
  fr: {
    subject: (n) => {
      switch (n.event) {
        case 'run_failed':
          return `${n.school} : la synchronisation a échoué (${n.error?.code ?? 'erreur'})`;
        case 'deletions_held':
          return `${n.school} : ${n.held?.deletions ?? 0} ${plural(n.held?.deletions ?? 0, 'suppression retenue', 'suppressions retenues')}, en attente de votre confirmation`;
        case 'new_problems':
          return `${n.school} : ${n.problems.length} ${plural(n.problems.length, 'nouveau problème', 'nouveaux problèmes')} à corriger dans Auriga`;
        case 'recovered':
          return `${n.school} : la synchronisation fonctionne de nouveau`;
        case 'test':
          return `${n.school} : notification de test`;
      }
    },
    intro: (n) => {
      switch (n.event) {
        case 'run_failed':
          return `La synchronisation de ${n.school} avec Edusign a échoué : rien n'a été écrit.`;
        case 'deletions_held':
          return `La synchronisation de ${n.school} supprimerait plus de feuilles d'émargement que d'habitude. Elle retient ces suppressions jusqu'à ce qu'une personne les confirme dans la console.`;
        case 'new_problems':
          return `La synchronisation de ${n.school} a trouvé des problèmes à corriger dans Auriga depuis la dernière notification. Les lignes concernées restent hors d'Edusign tant qu'elles ne sont pas corrigées.`;
        case 'recovered':
          return `La synchronisation de ${n.school} réussit de nouveau après l'échec signalé. Plus rien à faire.`;
        case 'test':
          return `Ceci est une notification de test pour ${n.school} : si vous la lisez, les notifications vous parviennent.`;
      }
    },
    failedRuns: (count) => `Échecs consécutifs : ${count}.`,
    error: 'Erreur',
    fix: 'Que faire',
    original: 'Message d’origine',
    problems: (shown, total) =>
      shown === total
        ? `Nouveaux problèmes (${total}) :`
        : `Nouveaux problèmes (${total}, les ${shown} premiers) :`,
    more: (count) => `… et ${count} de plus dans la console.`,
    see: 'Détails dans la console',
    outcome: {
      succeeded: 'réussie',
      partly_failed: 'en partie échouée',
      failed: 'échouée',
      deletions_held: 'réussie, suppressions retenues',
      interrupted: 'interrompue',
      abandoned: 'abandonnée',
    },
    footer: 'Envoyé par auriga-edusign. Exécution',
    colon: ' :',
  },
};

const problemLine = (p: NoticeProblem) => `  - [${p.kind} ${p.aurigaId}] ${p.message}`;

export function renderEmail(
  notice: Notice,
  options: { language: NoticeLanguage; consoleUrl: string; secrets: readonly string[] },
): EmailMessage {
  const w = WORDS[options.language];
  const lines = [w.intro(notice), ''];
  if (notice.error) {
    const said = options.language === 'fr' ? FAILURES_FR[notice.error.code] : undefined;
    if (said) {
      // In French where the code is known; the English message keeps its details.
      lines.push(`${w.error} [${notice.error.code}]${w.colon} ${said.message}`);
      if (said.fix) lines.push(`${w.fix}${w.colon} ${said.fix}`);
      lines.push(
        `${w.original}${w.colon} ${notice.error.message}${notice.error.hint ? ` ${notice.error.hint}` : ''}`,
      );
    } else {
      lines.push(`${w.error} [${notice.error.code}]${w.colon} ${notice.error.message}`);
      if (notice.error.hint) lines.push(`${w.fix}${w.colon} ${notice.error.hint}`);
    }
    if (notice.event === 'run_failed') lines.push(w.failedRuns(notice.failedRuns));
    lines.push('');
  }
  if (notice.held?.reason) lines.push(notice.held.reason, '');
  if (notice.problems.length > 0) {
    const shown = notice.problems.slice(0, EMAIL_PROBLEM_LIMIT);
    lines.push(w.problems(shown.length, notice.problems.length), ...shown.map(problemLine));
    if (notice.problems.length > shown.length)
      lines.push(`  ${w.more(notice.problems.length - shown.length)}`);
    lines.push('');
  }
  lines.push(`${w.see}${w.colon} ${noticeLink(options.consoleUrl, notice)}`);
  lines.push(
    '',
    '--',
    `${w.footer} ${notice.runId}${notice.outcome ? ` (${w.outcome[notice.outcome]})` : ''}.`,
  );
  return {
    subject: redactSecrets(`[auriga-edusign] ${w.subject(notice)}`, options.secrets),
    text: redactSecrets(`${lines.join('\n')}\n`, options.secrets),
  };
}

export function webhookBody(notice: Notice, consoleUrl: string, sentAt: Date): WebhookBody {
  return {
    event: notice.event,
    school: notice.school,
    runId: notice.runId,
    outcome: notice.outcome,
    counts: notice.counts,
    problems: notice.problems,
    consoleUrl: noticeLink(consoleUrl, notice),
    sentAt: sentAt.toISOString(),
  };
}

/** The exact bytes POSTed (and signed), scrubbed of the known secrets. */
export function webhookPayload(
  notice: Notice,
  options: { consoleUrl: string; sentAt: Date; secrets: readonly string[] },
): string {
  return redactSecrets(
    JSON.stringify(webhookBody(notice, options.consoleUrl, options.sentAt)),
    options.secrets,
  );
}
