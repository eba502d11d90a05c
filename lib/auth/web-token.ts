// A person's web access_token for our app, refreshed with the refresh_token when it has expired.
// At most one refresh per identity runs at a time, across requests and processes: a lease row update
// (compare-and-set on refreshLeaseUntil) elects the refresher; the others wait for tokenVersion to move.
import { WeChatApiError } from "@/lib/wechat";
import { seal, unseal } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { WEB_ACCESS_TOKEN_SAFETY_MS } from "@/lib/users";
import { waitFor, type AuthDeps } from "@/lib/auth/deps";

/** Longer than the refresh call's worst case (3 attempts × 4 s + backoff), so a live refresher keeps it. */
const LEASE_MS = 20_000;

export interface UsableToken {
  readonly identityId: string;
  readonly openid: string;
  readonly scope: string;
  readonly accessToken: string;
  readonly version: number;
}

type IdentityRow = NonNullable<Awaited<ReturnType<AuthDeps["db"]["identity"]["findFirst"]>>>;

function usable(deps: AuthDeps, row: IdentityRow): UsableToken | undefined {
  if (!row.accessTokenEnc || !row.accessTokenExpiresAt) return undefined;
  if (row.accessTokenExpiresAt.getTime() - WEB_ACCESS_TOKEN_SAFETY_MS <= deps.now().getTime()) return undefined;
  return {
    identityId: row.id,
    openid: row.openid,
    scope: row.scope,
    accessToken: unseal(row.accessTokenEnc, deps.tokenKey),
    version: row.tokenVersion,
  };
}

async function identityFor(deps: AuthDeps, userId: string): Promise<IdentityRow> {
  const row = await deps.db.identity.findFirst({ where: { userId, appid: deps.appId } });
  if (!row) throw new AppError("reauthorize", { detail: "no identity for this app" });
  return row;
}

/**
 * A valid access token for the user, refreshing it if needed. `staleVersion` forces a refresh when
 * WeChat rejected that version (40001/42001) even though our clock thought it valid.
 */
export async function getWebToken(deps: AuthDeps, userId: string, staleVersion?: number): Promise<UsableToken> {
  const row = await identityFor(deps, userId);
  const current = row.tokenVersion !== staleVersion ? usable(deps, row) : undefined;
  if (current) return current;
  if (!row.refreshTokenEnc || !row.refreshTokenExpiresAt || row.refreshTokenExpiresAt <= deps.now()) {
    // Past its 30 days the refresh_token is as dead as one WeChat refused: forget it the same way
    // (unless a new login stored fresh tokens meanwhile, which bumped tokenVersion).
    if (row.refreshTokenEnc || row.accessTokenEnc) {
      await deps.db.identity.updateMany({
        where: { id: row.id, tokenVersion: row.tokenVersion },
        data: {
          accessTokenEnc: null,
          refreshTokenEnc: null,
          accessTokenExpiresAt: null,
          refreshTokenExpiresAt: null,
          refreshLeaseUntil: null,
          tokenVersion: { increment: 1 },
        },
      });
    }
    throw new AppError("reauthorize", { detail: "refresh_token expired" });
  }

  const now = deps.now();
  const won = await deps.db.identity.updateMany({
    where: {
      id: row.id,
      tokenVersion: row.tokenVersion,
      OR: [{ refreshLeaseUntil: null }, { refreshLeaseUntil: { lt: now } }],
    },
    data: { refreshLeaseUntil: new Date(now.getTime() + LEASE_MS) },
  });
  if (won.count === 0) return awaitRefresh(deps, row.id, row.tokenVersion);

  try {
    const token = await deps.oauth.refreshToken(unseal(row.refreshTokenEnc, deps.tokenKey));
    const at = deps.now();
    const updated = await deps.db.identity.update({
      where: { id: row.id },
      data: {
        accessTokenEnc: seal(token.accessToken, deps.tokenKey),
        // WeChat returns the same refresh_token; its 30 days are not extended, so the expiry stays.
        refreshTokenEnc: seal(token.refreshToken, deps.tokenKey),
        accessTokenExpiresAt: new Date(at.getTime() + token.expiresIn * 1000),
        tokenVersion: { increment: 1 },
        refreshLeaseUntil: null,
      },
    });
    log.info("web_token_refreshed", { identityId: row.id, version: updated.tokenVersion });
    return (
      usable(deps, updated) ?? {
        identityId: row.id,
        openid: row.openid,
        scope: row.scope,
        accessToken: token.accessToken,
        version: updated.tokenVersion,
      }
    );
  } catch (err) {
    const dead = err instanceof WeChatApiError && err.info.action === "reauthorize";
    await deps.db.identity.update({
      where: { id: row.id },
      // A dead refresh_token is forgotten so nobody tries it again; anything else frees the lease for a retry.
      data: dead
        ? {
            accessTokenEnc: null,
            refreshTokenEnc: null,
            accessTokenExpiresAt: null,
            refreshTokenExpiresAt: null,
            refreshLeaseUntil: null,
            tokenVersion: { increment: 1 },
          }
        : { refreshLeaseUntil: null },
    });
    if (dead) throw new AppError("reauthorize", { cause: err, errcode: (err as WeChatApiError).errcode });
    throw err;
  }
}

async function awaitRefresh(deps: AuthDeps, identityId: string, oldVersion: number): Promise<UsableToken> {
  const row = await waitFor(
    deps,
    async () => {
      const r = await deps.db.identity.findUnique({ where: { id: identityId } });
      if (!r) return undefined;
      if (r.tokenVersion !== oldVersion) return r;
      // The refresher died or gave up: stop waiting and let the caller try again.
      if (!r.refreshLeaseUntil || r.refreshLeaseUntil < deps.now()) return r;
      return undefined;
    },
    LEASE_MS + 1000,
  );
  const token = row && usable(deps, row);
  if (token) return token;
  if (row && !row.refreshTokenEnc) throw new AppError("reauthorize", { detail: "refresh_token expired" });
  throw new AppError("wechat_busy", { detail: "token refresh did not finish" });
}
