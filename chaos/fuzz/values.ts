/** Random strings and JSON values for fuzzing, from a seeded Random (so a case can be replayed). */
import type { Random } from '../common/random';

const ASCII_PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
const ID_CHARS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-'];
const ALNUM = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'];

export const codePoints = (s: string): number => [...s].length;

/** One code point: mostly ASCII, some Latin/BMP, emoji, control characters and lone surrogates. */
export function randomChar(random: Random): string {
  const roll = random.next();
  if (roll < 0.55) return random.pick(ASCII_PRINTABLE);
  if (roll < 0.75) return String.fromCodePoint(random.int(0xa0, 0xd7ff));
  if (roll < 0.85) return String.fromCodePoint(random.int(0x1f300, 0x1faff));
  if (roll < 0.93) return String.fromCharCode(random.int(0, 31));
  if (roll < 0.97) return String.fromCharCode(random.int(0xd800, 0xdfff));
  return String.fromCodePoint(random.int(0xe000, 0xfffd));
}

export function randomString(random: Random, min: number, max: number): string {
  let s = '';
  for (let n = random.int(min, max); n > 0; n--) s += randomChar(random);
  return s;
}

export function fromAlphabet(random: Random, alphabet: readonly string[], min: number, max: number): string {
  let s = '';
  for (let n = random.int(min, max); n > 0; n--) s += random.pick(alphabet);
  return s;
}

export const idString = (random: Random, min: number, max: number): string =>
  fromAlphabet(random, ID_CHARS, min, max);
export const alnumString = (random: Random, min: number, max: number): string =>
  fromAlphabet(random, ALNUM, min, max);

/** Any JSON value (nesting bounded by `depth`). */
export function jsonValue(random: Random, depth = 3): unknown {
  const kinds = depth > 0 ? 7 : 5;
  switch (random.int(0, kinds - 1)) {
    case 0:
      return null;
    case 1:
      return random.chance(0.5);
    case 2:
      return random.pick([0, -1, 1.5, -0.001, 1e21, 2 ** 53 + 2, random.int(-1e9, 1e9), random.next() * 1e6]);
    case 3:
      return randomString(random, 0, 12);
    case 4:
      return random.pick(['', '0', 'true', 'null', '[]', '{}', 'usd', '1999']);
    case 5:
      return Array.from({ length: random.int(0, 4) }, () => jsonValue(random, depth - 1));
    default:
      return Object.fromEntries(
        Array.from({ length: random.int(0, 4) }, () => [
          randomString(random, 1, 8),
          jsonValue(random, depth - 1),
        ]),
      );
  }
}

/** A JSON value that is not of `type` (the JSON-schema type name). */
export function valueNotOfType(random: Random, type: 'string' | 'integer' | 'object'): unknown {
  for (;;) {
    const value = jsonValue(random, 2);
    const isType =
      type === 'string'
        ? typeof value === 'string'
        : type === 'integer'
          ? typeof value === 'number' && Number.isInteger(value)
          : value !== null && typeof value === 'object' && !Array.isArray(value);
    if (!isType) return value;
  }
}
