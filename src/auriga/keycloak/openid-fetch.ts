import type * as oidc from 'openid-client';
import { type Http, type HttpAnswer, isRequestFailure } from '../../http/request.ts';

/**
 * openid-client's `customFetch` over the shared request path
 * (src/http/request.ts), so that discovery and the token calls are retried
 * like every other call: 5xx, 429, timeouts and dropped connections, with
 * `Retry-After` honoured. Once the retries are spent, the last answer is
 * handed back as is (openid-client's error for it is then translated in
 * errors.ts), or the last network error is thrown. An answer the policy does
 * not retry (Keycloak's 400 and 401: configuration errors) is never retried.
 *
 * openid-client's own signal carries only its timeout for the whole call
 * (see `wholeCallSeconds`): each attempt is timed out by auriga.timeoutMs
 * instead, and the operation's signal, read at each call, cuts it all short.
 */
export function openidFetch(http: Http, signal: () => AbortSignal | undefined): oidc.CustomFetch {
  return async (url, options) => {
    try {
      const answer = await http.send({
        name: `${options.method} ${new URL(url).pathname}`,
        url,
        method: options.method,
        headers: options.headers,
        body: options.body as string | URLSearchParams | undefined,
        redirect: options.redirect,
        signal: signal(),
      });
      return responseOf(answer);
    } catch (error) {
      if (!isRequestFailure(error)) throw error;
      if (error.last !== undefined) return responseOf(error.last);
      throw error.cause ?? error;
    }
  };
}

/** openid-client's limit for a whole call, in seconds: every attempt and every wait between them. */
export function wholeCallSeconds(http: Http, timeoutMs: number): number {
  const { retries, maxDelayMs } = http.policy;
  const ms = (retries + 1) * timeoutMs + retries * maxDelayMs;
  return Math.max(1, Math.ceil(ms / 1000));
}

/** openid-client reads a Response: the answer, read whole by the request path, rebuilt. */
function responseOf(answer: HttpAnswer): Response {
  const empty = answer.status === 204 || answer.status === 205 || answer.status === 304;
  return new Response(empty ? null : answer.text, {
    status: answer.status,
    statusText: answer.statusText,
    headers: answer.headers,
  });
}
