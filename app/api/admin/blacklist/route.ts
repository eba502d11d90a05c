// GET ?after=: blacklisted people (keyset by id). POST {"userIds":[…],"action":"block"|"unblock"}:
// WeChat first (20 at a time), then our flags.
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { blockUsers, listBlacklisted, unblockUsers } from "@/lib/followers/blacklist";
import { MAX_BULK } from "@/lib/followers/deps";
import { services } from "@/lib/services";

const query = z.object({ after: z.string().max(64).optional() });
const body = z.object({
  userIds: z.array(z.string().min(1).max(64)).min(1).max(MAX_BULK),
  action: z.enum(["block", "unblock"]),
});

export const GET = adminRoute({ query }, async (_request, { query }) => {
  const deps = services.followers;
  return listBlacklisted(deps.db, deps.appId, query);
});

export const POST = adminRoute({ body }, async (_request, { body: { userIds, action } }) =>
  (action === "block" ? blockUsers : unblockUsers)(services.followers, userIds),
);
