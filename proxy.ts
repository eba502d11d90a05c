// Next 16's middleware, two jobs:
// - Every page gets its security headers (lib/page-security.ts): a Content-Security-Policy with a fresh
//   nonce, which also goes on the request so that Next.js puts it on its own scripts (prerendered pages
//   get a hash-based policy instead), and Strict-Transport-Security on https.
// - The admin console's first line of defence: a request to /admin or /api/admin without a staff session
//   cookie that decrypts and has not expired goes to sign-in (pages) or gets a 401 (APIs) before any page
//   or handler runs. It reads no database: requireStaffPage() and adminRoute() do the real check (the
//   account still exists, is enabled, has the role) on every request.
import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import { errorJson } from "@/lib/errors";
import { decodeStaffToken, readStaffSessionCookie } from "@/lib/admin/session-token";
import { pageSecurity } from "@/lib/page-security";

/** Same value as ADMIN_PATH_HEADER in lib/admin/guard.ts (which is server-only). */
const ADMIN_PATH_HEADER = "x-wcuc-admin-path";
const OPEN_PAGES = new Set(["/admin/signin", "/admin/setup"]);

export async function proxy(request: NextRequest): Promise<Response> {
  const { pathname } = request.nextUrl;
  const isAdmin = pathname === "/admin" || pathname.startsWith("/admin/");
  const isApi = pathname.startsWith("/api/");

  if (isApi || (isAdmin && !OPEN_PAGES.has(pathname))) {
    const token = await decodeStaffToken(readStaffSessionCookie(request.headers.get("cookie")));
    // adminRoute() does the real check and answers for itself: nothing to hand on, so the request goes
    // through as it came (no copy of its headers: this is every list view's data request now).
    if (isApi) return token ? NextResponse.next() : errorJson("staff_unauthenticated");
    if (!token) {
      const signIn = new URL("/admin/signin", env().APP_URL);
      signIn.searchParams.set("callbackUrl", consolePath(request));
      return NextResponse.redirect(signIn);
    }
  }

  const security = pageSecurity(pathname);
  const headers = new Headers(request.headers);
  // Tells requireStaffPage where to come back to, should the real check send the browser to sign-in.
  if (isAdmin && !OPEN_PAGES.has(pathname)) headers.set(ADMIN_PATH_HEADER, consolePath(request));
  if (security.nonce !== null) {
    headers.set("x-nonce", security.nonce);
    headers.set("content-security-policy", security.headers["Content-Security-Policy"] ?? "");
  }
  const response = NextResponse.next({ request: { headers } });
  for (const [name, value] of Object.entries(security.headers)) response.headers.set(name, value);
  return response;
}

function consolePath(request: NextRequest): string {
  const search = new URLSearchParams(request.nextUrl.search);
  search.delete("_rsc");
  return request.nextUrl.pathname + (search.size > 0 ? `?${search}` : "");
}

export const config = {
  matcher: [
    "/api/admin/:path*",
    // Every page; not the other APIs (JSON, no policy needed) nor Next's static files.
    "/((?!api/|_next/static/|_next/image|favicon.ico|icon.svg).*)",
  ],
};
