// GET ?after=: blacklisted people (keyset by id). POST {"userIds":[…],"action":"block"|"unblock"}:
// WeChat first (20 at a time), then our flags.
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { blockUsers, listBlacklisted, unblockUsers } from "@/lib/followers/blacklist";
import { followerDeps } from "@/lib/followers/client";
import { MAX_BULK } from "@/lib/followers/deps";
import { followerErrorResponse, jsonBody } from "@/lib/followers/http";

const NO_STORE = { "cache-control": "no-store" };
const query = z.object({ after: z.string().max(64).optional() });
const body = z.object({
  userIds: z.array(z.string().min(1).max(64)).min(1).max(MAX_BULK),
  action: z.enum(["block", "unblock"]),
});

export const GET = adminRoute(async (request) => {
  try {
    const { after } = query.parse(Object.fromEntries(new URL(request.url).searchParams));
    const deps = followerDeps();
    return Response.json(await listBlacklisted(deps.db, deps.appId, { after }), { headers: NO_STORE });
  } catch (err) {
    return followerErrorResponse(err, { route: "admin/blacklist" });
  }
});

export const POST = adminRoute(async (request) => {
  try {
    const { userIds, action } = body.parse(await jsonBody(request));
    const result = await (action === "block" ? blockUsers : unblockUsers)(followerDeps(), userIds);
    return Response.json(result, { headers: NO_STORE });
  } catch (err) {
    return followerErrorResponse(err, { route: "admin/blacklist", method: "POST" });
  }
});
