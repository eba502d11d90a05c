// PUT {"remark"}: the person's remark on WeChat (under 30 characters), then here. "" clears it.
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { followerDeps } from "@/lib/followers/client";
import { followerErrorResponse, jsonBody } from "@/lib/followers/http";
import { updateRemark } from "@/lib/followers/remark";

const params = z.object({ id: z.string().min(1).max(64) });
const body = z.object({ remark: z.string().max(200) });

export const PUT = adminRoute(async (request, context) => {
  try {
    const { id } = params.parse(context.params);
    const { remark } = body.parse(await jsonBody(request));
    const value = await updateRemark(followerDeps(), id, remark);
    return Response.json({ remark: value }, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return followerErrorResponse(err, { route: "admin/users/[id]/remark" });
  }
});
