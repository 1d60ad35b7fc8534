import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors';

/**
 * A container being read: an object with the keys seen so far, or an array with its element count.
 * Each knows its parent, so a path is built only for the error, never per container (a 64 KiB body
 * of nested arrays would otherwise cost quadratic time).
 */
type Frame =
  | { readonly kind: 'object'; readonly parent: Frame | undefined; readonly keys: Set<string>; key?: string }
  | { readonly kind: 'array'; readonly parent: Frame | undefined; index: number };

/** "metadata.note", "items.0.sku": the path of a value as the error answers name fields. */
function pathOf(frame: Frame, last: string): string {
  const parts = [last];
  for (let f = frame.parent; f !== undefined; f = f.parent) {
    parts.unshift(f.kind === 'object' ? (f.key ?? '') : String(f.index));
  }
  return parts.join('.');
}

/** The index just past the string literal that opens at `start` (a `"`). */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c)
      i++; // a backslash escapes the next character
    else if (c === 0x22) return i + 1;
  }
  return text.length;
}

function nextSignificant(text: string, from: number): string | undefined {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return c;
  }
  return undefined;
}

/**
 * The path of the first key that appears twice in one object of this JSON text (already known to be
 * valid JSON), or undefined. JSON.parse keeps the last of two equal keys without a word, so
 * `{"amount":1000,…,"amount":99999999}` would charge the second amount while a proxy, a log or the
 * dispatcher's own audit reads the first; I-JSON (RFC 7493) forbids such names. Keys are compared
 * after unescaping: `"amount"` and `"\u0061mount"` are the same key.
 */
export function firstDuplicateKey(text: string): string | undefined {
  let top: Frame | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = endOfString(text, i);
      if (top?.kind === 'object' && nextSignificant(text, end) === ':') {
        const key = JSON.parse(text.slice(i, end)) as string;
        if (top.keys.has(key)) return pathOf(top, key);
        top.keys.add(key);
        top.key = key;
      }
      i = end - 1;
    } else if (c === '{') {
      top = { kind: 'object', parent: top, keys: new Set() };
    } else if (c === '[') {
      top = { kind: 'array', parent: top, index: 0 };
    } else if (c === '}' || c === ']') {
      top = top?.parent;
    } else if (c === ',' && top?.kind === 'array') {
      top.index++;
    }
  }
  return undefined;
}

/**
 * The JSON body parser of the gateway's routes: Fastify's own (its prototype-poisoning checks, its
 * errors for bad JSON, the route's body limit, which Fastify applies before any parser runs), then a
 * refusal of any key repeated in one object, at any depth: 400 naming the key. With `emptyBody:
 * 'absent'`, an empty body is no body (`POST …/cancel`, sent by clients with a JSON content type
 * anyway); otherwise it is Fastify's empty-JSON error.
 */
export function registerStrictJsonParser(
  app: FastifyInstance,
  options: { readonly emptyBody: 'absent' | 'refused' },
): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, raw, done) => {
    const text = String(raw);
    if (text === '' && options.emptyBody === 'absent') {
      done(null, undefined);
      return;
    }
    // The default parser is callback-style (it returns nothing to await).
    void parseJson(request, text, (err: Error | null, body?: unknown) => {
      if (err) return done(err, undefined);
      const repeated = firstDuplicateKey(text);
      if (repeated === undefined) return done(null, body);
      const reason = 'appears more than once in its object (each key may be given once)';
      done(
        new HttpError(400, 'invalid_json', `${repeated} ${reason}`, [{ field: repeated, reason }]),
        undefined,
      );
    });
  });
}
