// GET: the account's tags (our mirror). POST {"name"}: create one on WeChat, then here.
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { followerDeps } from "@/lib/followers/client";
import { createTag, listTags } from "@/lib/followers/tags";

const body = z.object({ name: z.string().max(200) });

export const GET = adminRoute(async () => ({ tags: await listTags(followerDeps().db) }));

export const POST = adminRoute({ body, status: 201 }, async (_request, { body }) => ({
  tag: await createTag(followerDeps(), body.name),
}));
