// The staff session cookie: next-auth's JWT, a JWE encrypted with a key derived from AUTH_SECRET and the
// cookie's name (the salt). Read here without a round trip through Auth(): by proxy.ts (no "server-only",
// it is not a Server Component), by lib/admin/guard.ts for a bare Request, and by tests that mint one.
import { createHash } from "node:crypto";
import { decode, encode, type JWT } from "next-auth/jwt";
import { env } from "@/lib/env";

/** Every staff cookie starts with this; the end user's is `wcuc_session`, so neither can be read as the other. */
export const STAFF_COOKIE_PREFIX = "wcuc_staff";
export const STAFF_SESSION_COOKIE = `${STAFF_COOKIE_PREFIX}.session-token`;
/** A staff session lasts 8 hours from sign-in (a working day), then sign in again. */
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

/** A decoded session: the claims, and which session it is (sign-out revokes it by jti) until when. */
export interface StaffSessionToken extends StaffToken {
  readonly jti: string;
  /** expiry, seconds since the epoch */
  readonly exp: number;
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
  if (!payload) return null;
  const { sub, email, role, pwv, jti, exp } = payload;
  if (typeof sub !== "string" || typeof email !== "string" || typeof role !== "string" || typeof pwv !== "string")
    return null;
  // next-auth gives every token a jti and an exp; one without is not ours.
  if (typeof jti !== "string" || jti === "" || typeof exp !== "number") return null;
  const token: StaffSessionToken = { sub, email, role, pwv, jti, exp };
  if (remembered.size >= REMEMBER_MAX) remembered.delete(remembered.keys().next().value!);
  remembered.set(value, { token, until: Math.min(exp * 1000, now + REMEMBER_MS) });
  return token;
}

/** A session token as next-auth issues it at sign-in (tests mint sessions with this). */
export function encodeStaffToken(claims: StaffToken, maxAge = STAFF_SESSION_MAX_AGE): Promise<string> {
  return encode({ token: { ...claims }, secret: env().AUTH_SECRET, salt: STAFF_SESSION_COOKIE, maxAge });
}
