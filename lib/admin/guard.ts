import "server-only";
// Deny by default for the admin console. Every page under /admin (except sign-in and first-run setup)
// calls requireStaffPage() (the (console) layout does it for the pages inside it), or is a static shell
// without data (app/admin/(static): its data comes from /api/admin); every handler under /api/admin is
// built with adminRoute(). A test walks app/admin and app/api/admin from the file system and proves it. proxy.ts turns away requests without a valid session cookie before they get here;
// these checks are the real ones: the Staff row is read on every request, so a disabled account, a
// changed role or a new password take effect at once.
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { isSameOrigin, route, type RouteHandler, type RouteSpec } from "@/lib/http";
import { decodeStaffToken, readStaffSessionCookie } from "./session-token";
import { activeStaff, type StaffRole } from "./staff";

export type { StaffRole };

export interface StaffSession {
  readonly id: string;
  readonly email: string;
  readonly role: StaffRole;
}

export const ADMIN_ROUTE = Symbol.for("wcuc.adminRoute");
/** On an adminRoute() handler: the least role its changes need ("admin" unless the route says "viewer"). */
export const ADMIN_CHANGE_ROLE = Symbol.for("wcuc.adminRoute.changeRole");

/** Request header proxy.ts sets to the page's path, so a redirect to sign-in can come back to it. */
export const ADMIN_PATH_HEADER = "x-wcuc-admin-path";

/** The claims of a staff session cookie's value (decrypted once, then remembered until it expires). */
export const staffToken = decodeStaffToken;

/** The staff member a Cookie header's session names, or null. */
export async function staffFromCookieHeader(cookieHeader: string | null | undefined): Promise<StaffSession | null> {
  const token = await staffToken(readStaffSessionCookie(cookieHeader));
  if (!token) return null;
  const member = await activeStaff(db(), token.sub, token.pwv, token.sid);
  return member ? { id: member.id, email: member.email, role: member.role } : null;
}

/** The request's cookies as one Cookie header (server components and actions have no Request). */
async function requestCookieHeader(): Promise<string> {
  return (await cookies())
    .getAll()
    .map((c) => `${c.name}=${c.value}`)
    .join("; ");
}

/** The signed-in staff member, or null (no redirect). One database read per request, however many callers. */
export const currentStaff = cache(async (): Promise<StaffSession | null> => {
  return staffFromCookieHeader(await requestCookieHeader());
});

/**
 * For server components and server actions under app/admin: the signed-in staff member, or a redirect to
 * sign-in (back to this page afterwards). With `role: "admin"`, a viewer is sent to /admin?denied=1 (the
 * console shows "没有权限"): Next's forbidden() needs the experimental authInterrupts flag.
 */
export async function requireStaffPage(options: { role?: StaffRole } = {}): Promise<StaffSession> {
  const staff = await currentStaff();
  if (!staff) {
    const path = (await headers()).get(ADMIN_PATH_HEADER) ?? "/admin";
    redirect(`/admin/signin?callbackUrl=${encodeURIComponent(path)}`);
  }
  if (options.role === "admin" && staff.role !== "admin") redirect("/admin?denied=1");
  return staff;
}

const READ_METHODS = new Set(["GET", "HEAD"]);

/** A staff session for every method; for a change also our origin, then the role (admin unless `role` says). */
async function authorizeStaff(request: Request, role: StaffRole): Promise<StaffSession> {
  const staff = await staffFromCookieHeader(request.headers.get("cookie"));
  if (!staff) throw new AppError("staff_unauthenticated");
  if (!READ_METHODS.has(request.method.toUpperCase())) {
    if (!isSameOrigin(request)) throw new AppError("cross_site");
    if (role === "admin" && staff.role !== "admin") throw new AppError("forbidden");
  }
  return staff;
}

type AdminInput<P, Q, B> = { staff: StaffSession; params: P; query: Q; body: B };
type AdminSpec<P, Q, B> = Omit<RouteSpec<P, Q, B, StaffSession>, "authorize"> & {
  /**
   * The least role a change (any method but GET/HEAD) needs: "admin" by default; "viewer" for the few
   * changes every staff member may make (redeeming a coupon at the counter). Our origin is needed either way.
   */
  readonly role?: StaffRole;
};
type AdminHandler<P, Q, B> = (request: Request, input: AdminInput<P, Q, B>) => Promise<unknown>;
type AdminRoute = RouteHandler & { [ADMIN_ROUTE]: true; [ADMIN_CHANGE_ROLE]: StaffRole };

/**
 * route() for a handler under /api/admin: 401 JSON without a staff session; GET/HEAD need `viewer`,
 * every other method needs `admin` (403 for a viewer; `role: "viewer"` lets viewers change too) and a
 * same-origin request (403 otherwise), all
 * before anything is parsed. Answers are private; WeChat's refusals are 422 wechat_rejected.
 */
export function adminRoute<P = Record<string, string | string[]>, Q = undefined, B = undefined>(
  ...args: [AdminHandler<P, Q, B>] | [AdminSpec<P, Q, B>, AdminHandler<P, Q, B>]
): AdminRoute {
  const [{ role = "admin", ...spec }, handler] = args.length === 1 ? [{}, args[0]] : args;
  const wrapped = route<P, Q, B, StaffSession>(
    { personal: true, refusals: "rejected", ...spec, authorize: (request) => authorizeStaff(request, role) },
    (request, { auth, params, query, body }) => handler(request, { staff: auth, params, query, body }),
  );
  return Object.assign(wrapped, { [ADMIN_ROUTE]: true as const, [ADMIN_CHANGE_ROLE]: role });
}
