/**
 * The restore categories in priority order (docs/design.md §1): contacts first, then
 * calendar, notes, tasks, photos and game scores. A campaign restores its categories
 * in this order, one wave each.
 *
 * Deterministic and free of Node imports: workflows import this module.
 */
export const CATEGORIES = ['contacts', 'calendar', 'notes', 'tasks', 'photos', 'scores'] as const;
export type Category = (typeof CATEGORIES)[number];

/** How a recovered record meets a live document with the same (userId, recordId) (docs/design.md §4). */
export const CONFLICT_POLICIES = ['keep-newer', 'overwrite', 'keep-live'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];
export const DEFAULT_POLICY: ConflictPolicy = 'keep-newer';

/** True for the six category names, and nothing else. */
export function isCategory(name: string): name is Category {
  return (CATEGORIES as readonly string[]).includes(name);
}

/** Returns the given categories in wave (priority) order, without repeats. */
export function inWaveOrder(categories: readonly Category[]): Category[] {
  return CATEGORIES.filter((c) => categories.includes(c));
}
