import "server-only";
// The end user's session: an iron-session cookie holding the user id and nothing else the browser
// could misuse. Route handlers use the Request/Response form (testable without Next's request scope).
import { randomBytes } from "node:crypto";
import { getIronSession, type SessionOptions } from "iron-session";
import type { Db } from "@/lib/db";
import { env } from "@/lib/env";
import { ironSeal } from "@/lib/crypto";
import { readCookie, serializeCookie } from "@/lib/http";

export interface SessionData {
  userId?: string;
  /** when this session was created, seconds since epoch */
  iat?: number;
  /** this session's id: sign-out revokes it (RevokedSession), so a copy of the cookie is refused too */
  sid?: string;
  /** when this session was signed in, ms since epoch (sessions signed in before 退出所有设备 end) */
  sat?: number;
}

/**
 * A session as the cookie says it: whose, which, since when. Whether it is still in force (not signed
 * out, not ended by 退出所有设备 or a block) is the database's to say: getMe() reads it in its one statement.
 */
export interface EndUserSession {
  readonly userId: string;
  /** "" for sessions from before sessions had ids (they end with 退出所有设备 or their 7 days) */
  readonly sid: string;
  /** ms since epoch */
  readonly signedInAt: number;
}

/** The session a cookie's data names, or undefined. */
export function endUserSession(data: SessionData): EndUserSession | undefined {
  if (!data.userId) return undefined;
  return { userId: data.userId, sid: data.sid ?? "", signedInAt: data.sat ?? (data.iat ?? 0) * 1000 };
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
const unsealed = new Map<string, { session: EndUserSession; until: number }>();

/** The request's session as its cookie says (not yet checked against revocations), or undefined. */
export async function requestSession(request: Request): Promise<EndUserSession | undefined> {
  const cookie = readCookie(request, SESSION_COOKIE);
  if (!cookie) return undefined;
  const hit = unsealed.get(cookie);
  if (hit && hit.until > Date.now()) return hit.session;
  const session = endUserSession(await getSession(request, new Response()));
  if (session) {
    if (unsealed.size >= UNSEALED_MAX) unsealed.delete(unsealed.keys().next().value!);
    unsealed.set(cookie, { session, until: Date.now() + UNSEALED_TTL_MS });
  }
  return session;
}

/** The user id the request's cookie names, or undefined (for the login's replay check; not proof of a live session). */
export async function sessionUserId(request: Request): Promise<string | undefined> {
  return (await requestSession(request))?.userId;
}

/**
 * Sign-in: the session names `userId` from now on (the cookie goes onto `response`); unchanged if it
 * already did. The cookie is what iron-session's save() would set, sealed with node:crypto (ironSeal)
 * rather than iron-webcrypto's WebCrypto calls: a login's one seal was 1 ms of its CPU.
 */
export async function signIn(request: Request, response: Response, userId: string): Promise<void> {
  if ((await requestSession(request))?.userId === userId) return;
  const now = Date.now();
  const data: SessionData = {
    userId,
    iat: Math.floor(now / 1000),
    sat: now,
    sid: randomBytes(18).toString("base64url"),
  };
  const options = sessionOptions();
  // iron-session's defaults: the password string is password "1"; the cookie lives 60 s less than the seal.
  const sealed = ironSeal(data, { id: "1", secret: options.password as string }, SESSION_TTL_SECONDS * 1000, now);
  response.headers.append(
    "set-cookie",
    serializeCookie(SESSION_COOKIE, sealed, { path: "/", maxAge: SESSION_TTL_SECONDS - 60 }),
  );
}

/** Two records of one person were merged into `userId`: the session follows the person, keeping its age. */
export async function followMergedUser(request: Request, response: Response, userId: string): Promise<void> {
  const session = await getSession(request, response);
  session.userId = userId;
  await session.save();
}

/**
 * Sign-out: this session is revoked (a copy of its cookie is refused from now on, until it would have
 * expired) and the cookie cleared on `response`. Revocations past their expiry are deleted on the way.
 */
export async function signOut(request: Request, response: Response, db: Db, now: Date = new Date()): Promise<void> {
  const session = await getSession(request, response);
  const current = endUserSession(session);
  if (current?.sid) {
    const expiresAt = new Date(current.signedInAt + SESSION_TTL_SECONDS * 1000);
    await db.$transaction([
      db.revokedSession.deleteMany({ where: { expiresAt: { lt: now } } }),
      db.revokedSession.upsert({
        where: { sid: current.sid },
        create: { sid: current.sid, userId: current.userId, expiresAt, revokedAt: now },
        update: {},
      }),
    ]);
  }
  session.destroy();
}

/** 退出所有设备: every session of this person signed in until now ends (this one too), on every device. */
export async function signOutEverywhere(
  request: Request,
  response: Response,
  db: Db,
  now: Date = new Date(),
): Promise<void> {
  const session = await getSession(request, response);
  const current = endUserSession(session);
  if (current) await db.user.updateMany({ where: { id: current.userId }, data: { sessionsValidAfter: now } });
  session.destroy();
}
