import { z } from 'zod';
import { listOf, time } from './common.js';

/** What came of a delivery; `cancelled`: it ended builds (a closed pull request). */
export const deliveryOutcome = z.enum(['pending', 'queued', 'skipped', 'ignored', 'cancelled', 'error']);
export type DeliveryOutcome = z.infer<typeof deliveryOutcome>;

export const apiDelivery = z.object({
  id: z.string(),
  event: z.string(),
  action: z.string().nullable(),
  repo: z.string().nullable(),
  pr: z.number().int().nullable(),
  sha: z.string().nullable(),
  outcome: deliveryOutcome,
  detail: z.string().nullable(),
  received_at: time,
});
export type ApiDelivery = z.infer<typeof apiDelivery>;
export const deliveryList = listOf('deliveries', apiDelivery);
