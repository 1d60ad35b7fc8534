/**
 * The one data converter of every Temporal client, worker and replayer of this service: payloads
 * encrypted by the codec, failures' messages and stack traces encoded so that they are encrypted too.
 */
import type { DataConverter } from '@temporalio/common';
import type { CodecKeys } from '../config';
import { EncryptionCodec } from './payload-codec';

/**
 * Also handed to the workflow bundler (scripts/build-workflow-bundle.ts): failures raised inside
 * workflow code are converted in the sandbox.
 */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

export function temporalDataConverter(codec: CodecKeys): DataConverter {
  return {
    payloadCodecs: [new EncryptionCodec(codec)],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}
