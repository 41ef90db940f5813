/**
 * A secret is shown back only as a mask and its length, so an admin can tell
 * that it is set (and roughly which one) without any of it being readable.
 */
export function maskSecret(secret: string): string {
  return `******** (${secret.length} characters)`;
}
