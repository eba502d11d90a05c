import "server-only";
// Staff accounts: creating them, checking a password at sign-in with a rate limit per account and per IP
// (kept in the database, so it holds across instances), and turning a session token back into a staff
// member on every request (a disabled account, a new role or a new password take effect at once).
import { Prisma } from "@/lib/generated/sqlite/client";
import { passwordVersion } from "@/lib/admin/session-token";
import { z } from "zod";
import { isUniqueViolation, readRows, type Db } from "@/lib/db";
import { log } from "@/lib/log";
import { hashPassword, passwordProblem, verifyPassword } from "./password";

export type StaffRole = "admin" | "viewer";
export const STAFF_ROLES: readonly StaffRole[] = ["admin", "viewer"];

export const SIGNIN_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_IP = 20;
/**
 * Failures across all accounts within SIGNIN_WINDOW_MS beyond which every sign-in slows down: then one
 * attempt per SLOWED_INTERVAL_MS gets its password checked, whoever and wherever it comes from. Spraying
 * many accounts from many (or forged) addresses is bounded by this, whatever X-Forwarded-For says.
 */
export const MAX_FAILURES_GLOBAL = 50;
export const SLOWED_INTERVAL_MS = 3000;
export const RATE_LIMIT_MESSAGE = "尝试次数过多，请 15 分钟后再试";
export const SLOWED_MESSAGE = "近期登录失败过多，系统已暂时限速，请稍后再试。";

/** What the sign-in form says for a refused sign-in's code (next-auth's CredentialsSignin code). */
export function signInErrorMessage(code: unknown): string {
  return code === "rate_limited" ? RATE_LIMIT_MESSAGE : code === "slowed" ? SLOWED_MESSAGE : BAD_CREDENTIALS_MESSAGE;
}
export const BAD_CREDENTIALS_MESSAGE = "邮箱或密码错误。";

export interface StaffMember {
  readonly id: string;
  readonly email: string;
  readonly role: StaffRole;
  /** fingerprint of the password hash, carried in the session token */
  readonly pwv: string;
}

/** Stored for an attempt whose client address no trusted proxy gave. */
export const UNKNOWN_IP = "unknown";

export class StaffInputError extends Error {
  override name = "StaffInputError";
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isStaffRole(value: unknown): value is StaffRole {
  return value === "admin" || value === "viewer";
}

const emailSchema = z.email().max(254);

function toMember(row: { id: string; email: string; role: string; passwordHash: string }): StaffMember | null {
  if (!isStaffRole(row.role)) return null;
  return { id: row.id, email: row.email, role: row.role, pwv: passwordVersion(row.passwordHash) };
}

/** The normalized email; throws a StaffInputError (Chinese message) for a bad email, role or password. */
export function validateStaffInput(input: { email: string; password: string; role: string }): string {
  const email = normalizeEmail(input.email);
  if (!emailSchema.safeParse(email).success) throw new StaffInputError("邮箱格式不正确。");
  if (!isStaffRole(input.role)) throw new StaffInputError("角色只能是 admin 或 viewer。");
  const problem = passwordProblem(input.password);
  if (problem) throw new StaffInputError(problem);
  return email;
}

/**
 * Creates a staff member, or with `update` changes an existing one's password and role. Refuses a
 * malformed email, an unknown role and a weak password with a Chinese message.
 */
export async function createStaff(
  db: Db,
  input: { email: string; password: string; role: string },
  options: { update?: boolean } = {},
): Promise<{ staff: StaffMember; created: boolean }> {
  const email = validateStaffInput(input);
  const passwordHash = await hashPassword(input.password);
  const existing = await db.staff.findUnique({ where: { email } });
  if (existing) {
    if (!options.update) throw new StaffInputError(`${email} 已存在；要修改密码或角色请加 --update。`);
    const row = await db.staff.update({ where: { email }, data: { passwordHash, role: input.role as StaffRole } });
    return { staff: toMember(row)!, created: false };
  }
  try {
    const row = await db.staff.create({ data: { email, passwordHash, role: input.role as StaffRole } });
    return { staff: toMember(row)!, created: true };
  } catch (err) {
    if (isUniqueViolation(err)) throw new StaffInputError(`${email} 已存在。`);
    throw err;
  }
}

export function countStaff(db: Db): Promise<number> {
  return db.staff.count();
}

export type SignInResult =
  | { readonly ok: true; readonly staff: StaffMember }
  | { readonly ok: false; readonly reason: "rate_limited" | "slowed" | "bad_credentials" };

/**
 * Checks a sign-in. The attempt is recorded (as a failure) before anything else, so concurrent guesses
 * see each other and no burst gets past the limit; a success flips its own row. Over a limit, the
 * password is not checked at all. Unknown, disabled and wrong-password accounts answer alike, after the
 * same argon2 work. `ip` is null when no trusted proxy says who the client is (see clientIp): then
 * there is no per-IP limit (one shared bucket would let anyone lock everyone out), and the global one
 * bounds what a guesser gets.
 */
export async function authenticateStaff(
  db: Db,
  input: { email: string; password: string; ip: string | null },
  now: Date = new Date(),
): Promise<SignInResult> {
  const email = normalizeEmail(input.email).slice(0, 254);
  const ip = input.ip === null ? UNKNOWN_IP : input.ip.slice(0, 64);
  const attempt = await db.signInAttempt.create({ data: { email, ip, success: false, createdAt: now } });
  const since = new Date(now.getTime() - SIGNIN_WINDOW_MS);
  const lastSuccess = await db.signInAttempt.findFirst({
    where: { email, success: true, createdAt: { gte: since } },
    orderBy: { createdAt: "desc" },
    select: { createdAt: true },
  });
  // A success forgives the account's earlier typos (not the IP's).
  const emailSince = lastSuccess && lastSuccess.createdAt > since ? lastSuccess.createdAt : since;
  const [emailFailures, ipFailures, globalFailures] = await Promise.all([
    db.signInAttempt.count({ where: { email, success: false, createdAt: { gte: emailSince } } }),
    input.ip === null ? 0 : db.signInAttempt.count({ where: { ip, success: false, createdAt: { gte: since } } }),
    db.signInAttempt.count({ where: { success: false, createdAt: { gte: since } } }),
  ]);
  // The counts include this attempt.
  if (emailFailures > MAX_FAILURES_PER_EMAIL || ipFailures > MAX_FAILURES_PER_IP) {
    log.warn("staff_signin_failed", { email, ip, reason: "rate_limited" });
    return { ok: false, reason: "rate_limited" };
  }
  if (globalFailures > MAX_FAILURES_GLOBAL) {
    // Slowed down: only when no other attempt came within the interval (concurrent ones refuse each other).
    const recent = await db.signInAttempt.count({
      where: {
        id: { not: attempt.id },
        createdAt: { gt: new Date(now.getTime() - SLOWED_INTERVAL_MS), lte: now },
      },
    });
    if (recent > 0) {
      log.warn("staff_signin_failed", { email, ip, reason: "slowed", failuresInWindow: globalFailures });
      return { ok: false, reason: "slowed" };
    }
  }

  const row = await db.staff.findUnique({ where: { email } });
  const matches = await verifyPassword(row?.passwordHash, input.password);
  const member = row ? toMember(row) : null;
  const reason = !row
    ? "unknown_email"
    : !matches
      ? "wrong_password"
      : row.disabledAt
        ? "disabled"
        : !member
          ? "bad_role"
          : null;
  if (reason || !member) {
    log.warn("staff_signin_failed", { email, ip, reason });
    return { ok: false, reason: "bad_credentials" };
  }
  await db.$transaction([
    db.signInAttempt.update({ where: { id: attempt.id }, data: { success: true } }),
    db.staff.update({ where: { id: member.id }, data: { lastSignInAt: now } }),
  ]);
  log.info("staff_signin", { email, ip, role: member.role });
  return { ok: true, staff: member };
}

/**
 * Whether sign-in is slowed down now (more than MAX_FAILURES_GLOBAL failures across all accounts in the
 * window): the sign-in page and the console say so, so that staff know why their sign-in waits.
 */
export async function signInSlowedDown(db: Db, now: Date = new Date()): Promise<boolean> {
  const since = new Date(now.getTime() - SIGNIN_WINDOW_MS);
  // On the driver (lib/db/reader.ts): every console page asks, and Prisma costs more CPU than the count.
  const [row] = await readRows<{ n: number | string | bigint }>(
    db,
    Prisma.sql`SELECT count(*) AS "n" FROM "SignInAttempt" WHERE "success" = ${false} AND "createdAt" >= ${since}`,
  );
  return Number(row?.n ?? 0) > MAX_FAILURES_GLOBAL;
}

/**
 * The staff member a session token names, if that account still exists, is not disabled, has a known
 * role, has not changed its password since the token was issued, and this session was not signed out.
 * Read on every console request: one statement by primary key on the driver (lib/db/reader.ts), because
 * Prisma costs more CPU per statement than the lookup itself.
 */
export async function activeStaff(db: Db, id: string, pwv: string, sid: string): Promise<StaffMember | null> {
  const [row] = await readRows<{
    id: string;
    email: string;
    role: string;
    passwordHash: string;
    disabledAt: unknown;
    revoked: unknown;
  }>(
    db,
    Prisma.sql`SELECT s."id", s."email", s."role", s."passwordHash", s."disabledAt",
      (SELECT 1 FROM "RevokedStaffSession" r WHERE r."jti" = ${sid}) AS "revoked"
      FROM "Staff" s WHERE s."id" = ${id}`,
  );
  if (!row || (row.disabledAt !== null && row.disabledAt !== undefined)) return null;
  if (row.revoked !== null && row.revoked !== undefined) return null;
  const member = toMember(row);
  if (!member || member.pwv !== pwv) return null;
  return member;
}

/**
 * Sign-out: this session (its sid, kept across re-issued cookies) is refused from now on, even a copy of
 * its cookie, until the session would have ended anyway. Revocations past their end are deleted on the way.
 */
export async function revokeStaffSession(
  db: Db,
  token: { sub: string; sid: string; exp: number },
  now: Date,
): Promise<void> {
  await db.$transaction([
    db.revokedStaffSession.deleteMany({ where: { expiresAt: { lt: now } } }),
    db.revokedStaffSession.upsert({
      where: { jti: token.sid },
      create: { jti: token.sid, staffId: token.sub, expiresAt: new Date(token.exp * 1000), revokedAt: now },
      update: {},
    }),
  ]);
  log.info("staff_signout", { staffId: token.sub });
}
