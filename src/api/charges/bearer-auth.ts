import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../errors';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Whether a presented token is one of the configured ones, in constant time: hashing first gives
 * equal-length inputs, and every token is compared so timing reveals nothing.
 */
export function tokenMatcher(tokens: readonly string[]): (presented: string | undefined) => boolean {
  const expected = tokens.map(digest);
  return (presented) => {
    const hashed = digest(presented ?? '');
    let ok = false;
    for (const candidate of expected) ok = timingSafeEqual(candidate, hashed) || ok;
    return ok && presented !== undefined;
  };
}

/** Checks `Authorization: Bearer <token>` against the configured tokens (tokenMatcher). */
export function bearerAuth(tokens: readonly string[]): (request: FastifyRequest) => Promise<void> {
  const matches = tokenMatcher(tokens);
  return async (request) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!matches(match?.[1])) {
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
