// The two hops of WeChat web authorization: startLogin sends the browser to WeChat with a fresh state;
// completeLogin checks that state (before any code exchange), exchanges the code once, and records the
// person. See README "How login works" for the state and cookie-loss choices.
import { generateState, isValidState, isWeChatBrowser, type OAuthScope } from "@/lib/wechat";
import { safeEqual, sha256 } from "@/lib/crypto";
import { AppError, toAppError, type AppErrorCode } from "@/lib/errors";
import { recordLogin } from "@/lib/users";
import { driverReturning, driverStatement, people, readRows, type Db } from "@/lib/db";
import { Prisma } from "@/lib/generated/sqlite/client";
import { waitFor, type AuthDeps } from "@/lib/auth/deps";
import { safeReturnTo } from "@/lib/auth/return-to";

export const STATE_TTL_MS = 10 * 60 * 1000;
export const BINDING_COOKIE = "wcuc_login";
export const CALLBACK_PATH = "/api/auth/wechat/callback";
/** How long a replayed callback waits for the first one to finish its exchange. */
const REPLAY_WAIT_MS = 10_000;

export function loginPath(scope: OAuthScope, returnTo: string, attempt?: number): string {
  const q = new URLSearchParams({ scope, returnTo });
  if (attempt && attempt > 1) q.set("attempt", String(attempt));
  return `/api/auth/wechat/login?${q}`;
}

export interface StartLogin {
  scope: OAuthScope;
  returnTo?: string | null | undefined;
  /** the browser's binding cookie, when it has one */
  binding: string | undefined;
  attempt?: number;
  userAgent: string | null;
  /** the client's address as a trusted proxy says it (clientIp), or null */
  ip: string | null;
  /** send browsers other than WeChat's to the "open in WeChat" page */
  weChatBrowserOnly: boolean;
}

export type StartedLogin =
  /** the binding cookie value to (re)set on the browser */
  | { readonly kind: "authorize"; readonly location: string; readonly binding: string }
  | { readonly kind: "open_in_wechat"; readonly location: string };

export async function startLogin(deps: AuthDeps, input: StartLogin): Promise<StartedLogin> {
  if (input.weChatBrowserOnly && !isWeChatBrowser(input.userAgent)) {
    return {
      kind: "open_in_wechat",
      location: `/auth/open-in-wechat?${new URLSearchParams({ returnTo: safeReturnTo(input.returnTo) })}`,
    };
  }
  // Every start below writes a login state: a loop of starts is refused first, without a write.
  const retryAfterSeconds = deps.startLimiter.take(input.ip);
  if (retryAfterSeconds > 0) {
    throw new AppError("login_rate_limited", {
      retryAfterSeconds,
      detail: `login starts over the limit (${input.ip ?? "all clients"})`,
    });
  }
  const binding = input.binding && /^[A-Za-z0-9_-]{43}$/.test(input.binding) ? input.binding : randomBinding(deps);
  const state = generateState(deps.randomBytes, 32);
  const now = deps.now();
  await driverStatement(deps.db, people.insertLoginState, {
    state,
    bindingHash: sha256(binding),
    scope: input.scope,
    returnTo: safeReturnTo(input.returnTo),
    attempt: input.attempt === 2 ? 2 : 1,
    now,
    expiresAt: new Date(now.getTime() + STATE_TTL_MS),
  });
  const location = deps.oauth.createAuthorizationURL({
    redirectUri: deps.appUrl + CALLBACK_PATH,
    scope: input.scope,
    state,
  });
  return { kind: "authorize", location, binding };
}

function randomBinding(deps: AuthDeps): string {
  return Buffer.from(deps.randomBytes(32)).toString("base64url");
}

export interface CompleteLogin {
  code?: string | undefined;
  state?: string | undefined;
  binding: string | undefined;
  /** the user already signed in on this browser, if any */
  sessionUserId: string | undefined;
  userAgent: string | null;
  ip: string | null;
}

export type LoginOutcome =
  | { readonly kind: "signed_in"; readonly userId: string; readonly returnTo: string }
  /** WeChat's browser lost the binding cookie between the hops: start over once, silently. */
  | { readonly kind: "restart"; readonly location: string }
  /** the user declined snsapi_userinfo but is signed in already: back where they were */
  | { readonly kind: "declined"; readonly returnTo: string };

export async function completeLogin(deps: AuthDeps, input: CompleteLogin): Promise<LoginOutcome> {
  if (!input.state || !isValidState(input.state))
    throw new AppError("state_invalid", { detail: "missing or malformed state" });
  const { db } = deps;
  const codeHash = input.code ? sha256(input.code) : null;
  if (input.code && codeHash && input.binding) {
    // The common callback in one statement: its state is claimed if it is this browser's, unexpired and
    // unclaimed, exactly as the checks below would let it be. Anything else is sorted out below.
    const [claimed] = await driverReturning(db, people.claimLoginStateOfBrowser, {
      state: input.state,
      bindingHash: sha256(input.binding),
      now: deps.now(),
      codeHash,
    });
    if (claimed) return exchangeClaimed(deps, input, input.code, claimed);
  }

  const row = await readLoginState(db, input.state);
  if (!row) throw new AppError("state_invalid", { detail: "unknown state" });
  // A replay of a finished login from the browser it signed in (cookie or not): land where it was going.
  if (row.status === "done" && row.userId && row.userId === input.sessionUserId && codeHash === row.codeHash) {
    return { kind: "signed_in", userId: row.userId, returnTo: row.returnTo };
  }

  if (!input.binding) {
    // No cookie at all: WeChat's browser dropped it, or the link was opened elsewhere. Starting a new
    // login (which sets a new cookie) is safe either way; a second loss ends on the error page.
    if (row.attempt >= 2) throw new AppError("state_invalid", { detail: "binding cookie missing twice" });
    await db.loginState.updateMany({
      where: { state: row.state, claimedAt: null },
      data: { status: "failed", error: "cookie_lost", claimedAt: deps.now() },
    });
    return { kind: "restart", location: loginPath(row.scope as OAuthScope, row.returnTo, 2) };
  }
  if (!safeEqual(sha256(input.binding), row.bindingHash))
    throw new AppError("state_invalid", { detail: "state bound to another browser" });
  if (row.expiresAt <= deps.now()) throw new AppError("state_expired");

  if (!input.code) {
    // WeChat redirects with state only when the user taps 拒绝 on the consent page.
    await db.loginState.updateMany({
      where: { state: row.state, claimedAt: null },
      data: { status: "failed", error: "consent_denied", claimedAt: deps.now() },
    });
    if (input.sessionUserId) return { kind: "declined", returnTo: row.returnTo };
    throw new AppError("consent_denied");
  }

  const claimed = await driverStatement(db, people.claimLoginState, { state: row.state, now: deps.now(), codeHash });
  if (claimed === 0) return awaitFirstCallback(deps, row.state, codeHash);
  return exchangeClaimed(deps, input, input.code, row);
}

/** The callback that claimed the state exchanges its code and records the login, or records why not. */
async function exchangeClaimed(
  deps: AuthDeps,
  input: CompleteLogin,
  code: string,
  row: Pick<LoginStateRow, "state" | "bindingHash" | "scope" | "returnTo"> & { snapshotPending: unknown },
): Promise<LoginOutcome> {
  const { db } = deps;
  try {
    // The state is marked done in the transaction that records the login.
    const userId = await exchangeAndRecord(deps, code, row.scope as OAuthScope, { ...input, state: row.state });
    if (row.snapshotPending) await creditSnapshotAttempts(deps, row.bindingHash, userId);
    return { kind: "signed_in", userId, returnTo: row.returnTo };
  } catch (err) {
    const appError = toAppError(err);
    await db.loginState.update({ where: { state: row.state }, data: { status: "failed", error: appError.code } });
    if (appError.code === "snapshot_user") {
      // The visitor's identity is virtual, but the browser is not: remember the attempt against it.
      await db.snapshotAttempt.create({
        data: {
          bindingHash: row.bindingHash,
          userAgent: input.userAgent?.slice(0, 512),
          ip: input.ip,
          createdAt: deps.now(),
        },
      });
    }
    throw appError;
  }
}

interface LoginStateRow {
  state: string;
  bindingHash: string;
  scope: string;
  returnTo: string;
  attempt: number;
  expiresAt: Date;
  codeHash: string | null;
  status: string;
  userId: string | null;
  /** this browser has snapshot-page visits not yet credited to anyone */
  snapshotPending: boolean;
}

/**
 * The login's state, read on the driver (a prepared statement: the callback's first read), with whether
 * its browser has snapshot visits to credit: almost no login has, and asking here costs no statement.
 */
async function readLoginState(db: Db, state: string): Promise<LoginStateRow | null> {
  const [row] = await readRows<
    Omit<LoginStateRow, "expiresAt" | "snapshotPending"> & { expiresAt: Date | string; snapshotPending: unknown }
  >(
    db,
    Prisma.sql`SELECT l."state", l."bindingHash", l."scope", l."returnTo", l."attempt", l."expiresAt", l."codeHash",
                      l."status", l."userId",
                      (SELECT 1 FROM "SnapshotAttempt" s WHERE s."bindingHash" = l."bindingHash" AND s."userId" IS NULL
                       LIMIT 1) AS "snapshotPending"
               FROM "LoginState" l WHERE l."state" = ${state}`,
  );
  return row
    ? {
        ...row,
        attempt: Number(row.attempt),
        expiresAt: new Date(row.expiresAt),
        snapshotPending: row.snapshotPending !== null,
      }
    : null;
}

/** Snapshot-page visits from this browser now belong to the person it logged in as. */
async function creditSnapshotAttempts(deps: AuthDeps, bindingHash: string, userId: string): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    const { count } = await tx.snapshotAttempt.updateMany({ where: { bindingHash, userId: null }, data: { userId } });
    if (count > 0) await tx.user.update({ where: { id: userId }, data: { snapshotAttempts: { increment: count } } });
  });
}

/** The same state came back while or after the first callback used it (WeChat called twice, or a refresh). */
async function awaitFirstCallback(deps: AuthDeps, state: string, codeHash: string | null): Promise<LoginOutcome> {
  const settled = await waitFor(
    deps,
    async () => {
      const row = await deps.db.loginState.findUnique({ where: { state } });
      return row && row.status !== "pending" ? row : undefined;
    },
    REPLAY_WAIT_MS,
  );
  if (!settled) throw new AppError("wechat_busy", { detail: "first callback did not finish" });
  if (settled.codeHash !== codeHash)
    throw new AppError("state_invalid", { detail: "state already used with another code" });
  if (settled.status === "done" && settled.userId)
    return { kind: "signed_in", userId: settled.userId, returnTo: settled.returnTo };
  throw new AppError((settled.error as AppErrorCode | null) ?? "state_invalid", { detail: "first callback failed" });
}

async function exchangeAndRecord(
  deps: AuthDeps,
  code: string,
  scope: OAuthScope,
  input: CompleteLogin & { state: string },
): Promise<string> {
  const token = await deps.oauth.exchangeCode(code);
  // Snapshot-page users have virtual identities: never store them.
  if (token.isSnapshotUser) throw new AppError("snapshot_user");
  const profile =
    scope === "snsapi_userinfo" && token.scopes.includes("snsapi_userinfo")
      ? await deps.oauth.getUserInfo(token.accessToken, token.openid, "zh_CN")
      : null;
  return recordLogin(deps, { token, profile, userAgent: input.userAgent, ip: input.ip, state: input.state });
}
