// GET /api/admin/users?<the list's query>: one keyset page as JSON (the page's data, for scripts).
import { adminRoute } from "@/lib/admin/guard";
import { listUsers, userListDeps } from "@/lib/admin/users";
import { encodeCursor, parseUserQuery } from "@/lib/admin/user-query";
import { AppError, errorResponse } from "@/lib/errors";

export const GET = adminRoute(async (request) => {
  const parsed = parseUserQuery(new URL(request.url).searchParams);
  if (!parsed.ok)
    return errorResponse(new AppError("bad_request"), { route: "admin/users" }, { issues: parsed.issues });
  try {
    const page = await listUsers(userListDeps(), parsed.query);
    return Response.json(
      {
        users: page.rows,
        next: page.next ? encodeCursor(page.next) : null,
        prev: page.prev ? encodeCursor(page.prev) : null,
        estimatedTotal: page.estimatedTotal,
      },
      { headers: { "cache-control": "private, no-store" } },
    );
  } catch (err) {
    return errorResponse(err, { route: "admin/users" });
  }
});
