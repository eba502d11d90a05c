// PATCH {"name"}: rename a tag; DELETE: delete it (WeChat first, then our mirror).
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { followerDeps } from "@/lib/followers/client";
import { followerErrorResponse, jsonBody, tagIdParams } from "@/lib/followers/http";
import { deleteTag, renameTag } from "@/lib/followers/tags";

const NO_STORE = { "cache-control": "no-store" };
const body = z.object({ name: z.string().max(200) });

export const PATCH = adminRoute(async (request, context) => {
  try {
    const { id } = tagIdParams.parse(context.params);
    const { name } = body.parse(await jsonBody(request));
    await renameTag(followerDeps(), id, name);
    return Response.json({ ok: true }, { headers: NO_STORE });
  } catch (err) {
    return followerErrorResponse(err, { route: "admin/tags/[id]", method: "PATCH" });
  }
});

export const DELETE = adminRoute(async (_request, context) => {
  try {
    const { id } = tagIdParams.parse(context.params);
    await deleteTag(followerDeps(), id);
    return Response.json({ ok: true }, { headers: NO_STORE });
  } catch (err) {
    return followerErrorResponse(err, { route: "admin/tags/[id]", method: "DELETE" });
  }
});
