// The admin console's first line of defence (Next 16's middleware): a request to /admin or /api/admin
// without a staff session cookie that decrypts and has not expired goes to sign-in (pages) or gets a
// 401 (APIs) before any page or handler runs. It reads no database: requireStaffPage() and adminRoute()
// do the real check (the account still exists, is enabled, has the role) on every request.
import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import { errorJson } from "@/lib/errors";
import { decodeStaffToken, readStaffSessionCookie } from "@/lib/admin/session-token";

/** Same value as ADMIN_PATH_HEADER in lib/admin/guard.ts (which is server-only). */
const ADMIN_PATH_HEADER = "x-wcuc-admin-path";
const OPEN_PAGES = new Set(["/admin/signin", "/admin/setup"]);

export async function proxy(request: NextRequest): Promise<Response> {
  const { pathname } = request.nextUrl;
  if (OPEN_PAGES.has(pathname)) return NextResponse.next();

  const token = await decodeStaffToken(readStaffSessionCookie(request.headers.get("cookie")));
  if (pathname.startsWith("/api/")) {
    // adminRoute() does the real check and answers for itself: nothing to hand on, so the request goes
    // through as it came (no copy of its headers: this is every list view's data request now).
    return token ? NextResponse.next() : errorJson("staff_unauthenticated");
  }
  const search = new URLSearchParams(request.nextUrl.search);
  search.delete("_rsc");
  const path = pathname + (search.size > 0 ? `?${search}` : "");
  if (!token) {
    const signIn = new URL("/admin/signin", env().APP_URL);
    signIn.searchParams.set("callbackUrl", path);
    return NextResponse.redirect(signIn);
  }
  // Tells requireStaffPage where to come back to, should the real check send the browser to sign-in.
  const headers = new Headers(request.headers);
  headers.set(ADMIN_PATH_HEADER, path);
  return NextResponse.next({ request: { headers } });
}

export const config = { matcher: ["/admin/:path*", "/api/admin/:path*"] };
