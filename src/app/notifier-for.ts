import type { Config } from '../config/schema.ts';
import type { NotificationSettings } from '../notify/config.ts';
import { scopedToSchools } from '../notify/delivery/scoped.ts';
import { createNotifier, type Notifier, type NotifierOptions } from '../notify/notifier.ts';
import type { Store } from '../store/port.ts';

/**
 * The notifier of the schools that share one store: their channels, their
 * queue in that store, seen only for them (`scopedToSchools`: another
 * process's schools are its own to deliver). Undefined when none of them
 * configures notifications: nobody is told, nothing is queued.
 */
export function notifierFor(
  configs: readonly Config[],
  store: Store,
  options: Omit<NotifierOptions, 'store' | 'settings'> & {
    /** The operator's channels (`--operator FILE`): told of these schools' notices too. */
    readonly operator?: NotificationSettings | undefined;
  } = {},
): Notifier | undefined {
  const { operator, ...notifierOptions } = options;
  const settings = [
    ...configs.flatMap((config) => (config.notifications ? [config.notifications] : [])),
    ...(operator ? [operator] : []),
  ];
  if (settings.length === 0) return undefined;
  return createNotifier({
    ...notifierOptions,
    store: scopedToSchools(
      store.notifications(),
      configs.map((config) => config.school),
    ),
    settings,
  });
}
