import type { Config } from '../config/schema.ts';
import { redactSecrets } from '../observability/secrets.ts';
import { checkAuriga } from './auriga.ts';
import type { DoctorDeps } from './deps.ts';
import { checkEdusign } from './edusign.ts';
import { type DoctorStep, STEP_IDS, skipped } from './steps.ts';
import { checkStore, storeSecret } from './store.ts';

export { DOCTOR_RETRY, type DoctorDeps } from './deps.ts';

/**
 * `doctor`: the prerequisites of a school walked one by one over the real
 * clients, one file per system: Keycloak (keycloak.ts), Auriga (auriga.ts:
 * the API, the favorites and a sample of rows through the reader's own read
 * path), Edusign (edusign.ts) and the store (store.ts). Each step is passed,
 * failed with its fix, or skipped because an earlier one failed. Nothing is
 * sent to Edusign or Auriga but reads; the store is opened as a sync would
 * open it. The calls are the cheapest that prove each step.
 */

/** Every step in order, each passed, failed (with its fix) or skipped (with the reason). */
export async function runDoctor(config: Config, deps: DoctorDeps = {}): Promise<DoctorStep[]> {
  const [auriga, edusign, store] = await Promise.all([
    checkAuriga(config, deps),
    checkEdusign(config, deps),
    checkStore(config, deps),
  ]);
  const byId = new Map([...auriga, ...edusign, store].map((s) => [s.id, s]));
  const secrets = [
    config.auriga.password,
    config.auriga.clientSecret,
    config.edusign.token,
    storeSecret(config.store),
  ].filter((s): s is string => s !== undefined);
  return STEP_IDS.map((id) => {
    const step = byId.get(id) ?? skipped(id, 'not checked');
    // The clients never put a secret in a message; a server echoing one must not leak it either.
    return Object.freeze({
      ...step,
      detail: redactSecrets(step.detail, secrets),
      ...(step.fix === undefined ? {} : { fix: redactSecrets(step.fix, secrets) }),
    });
  });
}
