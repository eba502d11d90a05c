// PATCH {"name"}: rename a tag; DELETE: delete it (WeChat first, then our mirror).
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { deleteTag, renameTag, tagIdParams } from "@/lib/followers/tags";
import { services } from "@/lib/services";

const body = z.object({ name: z.string().max(200) });

export const PATCH = adminRoute({ params: tagIdParams, body }, async (_request, { params, body }) => {
  await renameTag(services.followers, params.id, body.name);
  return { ok: true };
});

export const DELETE = adminRoute({ params: tagIdParams }, async (_request, { params }) => {
  await deleteTag(services.followers, params.id);
  return { ok: true };
});
