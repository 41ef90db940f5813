import type { AurigaReaderDeps, DetailedRead } from '../auriga/reader.ts';
import type { Config } from '../config/schema.ts';
import { aurigaReaderFor } from './edges.ts';

/** Read a school's favorites exactly as a run would, writing nothing: `auriga read`. */
export function readAuriga(
  config: Config,
  options: Omit<AurigaReaderDeps, 'onRequest'> & { readonly signal?: AbortSignal } = {},
): Promise<DetailedRead> {
  const { signal, ...deps } = options;
  return aurigaReaderFor(config, deps).reader.readDetailed(signal ? { signal } : {});
}
