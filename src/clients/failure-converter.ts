/**
 * Loaded by path (DataConverter.failureConverterPath), in the worker's workflow sandbox too: a
 * failure's message and stack trace travel as an encoded payload, which the payload codec
 * encrypts, instead of as plain text in the history. Imports nothing but the SDK's common package
 * (workflow code may import nothing else).
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
