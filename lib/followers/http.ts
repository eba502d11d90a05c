// The follower routes' shared schema. Their errors go through lib/errors.ts like every route's:
// adminRoute() answers WeChat's refusals (a duplicate tag name, an openid of another account, a limit)
// as 422 with WeChat's errcode, and a bulk action stopped part-way with how many went through.
import { z } from "zod";

/** The `[id]` of /api/admin/tags/[id]/…: a WeChat tag id (a non-negative 32-bit integer). */
export const tagIdParams = z.object({
  id: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
});
