import { ObjectId } from 'mongodb';
import type { AuditEntryDoc, ControlCollections } from './control-collections';

/** Who acted: a token's name through the API, or the local user at the CLI. */
export interface Actor {
  name: string;
  via: 'api' | 'cli';
}

export type AuditEntry = Omit<AuditEntryDoc, '_id'>;

/** Entries listed at most: the newest. */
const LISTED = 500;

/** Records one operator action with its outcome. Entries are never updated: an action is written once it has ended. */
export async function writeAudit(c: ControlCollections, entry: AuditEntry): Promise<void> {
  await c.audit.insertOne({ _id: new ObjectId(), ...entry });
}

/** Operator actions, newest first, of one campaign or of all. */
export async function listAudit(c: ControlCollections, campaignId?: string): Promise<AuditEntry[]> {
  const docs = await c.audit
    .find(campaignId ? { campaignId } : {}, { projection: { _id: 0 } })
    .sort({ at: -1 })
    .limit(LISTED)
    .toArray();
  return docs as AuditEntry[];
}
