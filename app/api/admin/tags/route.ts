// GET: the account's tags (our mirror). POST {"name"}: create one on WeChat, then here.
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { followerDeps } from "@/lib/followers/client";
import { followerErrorResponse, jsonBody } from "@/lib/followers/http";
import { createTag, listTags } from "@/lib/followers/tags";

const NO_STORE = { "cache-control": "no-store" };
const body = z.object({ name: z.string().max(200) });

export const GET = adminRoute(async () => {
  return Response.json({ tags: await listTags(followerDeps().db) }, { headers: NO_STORE });
});

export const POST = adminRoute(async (request) => {
  try {
    const { name } = body.parse(await jsonBody(request));
    return Response.json({ tag: await createTag(followerDeps(), name) }, { status: 201, headers: NO_STORE });
  } catch (err) {
    return followerErrorResponse(err, { route: "admin/tags", method: "POST" });
  }
});
