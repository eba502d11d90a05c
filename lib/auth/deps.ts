// What the login code needs from the world, in one object: tests build their own (a temporary
// database, the in-process simulator, a fixed clock); the app builds it once from env.
import { randomBytes } from "node:crypto";
import { WeChatOAuth } from "@/lib/wechat";
import { ApiHosts } from "@/lib/wechat/hosts";
import type { HttpFetch } from "@/lib/wechat/transport";
import { deriveKey } from "@/lib/crypto";
import { LoginStartLimiter } from "@/lib/auth/start-limit";
import type { Db } from "@/lib/db";
import type { Env } from "@/lib/env";

export interface AuthDeps {
  readonly db: Db;
  readonly oauth: WeChatOAuth;
  readonly appId: string;
  readonly appUrl: string;
  /** key for tokens at rest */
  readonly tokenKey: Buffer;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly randomBytes: (n: number) => Uint8Array;
  /** refuses login starts beyond the per-address and per-process rates, before any write */
  readonly startLimiter: LoginStartLimiter;
}

/**
 * `hosts`: the process's host health for api.weixin.qq.com and its backup (lib/services.ts shares one
 * with the token service, so the login fails over together with the cgi-bin calls); `transport`: the
 * process's HTTP transport, shared likewise (default: the global fetch).
 */
export function createAuthDeps(
  e: Env,
  db: Db,
  overrides: Partial<AuthDeps> = {},
  hosts: ApiHosts = new ApiHosts({ primary: e.WECHAT_API_BASE, backup: e.WECHAT_API_BACKUP_BASE }),
  transport?: HttpFetch,
): AuthDeps {
  return {
    db,
    oauth: new WeChatOAuth(
      {
        appId: e.WECHAT_APP_ID,
        appSecret: e.WECHAT_APP_SECRET,
        oauthBase: e.WECHAT_OAUTH_BASE,
        apiBase: hosts,
      },
      // A user waits seconds, not minutes: 2 s per attempt, and at most 3 s for a call with its retries
      // (the code exchange is never retried), so a login spends at most 5 s on WeChat.
      { timeoutMs: 2000, retries: 2, budgetMs: 3000, fetch: transport },
    ),
    appId: e.WECHAT_APP_ID,
    appUrl: e.APP_URL,
    tokenKey: deriveKey(e.TOKEN_ENCRYPTION_KEY, "web-token"),
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    randomBytes: (n) => randomBytes(n),
    startLimiter: new LoginStartLimiter({
      perAddressPerMinute: e.LOGIN_STARTS_PER_MINUTE_PER_ADDRESS,
      perSecond: e.LOGIN_STARTS_PER_SECOND,
    }),
    ...overrides,
  };
}

/** Waits until `check` returns a value, polling with `sleep`; undefined after `timeoutMs`. */
export async function waitFor<T>(
  deps: Pick<AuthDeps, "sleep">,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 50,
): Promise<T | undefined> {
  for (let waited = 0; waited <= timeoutMs; waited += intervalMs) {
    const value = await check();
    if (value !== undefined) return value;
    await deps.sleep(intervalMs);
  }
  return undefined;
}
