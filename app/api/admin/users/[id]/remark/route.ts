// PUT {"remark"}: the person's remark on WeChat (under 30 characters), then here. "" clears it.
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { followerDeps } from "@/lib/followers/client";
import { updateRemark } from "@/lib/followers/remark";

const params = z.object({ id: z.string().min(1).max(64) });
const body = z.object({ remark: z.string().max(200) });

export const PUT = adminRoute({ params, body }, async (_request, { params, body }) => ({
  remark: await updateRemark(followerDeps(), params.id, body.remark),
}));
