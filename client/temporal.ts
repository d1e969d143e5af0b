import { Client, Connection } from '@temporalio/client';
import type { Env } from '../config/env';

/** A Temporal client for the namespace of `env`; close its connection when done. */
export async function connectTemporal(env: Env): Promise<Client> {
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  return new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
}

/** The workflow id of a campaign: campaign ids are what Temporal sees, never user ids. */
export function campaignWorkflowId(campaignId: string): string {
  return `campaign-${campaignId}`;
}
