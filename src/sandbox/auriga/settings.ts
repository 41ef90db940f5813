/**
 * What an Auriga sandbox can be told to be: its Keycloak realm and client,
 * its account, its token lifetimes and the favorites it serves. The control
 * API changes them while the server runs.
 */
export interface AurigaSettings {
  /** @default 'school' */
  readonly realm: string;
  /** @default 'edusign-sync' */
  readonly clientId: string;
  /** @default 'sandbox-client-secret' */
  readonly clientSecret: string;
  /** @default 'edusign.sync' */
  readonly username: string;
  /** @default 'sandbox-password' */
  readonly password: string;
  /** Auriga's web app refreshes about every minute. @default 60 */
  readonly accessTokenLifetimeSeconds: number;
  /** Keycloak's default SSO session idle time. @default 1800 */
  readonly refreshTokenLifetimeSeconds: number;
  /** The client may use the password grant ("Direct Access Grants" in Keycloak). @default true */
  readonly directGrants: boolean;
  /** The account has required actions left: Keycloak answers "Account is not fully set up". @default false */
  readonly userSetupRequired: boolean;
  /** Headers every API call must carry, e.g. `{ 'x-scope': 'frontend' }`. @default {} */
  readonly requiredHeaders: Readonly<Record<string, string>>;
  /** @default '4242' */
  readonly interventionsQueryId: string;
  /** @default '4343' */
  readonly groupsQueryId: string;
  /** @default '310' */
  readonly menuEntryId: string;
  /** Put the favorites in no menu, as when the account's menus lack them. @default false */
  readonly hideFromMenus: boolean;
  /** Shuffles the column order; undefined keeps a fixed, non-trivial order. */
  readonly columnSeed: number | undefined;
  /**
   * The largest page this instance hands out: a bigger `size` is cut down to
   * it, `totalPages` counted at the size actually served. Some instances cap
   * at 100 whatever is asked (auriga-api.md, Reading a favorite). @default MAX_PAGE_SIZE (1000)
   */
  readonly maxPageSize: number;
}

/** The largest page Auriga hands out by default; a bigger `size` is cut down to it. */
export const MAX_PAGE_SIZE = 1000;

export const DEFAULT_SETTINGS: AurigaSettings = Object.freeze({
  realm: 'school',
  clientId: 'edusign-sync',
  clientSecret: 'sandbox-client-secret',
  username: 'edusign.sync',
  password: 'sandbox-password',
  accessTokenLifetimeSeconds: 60,
  refreshTokenLifetimeSeconds: 1800,
  directGrants: true,
  userSetupRequired: false,
  requiredHeaders: {},
  interventionsQueryId: '4242',
  groupsQueryId: '4343',
  menuEntryId: '310',
  hideFromMenus: false,
  columnSeed: undefined,
  maxPageSize: MAX_PAGE_SIZE,
});

/** The settings `setOptions` may change while the server runs. */
export type MutableSettings = Pick<
  AurigaSettings,
  | 'realm'
  | 'clientId'
  | 'clientSecret'
  | 'username'
  | 'password'
  | 'accessTokenLifetimeSeconds'
  | 'refreshTokenLifetimeSeconds'
  | 'directGrants'
  | 'userSetupRequired'
  | 'requiredHeaders'
  | 'hideFromMenus'
  | 'columnSeed'
  | 'maxPageSize'
>;
