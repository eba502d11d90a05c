// POST {"userIds":[…],"action":"add"|"remove"}: tag or untag people (sent to WeChat 50 at a time).
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { MAX_BULK } from "@/lib/followers/deps";
import { tagIdParams, tagUsers, untagUsers } from "@/lib/followers/tags";
import { services } from "@/lib/services";

const body = z.object({
  userIds: z.array(z.string().min(1).max(64)).min(1).max(MAX_BULK),
  action: z.enum(["add", "remove"]),
});

export const POST = adminRoute({ params: tagIdParams, body }, async (_request, { params, body }) =>
  (body.action === "add" ? tagUsers : untagUsers)(services.followers, params.id, body.userIds),
);
