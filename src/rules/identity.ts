import { compareIds } from '../domain/compare-ids.ts';
import type { Person, PersonKind, Problem } from '../domain/types.ts';
import { type ExternalRef, hasNoExternalId, isOurs } from './ownership.ts';

/**
 * Who a person is on Edusign (docs/rules.md §5).
 *
 * 1. Found before anything is created: first by external id (a record that
 *    carries our mark for this Auriga id), then by email, and by email only
 *    a record with no external id at all (someone created by hand). A record
 *    that belongs to another Auriga person, or to another tool, is never
 *    taken over.
 * 2. One email, one person: when two Auriga people of one kind share an
 *    email, the one with the lowest Auriga id is synced; the others are not
 *    created, are left off their sheets, and a problem names both ids.
 */

/** A learner or an instructor as Edusign lists them. */
export interface ListedPerson extends ExternalRef {
  readonly id: string;
  readonly lastName: string;
  readonly firstName: string;
  readonly email: string;
  /** Archived (learners): kept, but a visible record is preferred. */
  readonly hidden: boolean;
}

export interface PersonMatch {
  readonly record: ListedPerson;
  readonly by: 'api_id' | 'email';
}

export const emailKey = (email: string): string => email.trim().toLowerCase();

export interface PeopleIndex {
  find(person: Person): PersonMatch | undefined;
}

export function indexPeople(listed: readonly ListedPerson[]): PeopleIndex {
  const byApiId = new Map<string, ListedPerson[]>();
  const byEmail = new Map<string, ListedPerson[]>();
  for (const record of listed) {
    if (record.apiId) push(byApiId, record.apiId, record);
    const key = emailKey(record.email);
    if (key !== '' && hasNoExternalId(record)) push(byEmail, key, record);
  }
  return {
    find(person) {
      const ours = (byApiId.get(person.id) ?? []).filter((r) => isOurs(r, person.id));
      const byId = preferVisible(ours);
      if (byId) return { record: byId, by: 'api_id' };
      const byMail = preferVisible(byEmail.get(emailKey(person.email)) ?? []);
      return byMail ? { record: byMail, by: 'email' } : undefined;
    },
  };
}

/** Prefer a visible record, then the oldest listed. */
function preferVisible(candidates: readonly ListedPerson[]): ListedPerson | undefined {
  return candidates.find((c) => !c.hidden) ?? candidates[0];
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export interface SharedEmails {
  /** The people to sync, keyed by Auriga id. */
  readonly kept: ReadonlyMap<string, Person>;
  /** Auriga ids left out, each with the id of the person kept for that email. */
  readonly dropped: ReadonlyMap<string, string>;
  readonly problems: readonly Problem[];
}

const NOUN: Record<PersonKind, string> = { learner: 'Learner', instructor: 'Instructor' };

/** Rule 2: one email, one person, the lowest Auriga id winning. */
export function oneEmailOnePerson(people: ReadonlyMap<string, Person>): SharedEmails {
  const byEmail = new Map<string, Person[]>();
  for (const person of people.values()) push(byEmail, emailKey(person.email), person);
  const dropped = new Map<string, string>();
  const problems: Problem[] = [];
  for (const group of byEmail.values()) {
    if (group.length < 2) continue;
    const [kept, ...others] = [...group].sort((a, b) => compareIds(a.id, b.id));
    if (!kept) continue;
    for (const other of others) {
      dropped.set(other.id, kept.id);
      problems.push({
        code: 'person.shared_email',
        kind: other.kind,
        aurigaId: other.id,
        message: `${NOUN[other.kind]} ${other.id} (${other.lastName} ${other.firstName}) has the same email ${other.email} as ${NOUN[kept.kind].toLowerCase()} ${kept.id} (${kept.lastName} ${kept.firstName}): only ${kept.id} is synced, and ${other.id} is left off their sheets. Give each person their own email in Auriga.`,
      });
    }
  }
  if (dropped.size === 0) return { kept: people, dropped, problems };
  const kept = new Map([...people].filter(([id]) => !dropped.has(id)));
  return { kept, dropped, problems };
}
