import { Client, Connection } from '@temporalio/client';
import type { Env } from '../config/env';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

/** A Temporal client for the namespace of `env`; close its connection when done. */
export async function connectTemporal(env: Env): Promise<Client> {
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  return new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
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
