// The staff session cookie: next-auth's JWT, a JWE encrypted with a key derived from AUTH_SECRET and the
// cookie's name (the salt). Read here without a round trip through Auth(): by proxy.ts (no "server-only",
// it is not a Server Component), by lib/admin/guard.ts for a bare Request, and by tests that mint one.
import { createHash, randomUUID } from "node:crypto";
import { decode, encode, type JWT } from "next-auth/jwt";
import { env } from "@/lib/env";

/** Every staff cookie starts with this; the end user's is `wcuc_session`, so neither can be read as the other. */
export const STAFF_COOKIE_PREFIX = "wcuc_staff";
export const STAFF_SESSION_COOKIE = `${STAFF_COOKIE_PREFIX}.session-token`;
/**
 * A staff session lasts 8 hours from sign-in (a working day), then sign in again. Absolute: next-auth
 * re-issues the cookie with a fresh expiry whenever its session endpoint is read, so the end is counted
 * from the `sia` claim (signed in at), never from the token's own `exp`.
 */
export const STAFF_SESSION_MAX_AGE = 8 * 3600;

/** Changes whenever the password does; not reversible to anything useful (the hash is salted). */
export function passwordVersion(passwordHash: string): string {
  return createHash("sha256").update(passwordHash).digest("base64url").slice(0, 16);
}

/** What the session JWT says about its staff member; the Staff row is still read on every request. */
export interface StaffToken {
  /** Staff.id */
  readonly sub: string;
  readonly email: string;
  readonly role: string;
  /** a fingerprint of the password hash when the token was issued: a new password ends older sessions */
  readonly pwv: string;
}

/**
 * A decoded session: the claims, and which session it is until when. `sid` is set once at sign-in and
 * kept when next-auth re-issues the cookie (its `jti` changes on every re-issue, so sign-out revokes by
 * `sid`); `exp` is the absolute end, `sia` + STAFF_SESSION_MAX_AGE, or the token's own expiry if sooner.
 */
export interface StaffSessionToken extends StaffToken {
  readonly sid: string;
  /** signed in at, seconds since the epoch */
  readonly sia: number;
  /** expiry, seconds since the epoch */
  readonly exp: number;
}

/** The claims a sign-in adds to a new session token. */
export function newSessionClaims(now: number = Date.now()): { sid: string; sia: number } {
  return { sid: randomUUID(), sia: Math.floor(now / 1000) };
}

/**
 * A decoded JWT's payload as a staff session, or null when it is not one of ours or its session is over
 * (8 hours after sign-in, however often it was re-issued). Used for cookies read by the guard and for
 * the tokens next-auth hands its jwt callback and its sign-out event.
 */
export function staffSessionOf(payload: JWT | null | undefined, now: number = Date.now()): StaffSessionToken | null {
  if (!payload) return null;
  const { sub, email, role, pwv, sid, sia, exp } = payload;
  if (typeof sub !== "string" || typeof email !== "string" || typeof role !== "string" || typeof pwv !== "string")
    return null;
  // Tokens issued before sessions had a sid (or forged without one) are not sessions.
  if (typeof sid !== "string" || sid === "" || typeof sia !== "number" || typeof exp !== "number") return null;
  const end = Math.min(exp, sia + STAFF_SESSION_MAX_AGE);
  if (now >= end * 1000) return null;
  return { sub, email, role, pwv, sid, sia, exp: end };
}

/**
 * The session cookie's value from a Cookie header. next-auth splits a token over 4 KB into `name.0`,
 * `name.1`, …; ours is far smaller, but a split one is put back together the way next-auth does.
 */
export function readStaffSessionCookie(cookieHeader: string | null | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  let whole: string | undefined;
  const chunks: string[] = [];
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === STAFF_SESSION_COOKIE) whole = value;
    else if (name.startsWith(`${STAFF_SESSION_COOKIE}.`)) {
      const index = Number(name.slice(STAFF_SESSION_COOKIE.length + 1));
      if (Number.isInteger(index) && index >= 0 && index < 16) chunks[index] = value;
    }
  }
  if (whole) return whole;
  if (chunks.length > 0 && !chunks.includes(undefined as unknown as string)) return chunks.join("");
  return undefined;
}

// A session cookie is an encrypted, authenticated JWT and never changes, so what it decrypted to is
// remembered until the token expires (at most REMEMBER_MS): next-auth's decode derives the key with HKDF,
// hashes it and runs AES and HMAC on every call, about 1.5 ms of CPU per request, in proxy.ts and again
// in the guard. Only the cryptography is skipped; the Staff row is still read on every request. Bounded,
// the oldest entries go first.
const REMEMBER_MS = 5 * 60_000;
const REMEMBER_MAX = 1000;
const remembered = new Map<string, { token: StaffSessionToken; until: number }>();

/** The token's claims when it decrypts with our secret, has not expired and names a staff member. */
export async function decodeStaffToken(
  value: string | undefined,
  now: number = Date.now(),
): Promise<StaffSessionToken | null> {
  if (!value) return null;
  const hit = remembered.get(value);
  if (hit && now < hit.until) return hit.token;
  if (hit) remembered.delete(value);
  let payload: JWT | null;
  try {
    payload = await decode({ token: value, secret: env().AUTH_SECRET, salt: STAFF_SESSION_COOKIE });
  } catch {
    // Another secret, a truncated or forged value, an expired token: no session.
    return null;
  }
  const token = staffSessionOf(payload, now);
  if (!token) return null;
  if (remembered.size >= REMEMBER_MAX) remembered.delete(remembered.keys().next().value!);
  remembered.set(value, { token, until: Math.min(token.exp * 1000, now + REMEMBER_MS) });
  return token;
}

/** A session token as next-auth issues it at sign-in (tests mint sessions with this). */
export function encodeStaffToken(
  claims: StaffToken & { sid?: string; sia?: number },
  maxAge = STAFF_SESSION_MAX_AGE,
): Promise<string> {
  return encode({
    token: { ...newSessionClaims(), ...claims },
    secret: env().AUTH_SECRET,
    salt: STAFF_SESSION_COOKIE,
    maxAge,
  });
}
