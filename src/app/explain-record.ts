import type { Config } from '../config/schema.ts';
import type { ExplainLang, Explanation, Subject } from '../explain/explain.ts';
import { explainFromStore } from '../explain/from-store.ts';
import type { Store } from '../store/port.ts';
import { storeFor } from './edges.ts';

/** Why a record is (not) on Edusign, from the school's store: `explain`, the console's search. */
export async function explainRecord(
  config: Config,
  query: {
    readonly subject: Subject;
    readonly aurigaId: string;
    readonly runs?: number;
    /** The sentences' language (the console's page); @default 'en' */
    readonly lang?: ExplainLang;
  },
  options: { readonly store?: Store } = {},
): Promise<Explanation> {
  const store = options.store ?? (await storeFor(config, { readOnly: true }));
  try {
    return await explainFromStore(store.forSchool(config.school), {
      subject: query.subject,
      aurigaId: query.aurigaId,
      timeZone: config.options.timeZone,
      ...(query.runs === undefined ? {} : { runs: query.runs }),
      ...(query.lang === undefined ? {} : { lang: query.lang }),
    });
  } finally {
    if (!options.store) await store.close();
  }
}
