import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../errors';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Checks `Authorization: Bearer <token>` against the configured tokens in constant time: hashing
 * first gives equal-length inputs, and every token is compared so timing reveals nothing.
 */
export function bearerAuth(tokens: readonly string[]): (request: FastifyRequest) => Promise<void> {
  const expected = tokens.map(digest);
  return async (request) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const presented = digest(match?.[1] ?? '');
    let ok = false;
    for (const candidate of expected) ok = timingSafeEqual(candidate, presented) || ok;
    if (!ok || match === null) {
      throw new HttpError(
        401,
        'unauthorized',
        'a valid bearer token is required',
        [],
        {},
        { 'www-authenticate': 'Bearer' },
      );
    }
  };
}
