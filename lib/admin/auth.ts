import "server-only";
// next-auth (Auth.js v5) for the admin console's staff: email and password (Credentials), JWT sessions
// in cookies named wcuc_staff.* (the end user's iron-session cookie is wcuc_session: neither is ever read
// as the other), endpoints under /api/auth/staff (not /api/admin, which is deny-by-default, and apart
// from the end user's /api/auth/wechat/* and /api/auth/logout). The config is built on first use, not at
// import, so `next build` needs no secrets.
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { clientIp } from "@/lib/http";
import { log } from "@/lib/log";
import {
  newSessionClaims,
  STAFF_COOKIE_PREFIX,
  STAFF_SESSION_COOKIE,
  STAFF_SESSION_MAX_AGE,
  staffSessionOf,
} from "./session-token";
import { adminPath, SIGNIN_PAGE } from "./paths";
import { activeStaff, authenticateStaff, revokeStaffSession, type StaffRole } from "./staff";

export const STAFF_AUTH_BASE_PATH = "/api/auth/staff";

/** The sign-in form says "too many attempts" for this code, "wrong email or password" for any other. */
class TooManyAttempts extends CredentialsSignin {
  override code = "rate_limited";
}

/** Every sign-in is slowed down after many failures across all accounts: "try again shortly". */
class SignInsSlowed extends CredentialsSignin {
  override code = "slowed";
}

const credentialsSchema = z.object({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(1024),
});

interface StaffUser {
  id: string;
  email: string;
  role: StaffRole;
  pwv: string;
}

function config(): NextAuthConfig {
  const e = env();
  const cookie = (suffix: string) => ({
    name: `${STAFF_COOKIE_PREFIX}.${suffix}`,
    options: { httpOnly: true, sameSite: "lax" as const, path: "/", secure: e.secureCookies },
  });
  return {
    basePath: STAFF_AUTH_BASE_PATH,
    secret: e.AUTH_SECRET,
    // Self-hosted: the Host header is ours (APP_URL is the public origin).
    trustHost: true,
    useSecureCookies: e.secureCookies,
    session: { strategy: "jwt", maxAge: STAFF_SESSION_MAX_AGE },
    cookies: {
      sessionToken: { ...cookie("session-token"), name: STAFF_SESSION_COOKIE },
      callbackUrl: cookie("callback-url"),
      csrfToken: cookie("csrf-token"),
      pkceCodeVerifier: cookie("pkce.code_verifier"),
      state: cookie("state"),
      nonce: cookie("nonce"),
    },
    pages: { signIn: SIGNIN_PAGE, error: SIGNIN_PAGE },
    providers: [
      Credentials({
        credentials: { email: { label: "邮箱", type: "email" }, password: { label: "密码", type: "password" } },
        async authorize(credentials, request) {
          const parsed = credentialsSchema.safeParse(credentials);
          if (!parsed.success) return null;
          const result = await authenticateStaff(db(), {
            ...parsed.data,
            // The client's address as our trusted proxy saw it, or null without one (TRUST_PROXY_HOPS).
            ip: clientIp(request),
          });
          if (result.ok) return result.staff satisfies StaffUser;
          if (result.reason === "rate_limited") throw new TooManyAttempts();
          if (result.reason === "slowed") throw new SignInsSlowed();
          return null;
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        if (user) {
          const staff = user as StaffUser;
          token.sub = staff.id;
          token.email = staff.email;
          token.role = staff.role;
          token.pwv = staff.pwv;
          return Object.assign(token, newSessionClaims());
        }
        // next-auth re-issues the cookie (a new jti, a new 8 hours) whenever its session endpoint or
        // auth() reads it. Only a session the guard would accept may be re-issued, and it keeps its sid
        // and its sign-in time, so neither sign-out nor the 8-hour limit can be outrun by re-issuing.
        const session = staffSessionOf(token);
        if (!session || !(await activeStaff(db(), session.sub, session.pwv, session.sid))) return null;
        return token;
      },
      session({ session, token }) {
        // For callers of auth(); the guards read the cookie and the Staff row themselves.
        Object.assign(session.user, { id: token.sub, email: token.email, role: token.role });
        return session;
      },
      // After sign-in (callbackUrl) and sign-out (the sign-in page): somewhere in the console, on our origin.
      redirect({ url, baseUrl }) {
        let path: string | null = null;
        if (url.startsWith("/")) path = adminPath(url);
        else if (URL.canParse(url) && new URL(url).origin === baseUrl) {
          const target = new URL(url);
          path = adminPath(target.pathname + target.search);
        }
        return `${baseUrl}${path ?? "/admin"}`;
      },
    },
    events: {
      // Every way of signing out (the console's button, next-auth's own POST /signout) revokes the
      // session, so a copy of its cookie is refused too.
      async signOut(message) {
        const session = "token" in message ? staffSessionOf(message.token) : null;
        if (session) await revokeStaffSession(db(), session, new Date());
      },
    },
    logger: {
      error(error) {
        // A refused sign-in is logged by authenticateStaff (staff_signin_failed), without the password.
        if ((error as { type?: string }).type === "CredentialsSignin") return;
        log.error("staff_auth_error", { type: (error as { type?: string }).type, cause: error.message });
      },
      warn(code) {
        log.warn("staff_auth_warning", { warning: code });
      },
      debug() {},
    },
  };
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => config());

/**
 * Sign-out of the console: next-auth deletes the cookie and sends the browser to sign-in; its signOut
 * event (above) revokes the session, so a copy of the cookie stops working too.
 */
export async function signOutStaff(): Promise<void> {
  await signOut({ redirectTo: SIGNIN_PAGE });
}
