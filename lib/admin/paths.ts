// Where the console may send a browser: paths on our origin under /admin (no next-auth here, so that
// anything may import it).
import { safeReturnTo } from "@/lib/auth/return-to";

export const SIGNIN_PAGE = "/admin/signin";

/** A path on our origin under /admin, or null (never another origin: see safeReturnTo). */
export function adminPath(raw: unknown): string | null {
  const path = safeReturnTo(typeof raw === "string" ? raw : null);
  const pathname = path.split(/[?#]/)[0] ?? "";
  return pathname === "/admin" || pathname.startsWith("/admin/") ? path : null;
}

/** Where to land after sign-in: a console path, never the sign-in or setup page, never another origin. */
export function safeAdminPath(raw: unknown): string {
  const path = adminPath(raw);
  if (!path || path.startsWith(SIGNIN_PAGE) || path.startsWith("/admin/setup")) return "/admin";
  return path;
}
