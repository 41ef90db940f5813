/**
 * A fast non-cryptographic 53-bit hash of a text (cyrb53: two 32-bit
 * multiply-xorshift lanes, public domain). For telling texts apart where a
 * collision costs little and is unlikely (about one in 2^53 per pair):
 * fingerprints of what we wrote, and rows seen twice. Never for security.
 */
export function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  return finish(h1, h2);
}

/**
 * The same hash over a text given in pieces, without joining them:
 * `reset()`, then `code`/`text` for each piece in order, then `value()`
 * equals `hash53` of the pieces' concatenation. One instance can be reused.
 */
export class Hash53 {
  #h1 = 0;
  #h2 = 0;

  constructor() {
    this.reset();
  }

  reset(seed = 0): this {
    this.#h1 = 0xdeadbeef ^ seed;
    this.#h2 = 0x41c6ce57 ^ seed;
    return this;
  }

  /** One UTF-16 code unit. */
  code(ch: number): this {
    this.#h1 = Math.imul(this.#h1 ^ ch, 2654435761);
    this.#h2 = Math.imul(this.#h2 ^ ch, 1597334677);
    return this;
  }

  text(text: string): this {
    let h1 = this.#h1;
    let h2 = this.#h2;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    this.#h1 = h1;
    this.#h2 = h2;
    return this;
  }

  /**
   * `text` wrapped in double quotes, as `JSON.stringify` writes a text that
   * needs no escape; false, and the state left unusable until `reset`, when
   * the text holds a character JSON escapes (a control character, `"`, `\`,
   * or a surrogate, which a lone one would be).
   */
  plainJsonText(text: string): boolean {
    let h1 = Math.imul(this.#h1 ^ QUOTE, 2654435761);
    let h2 = Math.imul(this.#h2 ^ QUOTE, 1597334677);
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch < 0x20 || ch === QUOTE || ch === BACKSLASH || (ch >= 0xd800 && ch <= 0xdfff))
        return false;
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    this.#h1 = Math.imul(h1 ^ QUOTE, 2654435761);
    this.#h2 = Math.imul(h2 ^ QUOTE, 1597334677);
    return true;
  }

  /** A 53-bit number (another digest), as four 16-bit code units, low first. */
  digest(n: number): this {
    const low = n >>> 0;
    const high = (n - low) / 4294967296;
    return this.code(low & 0xffff)
      .code(low >>> 16)
      .code(high & 0xffff)
      .code(high >>> 16);
  }

  value(): number {
    return finish(this.#h1, this.#h2);
  }
}

const shared = new Hash53();

/** `hash53(JSON.stringify(text))`, without building the JSON when the text needs no escape. */
export function hash53OfJsonText(text: string): number {
  return shared.reset().plainJsonText(text) ? shared.value() : hash53(JSON.stringify(text));
}

const QUOTE = 34;
const BACKSLASH = 92;

function finish(a: number, b: number): number {
  let h1 = a;
  let h2 = b;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
