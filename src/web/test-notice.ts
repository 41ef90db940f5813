import { scrubberFor } from '../config/scrubber.ts';
import { notifyTest, type TestResult } from '../notify/notifier.ts';
import type { ConsoleStore } from '../store/port.ts';
import { type Principal, sees } from './console.ts';
import { forbidden, schoolNotFound, WebError } from './errors.ts';
import type { SchoolRegistry } from './schools.ts';

/**
 * The settings page's "Send a test notice": a test notice on every channel
 * of the school's notifications as they are saved (what its runs will use),
 * at once and without the retry queue, as `notify test` does for a file.
 * Scoped like every school action: a school the account may not see is
 * answered as a missing one, a viewer may not send.
 */
export interface TestNoticeDeps {
  readonly registry: SchoolRegistry;
  readonly store: ConsoleStore;
  readonly now: () => Date;
}

export interface TestNoticeAnswer {
  readonly school: string;
  /** One per channel: where it went (said without a secret), and what came back. */
  readonly results: readonly TestResult[];
}

export type SendTestNotice = (p: Principal, school: string) => Promise<TestNoticeAnswer>;

export function createTestNotice(deps: TestNoticeDeps): SendTestNotice {
  return async (p, name) => {
    if (!sees(p, name)) throw schoolNotFound();
    const school = await deps.registry.get(name);
    if (!school) throw schoolNotFound();
    if (p.account.role === 'viewer') throw forbidden();
    const settings = school.config.notifications;
    if (!settings)
      throw new WebError(
        409,
        'notifications.none',
        'No notification channel is saved for this school: add an email or a webhook to its settings, save, then send a test notice.',
      );
    const now = deps.now();
    const results = await notifyTest(settings, {
      now,
      secrets: scrubberFor([school.config]).secrets(),
    });
    await deps.store.audit({
      at: now.toISOString(),
      actor: p.account.email,
      school: name,
      action: 'notifications.tested',
      detail: { results: results.map((r) => ({ channel: r.channel, target: r.target, ok: r.ok })) },
    });
    return { school: name, results };
  };
}
