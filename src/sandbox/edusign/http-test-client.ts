/**
 * A bare HTTP helper for the sandbox's own conformance tests: it shows the
 * raw answer (status, content type, text) so tests can assert the wire
 * format itself, which the connector's typed Edusign client hides.
 */

export interface RawAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  readonly json: unknown;
}

/** Edusign's envelope, as the tests read it. */
export type Envelope =
  | { status: 'success'; result: unknown }
  | { status: 'error'; message: string | string[] };

export interface TestClient {
  /** One request; `token: null` sends no Authorization header. */
  raw(
    method: string,
    path: string,
    body?: unknown,
    options?: { token?: string | null },
  ): Promise<RawAnswer>;
  /** One v1 request that must answer HTTP 200 with the envelope. */
  v1(method: string, path: string, body?: unknown): Promise<Envelope>;
  /** One v1 request that must succeed; its result. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read results field by field
  ok(method: string, path: string, body?: unknown): Promise<any>;
  /** One v1 request that must fail as a business error; its message. */
  error(method: string, path: string, body?: unknown): Promise<string | string[]>;
}

export function testClient(sandbox: { readonly url: string; readonly token: string }): TestClient {
  const raw: TestClient['raw'] = async (method, path, body, options = {}) => {
    const token = options.token === undefined ? sandbox.token : options.token;
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${sandbox.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      headers: response.headers,
      text,
      json,
    };
  };
  const v1: TestClient['v1'] = async (method, path, body) => {
    const answer = await raw(method, path, body);
    if (answer.status !== 200 || typeof answer.json !== 'object' || answer.json === null)
      throw new Error(`${method} ${path}: HTTP ${answer.status} ${answer.text}`);
    return answer.json as Envelope;
  };
  return {
    raw,
    v1,
    async ok(method, path, body) {
      const envelope = await v1(method, path, body);
      if (envelope.status !== 'success')
        throw new Error(`${method} ${path} failed: ${JSON.stringify(envelope.message)}`);
      return envelope.result;
    },
    async error(method, path, body) {
      const envelope = await v1(method, path, body);
      if (envelope.status !== 'error')
        throw new Error(`${method} ${path} succeeded: ${JSON.stringify(envelope.result)}`);
      return envelope.message;
    },
  };
}
