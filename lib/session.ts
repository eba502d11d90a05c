import "server-only";
// The end user's session: an iron-session cookie holding the user id and nothing else the browser
// could misuse. Route handlers use the Request/Response form (testable without Next's request scope).
import { getIronSession, type SessionOptions } from "iron-session";
import { env } from "@/lib/env";
import { readCookie } from "@/lib/http";

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

// Unsealing costs eight WebCrypto calls (two PBKDF2 derivations) per request, a quarter of GET /api/me.
// A sealed cookie is immutable and authenticated, so remembering what a value unsealed to is as safe as
// unsealing it again (the sessions are stateless either way). Only successful unseals are kept.
const UNSEALED_MAX = 10_000;
const UNSEALED_TTL_MS = 5 * 60 * 1000;
const unsealed = new Map<string, { userId: string; until: number }>();

/** The signed-in user's id, or undefined. */
export async function sessionUserId(request: Request): Promise<string | undefined> {
  const cookie = readCookie(request, SESSION_COOKIE);
  if (!cookie) return undefined;
  const hit = unsealed.get(cookie);
  if (hit && hit.until > Date.now()) return hit.userId;
  const { userId } = await getSession(request, new Response());
  if (userId) {
    if (unsealed.size >= UNSEALED_MAX) unsealed.delete(unsealed.keys().next().value!);
    unsealed.set(cookie, { userId, until: Date.now() + UNSEALED_TTL_MS });
  }
  return userId;
}

/** Sign-in: the session names `userId` from now on (the cookie goes onto `response`); unchanged if it already did. */
export async function signIn(request: Request, response: Response, userId: string): Promise<void> {
  const session = await getSession(request, response);
  if (session.userId === userId) return;
  session.userId = userId;
  session.iat = Math.floor(Date.now() / 1000);
  await session.save();
}

/** Two records of one person were merged into `userId`: the session follows the person, keeping its age. */
export async function followMergedUser(request: Request, response: Response, userId: string): Promise<void> {
  const session = await getSession(request, response);
  session.userId = userId;
  await session.save();
}

/** Sign-out: the cookie is cleared on `response`. */
export async function signOut(request: Request, response: Response): Promise<void> {
  (await getSession(request, response)).destroy();
}
