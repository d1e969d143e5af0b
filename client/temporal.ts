import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Env } from '../config/env';
import { TemporalUnavailableError } from '../domain/errors';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

/** How long a client waits for Temporal to answer before it says it does not. */
const CONNECT_TIMEOUT = '5 seconds';

/**
 * A Temporal client for the namespace of `env`; close its connection when done. A frontend
 * that does not answer within {@link CONNECT_TIMEOUT} is a {@link TemporalUnavailableError}
 * naming the variable, its value and what to do.
 */
export async function connectTemporal(env: Env): Promise<Client> {
  try {
    const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS, connectTimeout: CONNECT_TIMEOUT });
    return new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
  } catch (err) {
    throw new TemporalUnavailableError(
      `Temporal does not answer at TEMPORAL_ADDRESS=${env.TEMPORAL_ADDRESS} (${(err as Error).message}): start the local stack (restorectl stack up), or set TEMPORAL_ADDRESS to your Temporal frontend`,
      { cause: err },
    );
  }
}

/** The workflow id of a campaign: campaign ids are what Temporal sees, never user ids. */
export function campaignWorkflowId(campaignId: string): string {
  return `campaign-${campaignId}`;
}

/**
 * True when the namespace has restorectl's search attributes (workflows/search-attributes.ts)
 * registered: workflows then carry them. A namespace without them would refuse a workflow
 * that sets them, so campaigns start without them there.
 */
export async function searchAttributesRegistered(client: Client, namespace: string): Promise<boolean> {
  const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace });
  return SEARCH_ATTRIBUTES.every(({ name }) => customAttributes?.[name] !== undefined);
}

/**
 * True when some worker has polled the task queue for workflow tasks lately (Temporal keeps a
 * task queue's pollers for a few minutes after their last poll). A campaign started where
 * none polls waits, durably, until one does.
 */
export async function workerPolls(client: Client, namespace: string, taskQueue: string): Promise<boolean> {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (pollers?.length ?? 0) > 0;
}

/** The version of the Temporal server the client reaches, as the server reports it. */
export async function temporalServerVersion(client: Client): Promise<string> {
  const { serverVersion } = await client.workflowService.getSystemInfo({});
  return serverVersion ?? 'unknown';
}
