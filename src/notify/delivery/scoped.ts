import type { DeliveryScope, DeliveryStore } from './port.ts';

/**
 * The queue as one process's deliverer sees it: only the deliveries of the
 * schools whose channels it has. A shared store (a fleet's PostgreSQL, a
 * SQLite file two schools name) holds other schools' notices too, which this
 * process could only mark as sent to a channel "no longer configured".
 */
export function scopedToSchools(
  store: DeliveryStore,
  schools: readonly string[],
  options: Pick<DeliveryScope, 'operator'> = {},
): DeliveryStore {
  const scope: DeliveryScope = { ...options, schools: [...schools] };
  return {
    loadState: (school) => store.loadState(school),
    saveDecision: (school, state, deliveries) => store.saveDecision(school, state, deliveries),
    claimDue: (now, claimUntil, limit) => store.claimDue(now, claimUntil, limit, scope),
    dueSchools: (now) => store.dueSchools(now, scope),
    nextDueAt: () => store.nextDueAt(scope),
    recordAttempt: (attempt, update) => store.recordAttempt(attempt, update),
    listDeliveries: (filter) => store.listDeliveries(filter),
    listAttempts: (filter) => store.listAttempts(filter),
  };
}
