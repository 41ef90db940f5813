/**
 * The sandbox's image of Edusign's v1 envelope: a result, or a business error
 * whose message is a sentence or a list of validation messages. Nothing here
 * knows HTTP.
 */
export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string | string[] };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fail = (message: string | string[]): Outcome<never> => ({ ok: false, message });

export interface IdPair {
  ID: string;
  id: string;
}
