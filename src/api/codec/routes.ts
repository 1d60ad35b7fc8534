/**
 * The codec server: Temporal's remote codec protocol (POST …/encode, POST …/decode), so operators
 * read encrypted payloads in the Temporal Web UI and the CLI without holding the keys themselves.
 *
 * Authentication: a bearer token of CODEC_SERVER_TOKEN, sent either as `Authorization: Bearer …`
 * (the CLI's `--codec-auth`, scripts) or as the path segment before encode/decode
 * (`https://codec.example/<token>/decode`). The Web UI sends no Authorization header of its own
 * (only its signed-in user's access token, over https), so its codec endpoint carries the token in
 * the path; the protocol looks only at the last path segment, so both forms are valid endpoints.
 * A URL holding a token is never logged (its route template is).
 */
import type { PayloadCodec } from '@temporalio/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PayloadDecryptionError } from '../../clients/payload-codec';
import { tokenMatcher } from '../charges/bearer-auth';
import { errorResponseSchema, HttpError } from '../errors';
import { fromJson, payloadsSchema, toJson, type JsonPayloads } from './protocol';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The request's URL carries a secret: logs show the route template instead. */
    urlHoldsSecret?: boolean;
  }
}

export interface CodecServerDeps {
  readonly codec: PayloadCodec;
  readonly tokens: readonly string[];
  /** Origins whose pages (the Temporal Web UI) may call the codec server from a browser. */
  readonly corsOrigins: readonly string[];
}

/** The headers the Web UI and the CLI send (the protocol's X-Namespace among them). */
const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Namespace';
/** How long a browser may reuse a preflight answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;
/** Enough for a batch of payloads at Temporal's 2 MB payload limit. */
const BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/** A decode refusal also names the key id the payload needs (never key material). */
const undecodableSchema = {
  ...errorResponseSchema,
  properties: { ...errorResponseSchema.properties, key_id: { type: 'string' } },
} as const;

const OPERATIONS = ['encode', 'decode'] as const;
type Operation = (typeof OPERATIONS)[number];

export async function codecServerRoutes(app: FastifyInstance, deps: CodecServerDeps): Promise<void> {
  const matches = tokenMatcher(deps.tokens);
  const allowedOrigins = new Set(deps.corsOrigins);

  /** The CORS answer headers for an allowed origin; nothing for others, so browsers refuse them. */
  function allowOrigin(request: FastifyRequest, reply: FastifyReply): boolean {
    const origin = request.headers.origin;
    reply.header('vary', 'Origin');
    if (origin === undefined || !allowedOrigins.has(origin)) return false;
    reply.header('access-control-allow-origin', origin);
    return true;
  }

  function authenticate(request: FastifyRequest<{ Params: { token?: string } }>): void {
    const header = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    if (matches(request.params.token) || matches(header)) return;
    throw new HttpError(
      401,
      'unauthorized',
      'a valid codec server token is required (Authorization: Bearer, or the path segment before encode/decode)',
      [],
      {},
      { 'www-authenticate': 'Bearer' },
    );
  }

  async function convert(operation: Operation, body: JsonPayloads): Promise<JsonPayloads> {
    const { payloads, errors } = fromJson(body);
    if (errors.length > 0) {
      throw new HttpError(
        400,
        'invalid_request',
        errors.map((e) => `${e.field} ${e.reason}`).join('; '),
        errors,
      );
    }
    try {
      return toJson(await deps.codec[operation](payloads));
    } catch (err) {
      // Names the key id (never key material): the operator's cue to add that key back.
      if (err instanceof PayloadDecryptionError) {
        throw new HttpError(422, 'undecodable_payload', err.message, [], { key_id: err.keyId });
      }
      throw err;
    }
  }

  for (const operation of OPERATIONS) {
    for (const url of [`/${operation}`, `/:token/${operation}`]) {
      const config = { urlHoldsSecret: url.includes(':token') };

      // A browser's preflight carries no credentials; it learns only whether its origin may call.
      app.options(url, { config, schema: { hide: true } }, async (request, reply) => {
        if (!allowOrigin(request, reply)) {
          throw new HttpError(403, 'origin_not_allowed', 'this origin may not call the codec server');
        }
        return reply
          .code(204)
          .header('access-control-allow-methods', 'POST, OPTIONS')
          .header('access-control-allow-headers', ALLOWED_HEADERS)
          .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS))
          .send();
      });

      app.post<{ Body: JsonPayloads; Params: { token?: string } }>(
        url,
        {
          config,
          bodyLimit: BODY_LIMIT_BYTES,
          // CORS headers first, so a browser can read even a refusal; the token before the body is read.
          onRequest: async (request, reply) => {
            allowOrigin(request, reply);
            authenticate(request);
          },
          schema: {
            hide: true,
            body: payloadsSchema,
            response: { 400: errorResponseSchema, 401: errorResponseSchema, 422: undecodableSchema },
          },
        },
        async (request) => convert(operation, request.body),
      );
    }
  }
}
