import { z } from 'zod';

/**
 * Its own module so that the notifications' schema (`notify/config.ts`),
 * which `schema.ts` mounts, can use it without an import cycle.
 */

/** A secret given inline, or by reference so that it never sits in the file. */
export const secretSchema = z.union([
  z.string().min(1, 'must not be empty'),
  z.strictObject({ env: z.string().min(1) }),
  z.strictObject({ file: z.string().min(1) }),
]);
export type SecretInput = z.infer<typeof secretSchema>;
