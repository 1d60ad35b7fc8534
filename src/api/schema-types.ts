/**
 * TypeBox builders for what OpenAPI 3.0 can say. The served document is OpenAPI 3.0.3, whose Schema
 * Object has no `const`, `patternProperties`, `propertyNames` or `type: 'null'`: TypeBox's own
 * literal unions, records and nulls would write those. These write `enum`, `additionalProperties`
 * and a type list (which @fastify/swagger turns into `nullable: true`), and keep the static type.
 */
import { Type, type SchemaOptions, type Static, type TSchema } from '@sinclair/typebox';

/** One of these strings: `{ type: 'string', enum }`. */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}) {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

/** `schema`, or null. */
export function Nullable<T extends TSchema>(schema: T, options: SchemaOptions = {}) {
  // A plain copy: TypeBox's own markers (symbol keys) would claim the copy is still a `T`.
  const plain = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  return Type.Unsafe<Static<T> | null>({ ...plain, ...options, type: [plain['type'], 'null'] });
}

/** An object whose every value is `value`, under any key (metadata): `additionalProperties`. */
export function StringMap<T extends TSchema>(value: T, options: SchemaOptions = {}) {
  return Type.Unsafe<Record<string, Static<T>>>({ ...options, type: 'object', additionalProperties: value });
}

/**
 * True only when A and B are the same type (mutual assignability is weaker: it overlooks optional
 * and readonly differences). Used as `Assert<Same<…>>` so that a drift fails the type check.
 */
export type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export type Assert<T extends true> = T;

/** T with every property, at every depth, readonly: how the contracts write a validated body. */
export type Immutable<T> = T extends (infer E)[]
  ? readonly Immutable<E>[]
  : T extends object
    ? { readonly [K in keyof T]: Immutable<T[K]> }
    : T;
