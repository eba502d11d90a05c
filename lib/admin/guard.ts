import "server-only";
// Deny by default for the admin console. Every page under /admin (except sign-in and first-run setup)
// calls requireStaffPage(); every handler under /api/admin is built with adminRoute(). A test walks
// app/admin and app/api/admin from the file system and proves both.
//
// INTERFACE FIXED; implementation filled in by the admin-auth work (next-auth, lib/admin/auth.ts).

export type StaffRole = "admin" | "viewer";

export interface StaffSession {
  readonly id: string;
  readonly email: string;
  readonly role: StaffRole;
}

export const ADMIN_ROUTE = Symbol.for("wcuc.adminRoute");

/** For server components under app/admin: the signed-in staff member, or a redirect to sign-in. */
export async function requireStaffPage(_options: { role?: StaffRole } = {}): Promise<StaffSession> {
  throw new Error("not implemented yet");
}

/** The signed-in staff member, or null (no redirect). */
export async function currentStaff(): Promise<StaffSession | null> {
  return null;
}

type RouteContext = { params: Promise<Record<string, string | string[]>> };
type AdminHandler = (
  request: Request,
  context: { staff: StaffSession; params: Record<string, string | string[]> },
) => Promise<Response>;

/**
 * Wraps a route handler under /api/admin: 401 JSON without a staff session; GET/HEAD need `viewer`,
 * every other method needs `admin` (403 for a viewer) and a same-origin request (403 otherwise).
 */
export function adminRoute(
  handler: AdminHandler,
): ((request: Request, context: RouteContext) => Promise<Response>) & { [ADMIN_ROUTE]: true } {
  const wrapped = async (_request: Request, _context: RouteContext): Promise<Response> => {
    void handler;
    return Response.json({ error: { code: "unauthenticated", message: "请先登录管理后台。" } }, { status: 401 });
  };
  return Object.assign(wrapped, { [ADMIN_ROUTE]: true as const });
}
