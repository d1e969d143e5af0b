/**
 * The search attributes restorectl's workflows carry, for engineers to find a campaign's
 * workflows in the Temporal CLI and UI. Campaign ids and categories only: never a user id
 * (docs/design.md §2). They must be registered on the namespace; the local stack does it, and a
 * client that finds them missing starts workflows without them. Deterministic.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { Category } from '../domain/categories';

export const campaignIdAttribute = defineSearchAttributeKey('RestoreCampaignId', SearchAttributeType.KEYWORD);
export const categoryAttribute = defineSearchAttributeKey('RestoreCategory', SearchAttributeType.KEYWORD);

/** Every attribute, each registered as a Keyword (`temporal operator search-attribute create --type Keyword`). */
export const SEARCH_ATTRIBUTES = [campaignIdAttribute, categoryAttribute].map((key) => ({ name: key.name }));

/** The attributes of a workflow of campaign `campaignId`, and of one category when it works on one. */
export function searchAttributesOf(campaignId: string, category?: Category): SearchAttributePair[] {
  return [{ key: campaignIdAttribute, value: campaignId }, ...(category ? [{ key: categoryAttribute, value: category }] : [])];
}
