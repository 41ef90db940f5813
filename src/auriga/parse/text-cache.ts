import { hash53OfJsonText } from '../../domain/hash.ts';

/**
 * Values kept by text, for cells that repeat from row to row and may be long:
 * a group's learners cell is about a kilobyte, the same on each of the
 * group's interventions, and comes as a new string on every row. A `Map`
 * keyed by the text hashes every character of each new string (some two
 * microseconds a kilobyte); here a text is found by a key made of its length
 * and a sample of its characters, then confirmed by comparing it whole, a
 * native comparison many times quicker. Each entry keeps the digest of the
 * text's JSON (`hash53OfJsonText`), computed once, and a value its owner
 * fills in.
 */
export interface CachedText<T> {
  readonly text: string;
  /** `hash53(JSON.stringify(text))`. */
  readonly digest: number;
  value: T | undefined;
}

export class TextCache<T> {
  readonly #buckets = new Map<number, CachedText<T>[]>();

  find(text: string): CachedText<T> | undefined {
    const bucket = this.#buckets.get(sampleKey(text));
    if (bucket !== undefined) for (const entry of bucket) if (entry.text === text) return entry;
    return undefined;
  }

  /** The entry of `text`, added (with no value yet) when there is none. */
  entry(text: string): CachedText<T> {
    const key = sampleKey(text);
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = [];
      this.#buckets.set(key, bucket);
    } else for (const entry of bucket) if (entry.text === text) return entry;
    const entry: CachedText<T> = { text, digest: hash53OfJsonText(text), value: undefined };
    bucket.push(entry);
    return entry;
  }
}

/** Characters read of a long text: every one of a short text, about this many of a long one. */
const SAMPLE = 64;
const TAIL = 8;

/**
 * The length and a sample of the characters (evenly spaced, and the last
 * few): texts that differ only between the sampled characters share a
 * bucket and are told apart by the whole comparison, never mistaken.
 */
function sampleKey(text: string): number {
  const length = text.length;
  const step = length <= SAMPLE ? 1 : Math.floor(length / SAMPLE);
  let key = length;
  for (let at = 0; at < length; at += step) key = Math.imul(key ^ text.charCodeAt(at), 0x5bd1e995);
  for (let at = Math.max(0, length - TAIL); at < length; at++)
    key = Math.imul(key ^ text.charCodeAt(at), 0x27d4eb2d);
  // Small enough to be a small integer key in a Map.
  return key & 0x3fffffff;
}
