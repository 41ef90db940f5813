import type { ConfigInput } from '../config/schema.ts';
import { type AurigaSandbox, startAurigaSandbox } from './auriga/index.ts';
import { type EdusignSandbox, startEdusignSandbox } from './edusign/index.ts';
import type { FaultConfig } from './faults.ts';
import { generateSchool, type School } from './school/index.ts';

/**
 * Both sandboxes with one generated school: what `auriga-edusign sandbox`
 * serves, what the demo syncs, and what end-to-end tests start. Auriga (with
 * its Keycloak) listens on `port`, Edusign on `port + 1` (both free ports when 0).
 */
export interface SandboxesOptions {
  /** @default 0 */
  readonly port?: number;
  readonly host?: string;
  /** @default 'small' */
  readonly school?: 'small' | 'large';
  /** @default 1 */
  readonly seed?: number | string;
  /** @default 'Europe/Paris' */
  readonly timeZone?: string;
  /** The window's first day, `YYYY-MM-DD` in timeZone. @default today there */
  readonly today?: string;
  /** Share of malformed Auriga rows. @default 0 */
  readonly malformedShare?: number;
  /** Faults injected on both servers. @default none */
  readonly faults?: Partial<FaultConfig>;
  /** Edusign's rate limit. @default 480 a minute */
  readonly edusignRateLimit?: { requests: number; windowMs: number };
  /** Edusign's limit for the heavy v3 batch routes. @default 24 a minute */
  readonly edusignHeavyRateLimit?: { requests: number; windowMs: number };
  /**
   * Edusign accounts served (fleet.md); the generated school's configuration
   * points at the first, the others are `edusign.accounts()[1…]`. @default 1
   */
  readonly edusignAccounts?: number;
  /**
   * Schools served (fleet.md): each its own Auriga client, account and
   * favorites (a school generated with seed `seed + i`) on the one Auriga
   * sandbox, and its own Edusign account. `configs` holds one configuration
   * per school. @default 1
   */
  readonly schools?: number;
  /** Token lifetime of the Keycloak sandbox. @default 60 */
  readonly accessTokenLifetimeSeconds?: number;
}

export interface Sandboxes {
  readonly auriga: AurigaSandbox;
  readonly edusign: EdusignSandbox;
  readonly school: School;
  /** A school's configuration pointing at these sandboxes (docs/rules.md §1). */
  readonly config: ConfigInput;
  /** With `schools: N`, N configurations (the first is `config`), schools `school-1`…`school-N`. */
  readonly configs: readonly ConfigInput[];
  close(): Promise<void>;
}

export function localToday(timeZone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

export async function startSandboxes(options: SandboxesOptions = {}): Promise<Sandboxes> {
  const timeZone = options.timeZone ?? 'Europe/Paris';
  const school = generateSchool({
    size: options.school ?? 'small',
    seed: options.seed ?? 1,
    today: options.today ?? localToday(timeZone),
    timeZone,
    malformedShare: options.malformedShare ?? 0,
  });
  const schoolCount = options.schools ?? 1;
  if (!(Number.isInteger(schoolCount) && schoolCount >= 1))
    throw new RangeError(`schools must be a whole number from 1, got ${schoolCount}`);
  const seedOf = (i: number) =>
    typeof options.seed === 'string' ? `${options.seed}-${i}` : (options.seed ?? 1) + i;
  const port = options.port ?? 0;
  const host = options.host ?? '127.0.0.1';
  const auriga = await startAurigaSandbox({
    school,
    port,
    host,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.accessTokenLifetimeSeconds
      ? { accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds }
      : {}),
  });
  let edusign: EdusignSandbox;
  try {
    edusign = await startEdusignSandbox({
      port: port === 0 ? 0 : port + 1,
      host,
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.edusignRateLimit ? { rateLimit: options.edusignRateLimit } : {}),
      ...(options.edusignHeavyRateLimit ? { heavyRateLimit: options.edusignHeavyRateLimit } : {}),
      ...(options.edusignAccounts || schoolCount > 1
        ? { accounts: Math.max(options.edusignAccounts ?? 1, schoolCount) }
        : {}),
    });
  } catch (error) {
    await auriga.close();
    throw error;
  }
  const config: ConfigInput = {
    school: 'sandbox',
    auriga: {
      url: auriga.url,
      keycloakUrl: auriga.keycloakUrl,
      realm: auriga.realm,
      clientId: auriga.clientId,
      clientSecret: auriga.clientSecret,
      username: auriga.username,
      password: auriga.password,
      interventionsQueryId: auriga.interventionsQueryId,
      groupsQueryId: auriga.groupsQueryId,
    },
    // v3BaseUrl too, so that a school trying `edusign.api: v3` against the sandbox needs only that key.
    edusign: { token: edusign.token, baseUrl: edusign.url, v3BaseUrl: edusign.v3Url },
    options: { timeZone, syncGroups: true },
  };
  const configs: ConfigInput[] = [schoolCount > 1 ? { ...config, school: 'school-1' } : config];
  for (let i = 1; i < schoolCount; i++) {
    const tenant = auriga.addSchool({
      school: generateSchool({
        size: options.school ?? 'small',
        seed: seedOf(i),
        today: options.today ?? localToday(timeZone),
        timeZone,
        malformedShare: options.malformedShare ?? 0,
      }),
    });
    configs.push({
      ...config,
      school: `school-${i + 1}`,
      auriga: {
        ...config.auriga,
        clientId: tenant.clientId,
        clientSecret: tenant.clientSecret,
        username: tenant.username,
        password: tenant.password,
      },
      edusign: { ...config.edusign, token: edusign.accounts()[i]?.token ?? edusign.token },
    });
  }
  return {
    auriga,
    edusign,
    school,
    config,
    configs,
    close: async () => {
      await Promise.allSettled([auriga.close(), edusign.close()]);
    },
  };
}
