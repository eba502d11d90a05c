// The pay sweep, on the one job mechanism (lib/jobs), so that nothing is lost when a notification never
// comes, a process dies half-way, or the other server is down:
// - pay.reconcile (every minute): unpaid orders whose nextCheckAt has come are asked about (and closed
//   once expired), pending refunds sent again with their out_refund_no, processing ones asked about;
// - pay.webhooks (every 30 s): webhooks whose attempt is due are delivered.
// Each is scheduled once per period across instances; the queries read (state, nextCheckAt) and
// (state, nextAttemptAt), both indexed. `deps` null: payments are off, nothing to do.
import { z } from "zod";
import { defineJob, type JobDefinition } from "@/lib/jobs";
import type { PayDeps } from "./deps";
import { reconcileDueOrders } from "./reconcile";
import { sweepRefunds } from "./refunds";
import { deliverDueWebhooks, type WebhookPost } from "./webhooks";

export const PAY_RECONCILE_JOB = "pay.reconcile";
export const PAY_WEBHOOKS_JOB = "pay.webhooks";
export const PAY_RECONCILE_EVERY_SECONDS = 60;
export const PAY_WEBHOOKS_EVERY_SECONDS = 30;

const empty = z.object({}).strict() as z.ZodType<Record<string, never>>;

export function payReconcileJob(deps: () => PayDeps | null): JobDefinition<Record<string, never>> {
  return defineJob({
    name: PAY_RECONCILE_JOB,
    payload: empty,
    attempts: 1,
    every: { seconds: PAY_RECONCILE_EVERY_SECONDS, payload: {} },
    run: async () => {
      const d = deps();
      if (!d) return { orders: 0, refundsResent: 0, refundsQueried: 0 };
      const orders = await reconcileDueOrders(d);
      const { resent, queried } = await sweepRefunds(d);
      return { orders, refundsResent: resent, refundsQueried: queried };
    },
  });
}

export function payWebhooksJob(deps: () => PayDeps | null, post?: WebhookPost): JobDefinition<Record<string, never>> {
  return defineJob({
    name: PAY_WEBHOOKS_JOB,
    payload: empty,
    attempts: 1,
    every: { seconds: PAY_WEBHOOKS_EVERY_SECONDS, payload: {} },
    run: async () => {
      const d = deps();
      if (!d) return { delivered: 0, retry: 0, failed: 0 };
      return deliverDueWebhooks(d, post ? { post } : {});
    },
  });
}
