import type { Intervention } from '../domain/types.ts';

/**
 * How an intervention is named and placed on Edusign (docs/rules.md §4, the
 * seed's note on the sheet name and the room).
 */

const present = (text: string | undefined): text is string =>
  text !== undefined && text.trim() !== '';

/**
 * Sheet name: activity type + separator + unit; the one that exists alone;
 * else the session description; else the intervention ID.
 */
export function sheetName(intervention: Intervention, separator: string): string {
  const activity = present(intervention.activityType)
    ? intervention.activityType.trim()
    : undefined;
  const unit = present(intervention.educationalUnit)
    ? intervention.educationalUnit.trim()
    : undefined;
  if (activity && unit) return `${activity}${separator}${unit}`;
  if (activity ?? unit) return (activity ?? unit) as string;
  if (present(intervention.description)) return intervention.description.trim();
  return intervention.id;
}

/** Room: `Resource.Label`, else `Resource.Code`, else none. */
export function sheetRoom(intervention: Intervention): string | null {
  if (present(intervention.resourceLabel)) return intervention.resourceLabel.trim();
  if (present(intervention.resourceCode)) return intervention.resourceCode.trim();
  return null;
}

/** Description (ours): the session description, unless it already is the name. */
export function sheetDescription(intervention: Intervention, name: string): string | null {
  return present(intervention.description) && intervention.description.trim() !== name
    ? intervention.description.trim()
    : null;
}
