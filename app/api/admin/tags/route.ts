// GET: the account's tags (our mirror). POST {"name"}: create one on WeChat, then here.
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { createTag, listTags } from "@/lib/followers/tags";
import { services } from "@/lib/services";

const body = z.object({ name: z.string().max(200) });

export const GET = adminRoute(async () => ({ tags: await listTags(services.followers.db) }));

export const POST = adminRoute({ body, status: 201 }, async (_request, { body }) => ({
  tag: await createTag(services.followers, body.name),
}));
