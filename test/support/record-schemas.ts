/**
 * Every record a test reads from Kafka is held to its published contract: the JSON Schemas of the
 * topic table's record contracts (src/contracts/schemas/), compiled once with Ajv in strict mode
 * (an unknown keyword in a schema is an error, not silently ignored) and with the formats checked.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { RecordContract } from '../../src/contracts/schemas/record-contract';
import { TOPIC_KEYS, TOPICS } from '../../src/contracts/topics';

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);

interface CompiledContract {
  readonly headers: ValidateFunction;
  readonly payload: ValidateFunction;
}

const compiled = new Map<RecordContract, CompiledContract>();

export function compileContract(record: RecordContract): CompiledContract {
  let found = compiled.get(record);
  if (found === undefined) {
    found = { headers: ajv.compile(record.headers), payload: ajv.compile(record.payload) };
    compiled.set(record, found);
  }
  return found;
}

/** The contract of the records on `topic` (a default topic name of the table), or an error naming the known ones. */
export function contractOfTopic(topic: string): RecordContract {
  const key = TOPIC_KEYS.find((k) => TOPICS[k].default === topic);
  if (key === undefined) {
    throw new Error(
      `no record contract for topic ${topic}: the topic table (src/contracts/topics.ts) has ${TOPIC_KEYS.map((k) => TOPICS[k].default).join(', ')}`,
    );
  }
  return TOPICS[key].record;
}

/** The schema violations of one record (empty when it conforms), each naming where and why. */
export function recordViolations(
  record: RecordContract,
  headers: Readonly<Record<string, string>>,
  value: unknown,
): string[] {
  const { headers: checkHeaders, payload: checkPayload } = compileContract(record);
  const problems: string[] = [];
  for (const [part, check, data] of [
    ['headers', checkHeaders, headers],
    ['value', checkPayload, value],
  ] as const) {
    if (!check(data)) {
      for (const e of check.errors ?? []) {
        problems.push(
          `${part}${e.instancePath || ''}: ${e.message ?? 'invalid'} ${JSON.stringify(e.params)}`,
        );
      }
    }
  }
  return problems;
}

/** Throws, naming the record and every violation, unless the record on `topic` matches its contract. */
export function assertRecordMatchesContract(
  topic: string,
  headers: Readonly<Record<string, string>>,
  value: unknown,
): void {
  const record = contractOfTopic(topic);
  const problems = recordViolations(record, headers, value);
  if (problems.length > 0) {
    throw new Error(
      `a record on ${topic} does not match ${record.name}:\n  ${problems.join('\n  ')}\n` +
        `headers: ${JSON.stringify(headers)}\nvalue: ${JSON.stringify(value)}`,
    );
  }
}
