import { maskSecret } from '../config/mask.ts';
import type { Config } from '../config/schema.ts';
import { createEdusignClient } from '../edusign/client.ts';
import type { EdusignAbsenceReason } from '../edusign/types.ts';
import { DOCTOR_RETRY, type DoctorDeps } from './deps.ts';
import { describeFailure } from './fixes.ts';
import {
  type DoctorCode,
  type DoctorStep,
  failed,
  passed,
  skipped,
  skippedAfter,
} from './steps.ts';

/**
 * The Edusign steps: the token accepted (one list of absence reasons, the
 * cheapest read), and every reason the mapping names present there. They
 * depend on nothing on the Auriga side.
 */

const MOTIVE_MISSING: DoctorCode = 'edusign.absence_motive_missing';

export async function checkEdusign(config: Config, deps: DoctorDeps): Promise<DoctorStep[]> {
  const edusign = createEdusignClient(config.edusign, {
    retry: deps.retry ?? DOCTOR_RETRY,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  let reasons: EdusignAbsenceReason[];
  try {
    reasons = await edusign.absenceReasons(deps.signal);
  } catch (error) {
    const why = describeFailure(error, config);
    return [
      failed('edusign.token', why.detail, why.fix, why.code),
      skippedAfter('edusign.absence_motives', 'edusign.token'),
    ];
  }
  const token = passed(
    'edusign.token',
    `${config.edusign.baseUrl} accepted the token (${maskSecret(config.edusign.token)}): ${reasons.length} absence reasons read`,
  );
  return [token, checkAbsenceMotives(config, reasons)];
}

/** Every Edusign reason named in options.absenceMotives exists on Edusign (names compared without case). */
function checkAbsenceMotives(config: Config, reasons: readonly EdusignAbsenceReason[]): DoctorStep {
  const mapping = Object.entries(config.options.absenceMotives);
  if (mapping.length === 0) {
    return skipped(
      'edusign.absence_motives',
      'no absence motives mapped (options.absenceMotives, optional)',
    );
  }
  const key = (name: string) => name.normalize('NFC').trim().toLocaleLowerCase('fr');
  const known = new Set(reasons.map((r) => key(r.NAME)));
  const missing = mapping.filter(([, name]) => !known.has(key(name)));
  const available = reasons.length > 0 ? reasons.map((r) => `"${r.NAME}"`).join(', ') : 'none';
  if (missing.length > 0) {
    return failed(
      'edusign.absence_motives',
      `${missing.length} of ${mapping.length} mapped absence reasons are not on Edusign: ${missing.map(([motive, name]) => `"${name}" (for Auriga's "${motive}")`).join(', ')}; Edusign has: ${available}`,
      "in options.absenceMotives, map each Auriga motive to one of Edusign's absence reasons, spelled as listed, or create the missing reasons in Edusign",
      MOTIVE_MISSING,
    );
  }
  return passed(
    'edusign.absence_motives',
    `all ${mapping.length} mapped absence reasons are on Edusign (${mapping.map(([, name]) => `"${name}"`).join(', ')})`,
  );
}
