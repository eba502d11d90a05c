import "server-only";
// The end user's session: an iron-session cookie holding the user id and nothing else the browser
// could misuse. Route handlers use the Request/Response form (testable without Next's request scope).
import { getIronSession, type SessionOptions } from "iron-session";
import { env } from "@/lib/env";

export interface SessionData {
  userId?: string;
  /** when this session was created, seconds since epoch */
  iat?: number;
}

export const SESSION_COOKIE = "wcuc_session";
export const SESSION_TTL_SECONDS = 7 * 24 * 3600;

export function sessionOptions(): SessionOptions {
  const e = env();
  return {
    cookieName: SESSION_COOKIE,
    password: e.SESSION_SECRET,
    ttl: SESSION_TTL_SECONDS,
    cookieOptions: { httpOnly: true, sameSite: "lax", secure: e.secureCookies, path: "/" },
  };
}

/** Reads the session from a request; writes (save/destroy) go onto `response`'s headers. */
export function getSession(request: Request, response: Response) {
  return getIronSession<SessionData>(request, response, sessionOptions());
}

/** The signed-in user's id, or undefined. */
export async function sessionUserId(request: Request): Promise<string | undefined> {
  const session = await getSession(request, new Response());
  return session.userId;
}
