// PUT {"remark"}: the person's remark on WeChat (under 30 characters), then here. "" clears it.
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { updateRemark } from "@/lib/followers/remark";
import { services } from "@/lib/services";

const params = z.object({ id: z.string().min(1).max(64) });
const body = z.object({ remark: z.string().max(200) });

export const PUT = adminRoute({ params, body }, async (_request, { params, body }) => ({
  remark: await updateRemark(services.followers, params.id, body.remark),
}));
