import {
  aurigaReaderFor,
  doctorSchool,
  edusignClientFor,
  edusignPortFor,
  explainRecord,
  planSchool,
  runSchool,
} from '../app/index.ts';
import { MASK, maskConfig } from '../config/mask.ts';
import type { Config } from '../config/schema.ts';
import type { DoctorStep } from '../doctor/steps.ts';
import { isAppError } from '../errors/app-error.ts';
import type { ExplainLang, Explanation, Subject } from '../explain/explain.ts';
import type { Notifier } from '../notify/notifier.ts';
import { type SchoolHealth, schoolHealth } from '../serve/health.ts';
import type { Account, AuditEntry, ConsoleStore, Role, RunRecord } from '../store/port.ts';
import type { HeldItem, RunReport } from '../sync/report.ts';
import { addAccount, newApiToken, publicAccount } from './accounts.ts';
import { forbidden, notFound, schoolNotFound, WebError } from './errors.ts';
import type { LiveBoard, LiveRun } from './live.ts';
import type { ConsoleSchool, SchoolRegistry, SchoolSource } from './schools.ts';
import { changedKeys, mergeSettings } from './settings.ts';

/**
 * What the console does, for the JSON API and the pages alike: every answer
 * is scoped to the account asking. A school the account may not see is
 * answered exactly as a school that does not exist (`schoolNotFound`).
 */

export interface Principal {
  readonly account: Account;
}

/** A school's state on the fleet page (console.md): the run states plus `disabled`. */
export type FleetState = SchoolHealth['state'] | 'disabled';

export interface SchoolSummary {
  readonly name: string;
  readonly source: SchoolSource;
  readonly state: FleetState;
  readonly active: boolean;
  readonly running: boolean;
  readonly lastRun: SchoolHealth['lastRun'];
  readonly nextRunAt: string | null;
  readonly openProblems: number;
  readonly heldDeletions: number;
  /** The school's zone: its dates are shown on its wall clock. */
  readonly timeZone: string;
  /** Why its settings cannot be used now (its secrets do not open), or null. */
  readonly unusable: string | null;
}

export interface RunSummary {
  readonly id: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly outcome: string;
  readonly dryRun: boolean;
  readonly writes: number;
  readonly problems: number;
  readonly failures: number;
  readonly edusignCalls: number;
  readonly durationMs: number | null;
}

export interface HeldDeletion {
  readonly aurigaId: string;
  readonly edusignId: string | null;
  readonly name: string | null;
  readonly start: string | null;
  readonly why: string;
}

export interface HeldView {
  readonly runId: string | null;
  readonly reason: string | null;
  /** The guard's numbers, for a page to say the reason in its own language. */
  readonly guard: { readonly deletions: number; readonly managed: number } | null;
  readonly items: readonly HeldDeletion[];
  /** Set when a person chose "Keep them" for exactly this set. */
  readonly kept: { readonly at: string; readonly by: string } | null;
}

export interface ConsoleDeps {
  readonly registry: SchoolRegistry;
  readonly store: ConsoleStore;
  readonly live: LiveBoard;
  readonly now: () => Date;
  /** Ask for a run now through the service's queue; false when one is already waiting or running. */
  readonly enqueue: (school: string) => Promise<boolean>;
  /** The schools being run now (by this process, or across a fleet). */
  readonly running: () => readonly string[] | Promise<readonly string[]>;
  /** Start the schedule of a console school just activated. */
  readonly activate: (school: string) => Promise<void>;
  /** Where the console is reached, for sign-in links. */
  readonly publicUrl: () => string;
  /** Who a run the console starts itself (confirming deletions) tells, as the schedule's runs do. */
  readonly notifierOf?: (school: ConsoleSchool) => Notifier | undefined;
  /** For tests: the runs' fetch. */
  readonly fetch?: typeof fetch;
}

const WRITE_ACTIONS = ['created', 'updated', 'adopted', 'deleted'] as const;
const RECENT = 30;

const heldWhy = (item: HeldItem) =>
  `Intervention ${item.aurigaId} no longer appears in Auriga's window (cancelled or moved out), and its sheet has not started.`;

export const sees = (p: Principal, school: string): boolean =>
  p.account.role === 'operator' || p.account.schools.includes(school);

export function createConsole(deps: ConsoleDeps) {
  const { registry, store } = deps;
  const iso = () => deps.now().toISOString();
  const audit = (
    p: Principal | string,
    school: string | null,
    action: string,
    detail: AuditEntry['detail'],
  ) =>
    store.audit({
      at: iso(),
      actor: typeof p === 'string' ? p : p.account.email,
      school,
      action,
      detail,
    });

  async function visible(p: Principal, name: string): Promise<ConsoleSchool> {
    if (!sees(p, name)) throw schoolNotFound();
    const school = await registry.get(name);
    if (!school) throw schoolNotFound();
    return school;
  }
  async function actable(p: Principal, name: string): Promise<ConsoleSchool> {
    const school = await visible(p, name);
    if (p.account.role === 'viewer') throw forbidden();
    return school;
  }
  /** A school whose settings reach Auriga and Edusign: not one whose secrets do not open. */
  const usable = (school: ConsoleSchool): ConsoleSchool => {
    if (school.unusable !== undefined) throw new WebError(409, 'school.unusable', school.unusable);
    return school;
  };
  const runsOf = (school: ConsoleSchool, limit = RECENT) =>
    school.store.forSchool(school.name).recentRuns(limit);
  const lastReal = async (school: ConsoleSchool): Promise<RunRecord | undefined> =>
    (await runsOf(school)).find((run) => !run.dryRun && run.outcome !== 'running');
  const reportOf = (run: RunRecord | undefined) => (run?.report ?? null) as RunReport | null;
  const guardHeld = (report: RunReport | null): HeldItem[] =>
    (report?.held ?? []).filter((item) => item.cause === 'mass_change_guard');

  /**
   * A school's line on the fleet page. Its recent runs are read once, for its
   * health and its last real report alike; `running` is read once per page.
   */
  async function summary(
    school: ConsoleSchool,
    runningNow?: readonly string[],
  ): Promise<SchoolSummary> {
    const running = (runningNow ?? (await deps.running())).includes(school.name);
    const store = school.store.forSchool(school.name);
    const recent = store.recentRuns(RECENT);
    const health = await schoolHealth({
      config: school.config,
      store: { recentRuns: async (limit: number) => (await recent).slice(0, limit) },
      now: deps.now(),
      running,
    });
    const lastRealRun = (await recent.catch(() => [])).find(
      (run) => !run.dryRun && run.outcome !== 'running',
    );
    const last = reportOf(lastRealRun);
    return {
      name: school.name,
      source: school.source,
      state: school.active ? health.state : 'disabled',
      active: school.active,
      running,
      lastRun: health.lastRun,
      nextRunAt: school.active ? health.nextRunAt : null,
      openProblems: last?.problems.length ?? 0,
      heldDeletions: guardHeld(last).length,
      timeZone: school.config.options.timeZone,
      unusable: school.unusable ?? null,
    };
  }

  const runSummary = (run: RunRecord): RunSummary => {
    const report = reportOf(run);
    const writes = report
      ? Object.values(report.counts).reduce(
          (sum, row) => sum + WRITE_ACTIONS.reduce((s, a) => s + row[a], 0),
          0,
        )
      : 0;
    return {
      id: run.id,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      outcome: run.outcome,
      dryRun: run.dryRun,
      writes,
      problems: report?.problems.length ?? 0,
      failures: report?.failures.length ?? 0,
      edusignCalls: report?.apiCalls.edusign ?? 0,
      durationMs:
        run.finishedAt === null ? null : Date.parse(run.finishedAt) - Date.parse(run.startedAt),
    };
  };

  /** The sheets behind held deletions, named and dated from Edusign where it still has them. */
  async function describeHeld(school: ConsoleSchool, items: readonly HeldItem[]) {
    if (school.unusable !== undefined)
      return items.map((item) => ({
        aurigaId: item.aurigaId,
        edusignId: item.edusignId,
        name: null,
        start: null,
        why: heldWhy(item),
      }));
    const { port } = edusignPortFor(
      edusignClientFor(school.config, deps.fetch ? { fetch: deps.fetch } : {}),
    );
    const mappings = new Map(
      (await school.store.forSchool(school.name).listMappings('sheet')).map((m) => [m.aurigaId, m]),
    );
    const out: HeldDeletion[] = [];
    for (const item of items) {
      const course = item.edusignId
        ? await port.getCourse(item.edusignId).catch(() => undefined)
        : undefined;
      out.push({
        aurigaId: item.aurigaId,
        edusignId: item.edusignId,
        name: course?.content?.name ?? null,
        start: course?.start ?? mappings.get(item.aurigaId)?.courseStart ?? null,
        why: heldWhy(item),
      });
    }
    return out;
  }

  function validate(name: string, input: Record<string, unknown>): Config {
    try {
      return registry.parse(name, input);
    } catch (error) {
      if (isAppError(error))
        throw new WebError(
          400,
          'settings.invalid',
          error.message,
          error.hint ? { hint: error.hint } : undefined,
        );
      throw error;
    }
  }

  const sameSet = (a: readonly string[], b: readonly string[]) => {
    const set = new Set(a);
    return set.size === new Set(b).size && b.every((id) => set.has(id));
  };

  const runOptions = (school: ConsoleSchool) => ({
    store: school.store,
    now: deps.now,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });

  return {
    sees,

    async schools(p: Principal): Promise<SchoolSummary[]> {
      const all = (await registry.list()).filter((s) => sees(p, s.name));
      const running = await deps.running();
      return Promise.all(all.map((school) => summary(school, running)));
    },

    async school(p: Principal, name: string) {
      const school = await visible(p, name);
      const [state, runs] = await Promise.all([summary(school), runsOf(school)]);
      return { ...state, runs: runs.map(runSummary), live: deps.live.get(name) ?? null };
    },

    /** The zone a school's dates are shown in. */
    async timeZone(p: Principal, name: string): Promise<string> {
      return (await visible(p, name)).config.options.timeZone;
    },

    async live(p: Principal, name: string): Promise<{ running: boolean; run: LiveRun | null }> {
      await visible(p, name);
      return { running: (await deps.running()).includes(name), run: deps.live.get(name) ?? null };
    },

    /**
     * The school's notices and every delivery attempt, newest first: what was
     * sent to whom, and what came back (never a channel's secret).
     */
    async notifications(p: Principal, name: string) {
      const school = await visible(p, name);
      const queue = school.store.notifications();
      const [deliveries, attempts] = await Promise.all([
        queue.listDeliveries({ school: name }),
        queue.listAttempts({ school: name }),
      ]);
      return {
        deliveries: deliveries.slice(0, 50).map((d) => ({
          id: d.id,
          event: d.notice.event,
          runId: d.notice.runId,
          channel: d.channel,
          target: d.target,
          status: d.status,
          attempts: d.attempts,
          createdAt: d.createdAt,
          nextAttemptAt: d.nextAttemptAt,
          deliveredAt: d.deliveredAt,
          lastError: d.lastError,
        })),
        attempts: attempts.slice(0, 200),
      };
    },

    async runs(p: Principal, name: string): Promise<RunSummary[]> {
      return (await runsOf(await visible(p, name))).map(runSummary);
    },

    async run(p: Principal, name: string, runId: string): Promise<RunRecord> {
      const school = await visible(p, name);
      const run = await school.store.forSchool(name).getRun(runId);
      if (!run) throw notFound('run');
      return run;
    },

    async problems(p: Principal, name: string) {
      const run = await lastReal(await visible(p, name));
      const report = reportOf(run);
      return {
        runId: run?.id ?? null,
        problems: report?.problems ?? [],
        /** Why the last run failed as a whole, with what to change. */
        error: report?.error ?? null,
      };
    },

    async held(p: Principal, name: string): Promise<HeldView> {
      const school = await visible(p, name);
      const run = await lastReal(school);
      const report = reportOf(run);
      const items = guardHeld(report);
      const ids = items.map((i) => i.aurigaId);
      const kept =
        ids.length === 0
          ? undefined
          : (await store.dismissedHolds(name)).find((d) => sameSet(d.aurigaIds, ids));
      return {
        runId: run?.id ?? null,
        reason: report?.guard?.reason ?? null,
        guard: report?.guard?.triggered
          ? { deletions: report.guard.deletions, managed: report.guard.managed }
          : null,
        items: await describeHeld(school, items),
        kept: kept ? { at: kept.dismissedAt, by: kept.dismissedBy } : null,
      };
    },

    /**
     * Delete exactly the set shown. A preview first tells whether Auriga
     * still holds that set; if not, nothing runs and the new set is the
     * answer (`changed`). The run itself confirms only that set (see
     * PlanInput.confirmDeletions), so a change in between deletes nothing.
     */
    async confirmDeletions(p: Principal, name: string, aurigaIds: readonly string[]) {
      const school = usable(await actable(p, name));
      const preview = await planSchool(school.config, runOptions(school));
      const now = guardHeld(preview);
      const changed = async (report: RunReport) => ({
        status: 'changed' as const,
        held: await describeHeld(school, guardHeld(report)),
      });
      if (
        now.length === 0 ||
        !sameSet(
          now.map((i) => i.aurigaId),
          aurigaIds,
        )
      )
        return changed(preview);
      const notifier = deps.notifierOf?.(school);
      const report = await runSchool(school.config, {
        ...runOptions(school),
        ...(notifier ? { notifier } : {}),
        confirmDeletions: [...aurigaIds],
        leaseWaitMs: 60_000,
      });
      if (guardHeld(report).length > 0) return changed(report);
      await audit(p, name, 'deletions.confirmed', {
        aurigaIds: [...aurigaIds],
        runId: report.runId,
      });
      return {
        status: 'deleted' as const,
        runId: report.runId,
        outcome: report.outcome,
        deleted: report.done.filter((d) => d.action === 'deleted').map((d) => d.aurigaId),
      };
    },

    async keepHeld(p: Principal, name: string, aurigaIds: readonly string[]) {
      await actable(p, name);
      await store.dismissHold({
        school: name,
        aurigaIds,
        dismissedAt: iso(),
        dismissedBy: p.account.email,
      });
      await audit(p, name, 'deletions.kept', { aurigaIds: [...aurigaIds] });
    },

    async runNow(p: Principal, name: string) {
      await actable(p, name);
      // A run already in progress keeps its live view; a new one starts as queued.
      if (!(await deps.running()).includes(name)) deps.live.start(name, iso());
      const queued = await deps.enqueue(name);
      await audit(p, name, 'run.asked', { queued });
      return { queued };
    },

    async preview(p: Principal, name: string): Promise<RunReport> {
      const school = usable(await actable(p, name));
      return planSchool(school.config, runOptions(school));
    },

    /** Reading, so open to a viewer too. */
    async explain(p: Principal, name: string, query: string, lang: ExplainLang = 'en') {
      const school = usable(await visible(p, name));
      const q = query.trim();
      if (q === '')
        throw new WebError(400, 'console.bad_request', 'Give an Auriga id, a name or an email.');
      // A name or an email is looked up in Auriga as a run reads it today.
      let ids: Array<{ subject: Subject; aurigaId: string; label?: string }> = [];
      if (/^[\w.-]+$/.test(q) && !q.includes('@')) {
        ids = (['learner', 'instructor', 'sheet'] as const).map((subject) => ({
          subject,
          aurigaId: q,
        }));
      }
      if (ids.length === 0 || !/^\d+$/.test(q)) {
        try {
          const snapshot = await aurigaReaderFor(school.config, {
            ...(deps.fetch ? { fetch: deps.fetch } : {}),
            now: deps.now,
          }).reader.read();
          const needle = q.toLowerCase();
          for (const [subject, people] of [
            ['learner', snapshot.learners],
            ['instructor', snapshot.instructors],
          ] as const)
            for (const person of people.values()) {
              const full = `${person.firstName} ${person.lastName}`.toLowerCase();
              const reversed = `${person.lastName} ${person.firstName}`.toLowerCase();
              if (
                person.email?.toLowerCase() === needle ||
                full.includes(needle) ||
                reversed.includes(needle)
              )
                ids.push({
                  subject,
                  aurigaId: person.id,
                  label: `${person.firstName} ${person.lastName}`,
                });
            }
        } catch {
          // Auriga unreachable: ids alone are still explained from the store.
        }
      }
      const answers: Array<Explanation & { label?: string }> = [];
      for (const id of ids.slice(0, 10)) {
        const answer = await explainRecord(
          school.config,
          { subject: id.subject, aurigaId: id.aurigaId, lang },
          { store: school.store },
        );
        // An id asked under every subject: keep the subjects it is known as.
        if (!id.label && answer.mapping === null && answer.history.length === 0 && ids.length > 1)
          continue;
        answers.push(id.label ? { ...answer, label: id.label } : answer);
      }
      if (answers.length === 0 && ids[0] && !ids[0].label)
        answers.push(
          await explainRecord(school.config, { ...ids[0], lang }, { store: school.store }),
        );
      return { query: q, answers };
    },

    async settings(p: Principal, name: string) {
      const school = await visible(p, name);
      return {
        school: name,
        source: school.source,
        active: school.active,
        readOnly: school.source === 'file',
        ...(school.source === 'file'
          ? {
              readOnlyReason:
                "This school's settings come from its configuration file given to `serve --config`: edit the file and restart the service.",
            }
          : {}),
        settings: maskConfig(school.config) as Record<string, unknown>,
      };
    },

    /** Save an editable school's settings; refused unless `config check` would take them. */
    async saveSettings(p: Principal, name: string, change: Record<string, unknown>) {
      const school = await actable(p, name);
      if (school.source === 'file')
        throw new WebError(
          409,
          'settings.read_only',
          "This school's settings come from its configuration file: edit the file and restart the service.",
        );
      const input = mergeSettings(school.input ?? {}, change);
      const config = validate(name, input);
      await registry.save(name, input, config);
      await audit(p, name, 'settings.changed', { keys: changedKeys(change) });
      return { school: name, settings: maskConfig(config) };
    },

    async addSchool(p: Principal, name: string, settings: Record<string, unknown>) {
      if (p.account.role !== 'operator')
        throw new WebError(403, 'console.forbidden', 'Only an operator adds schools.');
      if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name))
        throw new WebError(
          400,
          'settings.invalid',
          'A school name uses letters, digits, dot, dash, underscore.',
        );
      if (await registry.get(name))
        throw new WebError(409, 'settings.taken', `A school named ${name} exists already.`);
      const input = mergeSettings({}, settings);
      await registry.save(name, input, validate(name, input));
      await audit(p, name, 'school.added', { keys: changedKeys(settings) });
      return { school: name };
    },

    async activate(p: Principal, name: string) {
      await actable(p, name);
      if (await registry.activate(name)) await deps.activate(name);
      await audit(p, name, 'school.activated', {});
      return { school: name, active: true };
    },

    async doctor(p: Principal, name: string): Promise<DoctorStep[]> {
      const school = usable(await actable(p, name));
      const steps = await doctorSchool(school.config, {
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        now: deps.now,
        retry: { retries: 0 },
      });
      // The doctor still tells a secret's length (its deprecated mask): the console tells nothing of it.
      const hide = (text: string) => text.replace(/\*{8} \(\d+ characters\)/g, MASK);
      return steps.map((step) => ({
        ...step,
        detail: hide(step.detail),
        ...(step.fix === undefined ? {} : { fix: hide(step.fix) }),
      }));
    },

    async accounts(p: Principal) {
      const all = await store.listAccounts();
      const shown = p.account.role === 'operator' ? all : all.filter((a) => a.id === p.account.id);
      return shown.map(publicAccount);
    },

    async audit(p: Principal, limit = 200) {
      return store.listAudit({
        schools: p.account.role === 'operator' ? null : p.account.schools,
        limit,
      });
    },

    /** A new account and its one-time sign-in link (shown once). `by` is who asked. */
    async addAccount(
      by: Principal | 'cli',
      input: { email: string; role: Role; schools: readonly string[] },
    ) {
      if (by !== 'cli' && by.account.role !== 'operator')
        throw new WebError(403, 'console.forbidden', 'Only an operator adds accounts.');
      return addAccount(store, input, {
        now: deps.now,
        publicUrl: deps.publicUrl(),
        actor: by === 'cli' ? 'cli' : by.account.email,
      });
    },

    async newApiToken(p: Principal, name: string) {
      return newApiToken(store, p.account, name, deps.now);
    },
  };
}

export type Console = ReturnType<typeof createConsole>;
