import Fastify, { type FastifyInstance } from 'fastify';
import { type FaultConfig, FaultInjector } from '../faults.ts';
import { withoutUndefined } from '../objects.ts';
import type { School } from '../school/types.ts';
import { registerApi } from './api.ts';
import {
  type AurigaControl,
  type ControlState,
  createControl,
  registerControlRoutes,
} from './control.ts';
import { registerKeycloak, sendNotFoundPage } from './keycloak.ts';
import { type AurigaSettings, DEFAULT_SETTINGS } from './settings.ts';
import { TokenAuthority } from './tokens.ts';

export type { AurigaControl, InterventionInput, PersonChanges, PersonInput } from './control.ts';
export { NOT_FOUND_HTML } from './keycloak.ts';
export {
  type AurigaSettings,
  DEFAULT_SETTINGS,
  MAX_PAGE_SIZE,
  type MutableSettings,
} from './settings.ts';

/**
 * An Auriga instance and its Keycloak on one port, serving a generated
 * school exactly as auriga-api.md describes, errors and limits included.
 */
export interface AurigaSandboxOptions extends Partial<Omit<AurigaSettings, 'columnSeed'>> {
  /** The school served; the sandbox keeps and edits this very object. */
  readonly school: School;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Shuffles the column order; extra columns are always present. @default a fixed, non-trivial order */
  readonly columnSeed?: number;
  readonly faults?: Partial<FaultConfig>;
}

/** Another school served by the same instance: its own Keycloak client, account and favorites. */
export interface AurigaTenantOptions {
  readonly school: School;
  /** @default `edusign-sync-N` */
  readonly clientId?: string;
  /** @default `sandbox-client-secret-N` */
  readonly clientSecret?: string;
  /** @default `edusign.sync.N` */
  readonly username?: string;
  /** @default `sandbox-password-N` */
  readonly password?: string;
}

export interface AurigaTenant {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username: string;
  readonly password: string;
  readonly school: School;
}

export interface AurigaSandbox {
  /**
   * Serve one more school on this instance (fleet.md: one Auriga instance
   * may serve several schools of a group). Its favorites answer only to its
   * own account; the query and menu ids are the instance's.
   */
  addSchool(options: AurigaTenantOptions): AurigaTenant;
  /** Every school added by `addSchool` (the instance's own first school not included). */
  tenants(): readonly AurigaTenant[];
  /** Auriga API base, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Keycloak with the legacy `/auth` prefix; the same routes also answer without it. */
  readonly keycloakUrl: string;
  readonly realm: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username: string;
  readonly password: string;
  readonly interventionsQueryId: string;
  readonly groupsQueryId: string;
  readonly menuEntryId: string;
  /** The live school: control methods change it. */
  readonly school: School;
  readonly faults: FaultInjector;
  readonly control: AurigaControl;
  /** Requests per route pattern, e.g. `POST /api/menuEntries/:m/searchResult`, faulted ones included. */
  calls(): Record<string, number>;
  resetCalls(): void;
  close(): Promise<void>;
}

const CONTROL_PREFIX = '/_sandbox';

export async function startAurigaSandbox(options: AurigaSandboxOptions): Promise<AurigaSandbox> {
  const { school, port = 0, host = '127.0.0.1', faults: faultConfig, ...settingOptions } = options;
  const state: ControlState = {
    school,
    settings: { ...DEFAULT_SETTINGS, ...withoutUndefined(settingOptions) },
    tokens: new TokenAuthority(),
  };
  const faults = new FaultInjector(faultConfig);
  const control = createControl(state);
  let counts: Record<string, number> = {};

  // Closing must not wait for a client's idle keep-alive connections.
  const app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  // Counted before faults are drawn: a call that met a fault was still made.
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith(CONTROL_PREFIX)) return;
    const key = `${request.method} ${request.routeOptions.url ?? '(no route)'}`;
    counts[key] = (counts[key] ?? 0) + 1;
  });
  faults.install(app);
  app.setNotFoundHandler((_request, reply) => sendNotFoundPage(reply));

  const byClient = new Map<string, AurigaTenant>();
  const byUser = new Map<string, AurigaTenant>();
  const addSchool = (tenant: AurigaTenantOptions): AurigaTenant => {
    const n = byClient.size + 2;
    const added: AurigaTenant = Object.freeze({
      school: tenant.school,
      clientId: tenant.clientId ?? `${state.settings.clientId}-${n}`,
      clientSecret: tenant.clientSecret ?? `${state.settings.clientSecret}-${n}`,
      username: tenant.username ?? `${state.settings.username}.${n}`,
      password: tenant.password ?? `${state.settings.password}-${n}`,
    });
    if (
      byClient.has(added.clientId) ||
      byUser.has(added.username) ||
      added.clientId === state.settings.clientId ||
      added.username === state.settings.username
    )
      throw new RangeError(
        `the Auriga sandbox already has the client ${added.clientId} or the account ${added.username}`,
      );
    byClient.set(added.clientId, added);
    byUser.set(added.username, added);
    return added;
  };
  registerKeycloak(app, {
    settings: () => state.settings,
    settingsOf: (clientId) => {
      const tenant = byClient.get(clientId);
      return tenant === undefined
        ? undefined
        : {
            ...state.settings,
            clientId: tenant.clientId,
            clientSecret: tenant.clientSecret,
            username: tenant.username,
            password: tenant.password,
          };
    },
    tokens: state.tokens,
  });
  registerApi(app, {
    settings: () => state.settings,
    school: () => state.school,
    schoolOf: (username) => byUser.get(username)?.school,
    tokens: state.tokens,
  });
  registerControlRoutes(app, {
    control,
    faults,
    state: () => state,
    calls: () => ({ ...counts }),
    resetCalls: () => {
      counts = {};
    },
  });

  await app.listen({ port, host });
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;

  return {
    addSchool,
    tenants: () => [...byClient.values()],
    url,
    keycloakUrl: `${url}/auth`,
    get realm() {
      return state.settings.realm;
    },
    get clientId() {
      return state.settings.clientId;
    },
    get clientSecret() {
      return state.settings.clientSecret;
    },
    get username() {
      return state.settings.username;
    },
    get password() {
      return state.settings.password;
    },
    get interventionsQueryId() {
      return state.settings.interventionsQueryId;
    },
    get groupsQueryId() {
      return state.settings.groupsQueryId;
    },
    get menuEntryId() {
      return state.settings.menuEntryId;
    },
    get school() {
      return state.school;
    },
    faults,
    control,
    calls: () => ({ ...counts }),
    resetCalls: () => {
      counts = {};
    },
    close: () => app.close(),
  };
}
