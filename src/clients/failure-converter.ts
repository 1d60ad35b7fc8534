/**
 * Loaded by path (DataConverter.failureConverterPath), in the worker's workflow sandbox too: a
 * failure's message and stack trace travel as an encoded payload, which the payload codec
 * encrypts, instead of as plain text in the history. Imports nothing but the SDK's common package
 * (workflow code may import nothing else).
 */
import {
  DefaultFailureConverter,
  type PayloadConverter,
  type ProtoFailure,
  type SerializationContext,
} from '@temporalio/common';

/**
 * The one failure kept plain: a payload this process cannot decrypt (payload-codec.ts's
 * PayloadDecryptionError, known by name: that module cannot load in the sandbox). Its message
 * holds key ids only, and an operator must read it where it lands (the workflow task's failure in
 * the history, the Web UI) even when the key it names is the one missing.
 */
class PayloadFailureConverter extends DefaultFailureConverter {
  override errorToFailure(
    err: unknown,
    payloadConverter: PayloadConverter,
    context?: SerializationContext,
  ): ProtoFailure {
    if (err instanceof Error && err.name === 'PayloadDecryptionError') {
      return this.errorToFailureInner(err, payloadConverter, context);
    }
    return super.errorToFailure(err, payloadConverter, context);
  }
}

export const failureConverter = new PayloadFailureConverter({ encodeCommonAttributes: true });
