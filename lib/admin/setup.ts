import "server-only";
// First run without a default password: while no staff member exists, the server makes a random one-time
// token, valid for an hour, and logs the setup URL (only whoever reads the server's log can use it). The
// setup page with that token creates the first admin; the token dies with it. Once any staff member
// exists, setup is closed for good (the page is a 404). The token lives in this process's memory
// (globalThis: Next gives route handlers and pages separate module copies); with several instances,
// use `npm run admin:create` instead.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Db } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { countStaff, createStaff, validateStaffInput, type StaffMember } from "./staff";

export const SETUP_TOKEN_TTL_MS = 60 * 60 * 1000;

interface SetupToken {
  readonly hash: Buffer;
  readonly expiresAt: number;
}

const store = globalThis as unknown as { wcucAdminSetupToken?: SetupToken | null };

const digest = (token: string) => createHash("sha256").update(token).digest();

function liveToken(now: number): SetupToken | null {
  const current = store.wcucAdminSetupToken;
  return current && current.expiresAt > now ? current : null;
}

/**
 * While no staff member exists and no live token does either, makes one and logs the setup URL.
 * Returns whether setup is open (no staff yet). Called at start-up and by the sign-in and setup pages.
 */
export async function announceSetupIfNeeded(db: Db, now = Date.now()): Promise<boolean> {
  if ((await countStaff(db)) > 0) {
    store.wcucAdminSetupToken = null;
    return false;
  }
  if (!liveToken(now)) {
    const token = randomBytes(32).toString("base64url");
    store.wcucAdminSetupToken = { hash: digest(token), expiresAt: now + SETUP_TOKEN_TTL_MS };
    const url = `${env().APP_URL}/admin/setup?token=${token}`;
    log.warn("admin_setup_required", {
      message:
        "No staff account exists. Open this link within 1 hour to create the first admin, or run npm run admin:create.",
      url,
      expiresAt: new Date(now + SETUP_TOKEN_TTL_MS).toISOString(),
    });
  }
  return true;
}

/** Whether `token` is the live setup token (constant-time comparison of hashes). */
export function isSetupTokenValid(token: string | null | undefined, now = Date.now()): boolean {
  const live = liveToken(now);
  if (!live || typeof token !== "string" || token.length === 0 || token.length > 200) return false;
  return timingSafeEqual(digest(token), live.hash);
}

export class SetupError extends Error {
  override name = "SetupError";
}

/**
 * Creates the first admin with the live token. The input is checked before the token is spent (a weak
 * password does not burn the link); the token is then spent synchronously, so two submissions cannot
 * both use it, and the account is only created while no staff member exists.
 */
export async function createFirstAdmin(
  db: Db,
  input: { token: string; email: string; password: string },
  now = Date.now(),
): Promise<StaffMember> {
  const expired = "设置链接无效或已过期，请查看服务器日志中的新链接。";
  if (!isSetupTokenValid(input.token, now)) throw new SetupError(expired);
  validateStaffInput({ ...input, role: "admin" });
  if ((await countStaff(db)) > 0) throw new SetupError("管理员已经存在，请直接登录。");
  // Checked again after the await and spent in the same synchronous step: one submission wins.
  if (!isSetupTokenValid(input.token, now)) throw new SetupError(expired);
  store.wcucAdminSetupToken = null;
  const { staff } = await createStaff(db, { ...input, role: "admin" });
  log.info("admin_setup_done", { email: staff.email });
  return staff;
}

/** Spends the live token (first admin created); for tests also. */
export function closeSetup(): void {
  store.wcucAdminSetupToken = null;
}
