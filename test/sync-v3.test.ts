/**
 * Every end-to-end rule, on the v3 path: the suites that check the sync on
 * v1 (end to end, trust, killed mid-run) run again here with `edusign.api:
 * v3`, against the same sandbox, which speaks both. Where a case counts
 * calls of a route, it counts v3's batches instead (see `h.api`).
 */
import { useEdusignApi } from './helpers/sync-harness.ts';

useEdusignApi('v3');
await import('./sync-e2e.test.ts');
await import('./trust-sync.test.ts');
await import('./sync-crash.test.ts');
