import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, type TemporalFailure } from '@temporalio/workflow';
import type { StatusError } from './contracts';

/**
 * The class and message a status shows for a failure seen by a workflow: the type an
 * activity gave its failure (restorectl's error class), through any activity or child
 * workflow failures that wrap it. Deterministic: reads only the failure.
 */
export function failureOf(err: unknown): StatusError {
  let cause: unknown = err;
  while ((cause instanceof ActivityFailure || cause instanceof ChildWorkflowFailure) && cause.cause) cause = cause.cause;
  if (cause instanceof ApplicationFailure) return { class: cause.type ?? 'ApplicationFailure', message: cause.message };
  const failure = cause as Partial<TemporalFailure> | undefined;
  return { class: failure?.name ?? 'UnknownFailure', message: failure?.message ?? String(err) };
}
