/**
 * `keycloakUrl` as schools paste it: with or without the legacy `/auth`,
 * with a trailing slash, with `/realms/...` or a whole sign-in address on it.
 * Pure: the bases worth trying and the realm pasted in, if any.
 */

/**
 * The bases to try, best guess first: the URL as given, without what was
 * pasted after it (`/realms/...`, `/protocol/...`, `/admin/...`, a trailing
 * slash), then the same with `/auth` added or removed.
 */
export function keycloakBaseCandidates(keycloakUrl: string): string[] {
  const url = new URL(keycloakUrl.trim());
  url.search = '';
  url.hash = '';
  let path = url.pathname;
  const cut = path.search(/\/(realms|protocol|admin|resources|js)(\/|$)/);
  if (cut >= 0) path = path.slice(0, cut);
  path = path.replace(/\/+$/, '');
  const origin = url.origin;
  const given = `${origin}${path}`;
  const other = path.endsWith('/auth')
    ? `${origin}${path.slice(0, -'/auth'.length)}`
    : `${origin}${path}/auth`;
  return [given, other];
}

/** The realm pasted in `keycloakUrl` (`.../realms/school/...`), if any. */
export function realmInUrl(keycloakUrl: string): string | undefined {
  try {
    const match = /\/realms\/([^/]+)/.exec(new URL(keycloakUrl.trim()).pathname);
    return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}
