import type { z } from 'zod';
import type { Category } from './categories';
import { CalendarEvent, Contact, Note, Photo, Score, Task } from './record-schemas';

/** How records of a category name a blob that is restored with them (docs/design.md §3–§4). */
export interface BlobTrait {
  /** The field of `data` holding the blob's sha256 (hex), which is also its name in blobs/. */
  digestField: string;
  /** The field of `data` holding the blob's size in bytes, when the record gives it. */
  bytesField: string;
  /** The GridFS bucket of the live store that keeps these blobs, one file per distinct content. */
  bucket: string;
}

/**
 * Everything that makes one category differ from another. Every trait is required (a
 * category without one says `null`), so a row that forgets a trait does not compile;
 * modules read the traits and never test a category's name.
 */
export interface CategoryTraits {
  /** The schema of a record's `data` (docs/design.md §3). */
  schema: z.ZodType;
  /**
   * Keys by which a recovered record matches one the user re-entered after the outage,
   * for de-duplication (docs/design.md §4); null when the category is not de-duplicated.
   */
  matchKeys: ((data: Record<string, unknown>) => string[]) | null;
  /** How a record names its blob; null when records have none. */
  blob: BlobTrait | null;
}

/** The keys by which a recovered contact matches one the user re-entered: normalized e-mails and phone digits. */
export function contactMatchKeys(data: Record<string, unknown>): string[] {
  const keys: string[] = [];
  for (const email of (data.emails as { address?: unknown }[] | undefined) ?? []) {
    if (typeof email.address === 'string' && email.address.trim() !== '') keys.push(`email:${email.address.trim().toLowerCase()}`);
  }
  for (const phone of (data.phones as { number?: unknown }[] | undefined) ?? []) {
    const digits = typeof phone.number === 'string' ? phone.number.replace(/\D/g, '') : '';
    if (digits !== '') keys.push(`phone:${digits}`);
  }
  return keys;
}

/** The sha256 (lowercase hex) of the blob a record's data names, or undefined when it names none. */
export function blobDigest(blob: BlobTrait, data: Record<string, unknown>): string | undefined {
  const digest = data[blob.digestField];
  return typeof digest === 'string' ? digest.toLowerCase() : undefined;
}

/** The size the record gives its blob, if it gives one. */
export function blobBytes(blob: BlobTrait, data: Record<string, unknown>): number | undefined {
  const bytes = data[blob.bytesField];
  return typeof bytes === 'number' ? bytes : undefined;
}

/** The traits of each category: one row per category. */
export const CATEGORY_TRAITS: Record<Category, CategoryTraits> = {
  contacts: { schema: Contact, matchKeys: contactMatchKeys, blob: null },
  calendar: { schema: CalendarEvent, matchKeys: null, blob: null },
  notes: { schema: Note, matchKeys: null, blob: null },
  tasks: { schema: Task, matchKeys: null, blob: null },
  photos: { schema: Photo, matchKeys: null, blob: { digestField: 'sha256', bytesField: 'bytes', bucket: 'photos' } },
  scores: { schema: Score, matchKeys: null, blob: null },
};
