// Step "quota": what keeps the service inside WeChat's limits. Every upstream fetch is recorded in
// CredentialFetch (ok or not); a recent configuration, quota or transient failure is thrown again
// instead of fetching again; forced stable refreshes are counted locally before WeChat counts them.
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { WeChatApiError, WeChatTransportError } from "@/lib/wechat/errors";
import {
  DAILY_LIMITS,
  STABLE_FORCE_MAX_PER_HOUR,
  STABLE_FORCE_MIN_INTERVAL_MS,
  beijingDayStart,
  fatalBackoffMs,
  isNoRetryError,
  quotaThresholdCrossed,
  type CredentialKind,
  type FetchApi,
  type FetchedCredential,
} from "@/lib/wechat/token";
import { hostOf, type TokenState } from "./state";
import { countFetches, lastFetch, lastForceRefresh, recordFetch } from "./store";

/** After a transient failure (busy, both hosts down) no instance fetches again for this long. */
const TRANSIENT_BACKOFF_MS = 5_000;

/** A recent configuration, quota or transient failure is thrown again instead of fetching again. */
export async function respectBackoff(s: TokenState, kind: CredentialKind): Promise<void> {
  const { db, appId, now } = s.deps;
  const last = await lastFetch(db, appId, kind);
  if (!last || last.ok) return;
  const age = now().getTime() - last.createdAt.getTime();
  if (last.errcode !== null && last.errcode !== -1) {
    const probe = new WeChatApiError({
      errcode: last.errcode,
      errmsg: last.errmsg ?? "",
      endpoint: endpointOf(last.api),
    });
    if (isNoRetryError(probe) && age < fatalBackoffMs(last.errcode)) throw probe;
    return;
  }
  if (age < TRANSIENT_BACKOFF_MS) {
    throw new AppError("wechat_busy", { detail: `the last ${kind} fetch failed ${age} ms ago: ${last.errmsg ?? ""}` });
  }
}

/** Refuses a forced stable refresh where WeChat would (20 a day, 30 s apart), and beyond a few an hour. */
export async function checkForceAllowed(s: TokenState): Promise<void> {
  const { db, appId } = s.deps;
  const now = s.deps.now();
  const [today, last] = await Promise.all([
    countFetches(db, appId, "stable_force", new Date(beijingDayStart(now.getTime()))),
    lastForceRefresh(db, appId),
  ]);
  const endpoint = "/cgi-bin/stable_token";
  if (today >= DAILY_LIMITS.stable_force) {
    throw new WeChatApiError({ errcode: 45009, errmsg: "force_refresh: 20 a day used (counted locally)", endpoint });
  }
  if (last && now.getTime() - last.createdAt.getTime() < STABLE_FORCE_MIN_INTERVAL_MS) {
    throw new WeChatApiError({ errcode: 45011, errmsg: "force_refresh: 30 s apart (counted locally)", endpoint });
  }
  const lastHour = await countFetches(db, appId, "stable_force", new Date(now.getTime() - 3_600_000));
  if (lastHour >= STABLE_FORCE_MAX_PER_HOUR) {
    throw new WeChatApiError({
      errcode: 45011,
      errmsg: `force_refresh: ${STABLE_FORCE_MAX_PER_HOUR} an hour (counted locally)`,
      endpoint,
    });
  }
}

/** Runs one upstream fetch and records it (ok or not) in CredentialFetch. */
export async function recorded(
  s: TokenState,
  kind: CredentialKind,
  api: FetchApi,
  fetch: () => Promise<FetchedCredential>,
): Promise<FetchedCredential> {
  const { db, now, instance, appId } = s.deps;
  const started = now().getTime();
  const base = { appid: appId, kind, api, instance };
  try {
    const fetched = await fetch();
    const at = now();
    await recordFetch(db, {
      ...base,
      ok: true,
      host: hostOf(fetched.host),
      durationMs: at.getTime() - started,
      createdAt: at,
    });
    await warnOnQuota(s, api, at);
    return fetched;
  } catch (error) {
    const at = now();
    await recordFetch(db, {
      ...base,
      ok: false,
      errcode: error instanceof WeChatApiError ? error.errcode : null,
      errmsg: error instanceof Error ? error.message : String(error),
      host: null,
      durationMs: at.getTime() - started,
      createdAt: at,
    }).catch(() => {});
    log.error("credential_fetch_failed", {
      kind,
      api,
      errcode: error instanceof WeChatApiError ? error.errcode : undefined,
      transport: error instanceof WeChatTransportError ? error.kind : undefined,
      message: error instanceof Error ? error.message : String(error),
      instance,
    });
    throw error;
  }
}

async function warnOnQuota(s: TokenState, api: FetchApi, at: Date): Promise<void> {
  const limit = DAILY_LIMITS[api];
  const count = await countFetches(s.deps.db, s.deps.appId, api, new Date(beijingDayStart(at.getTime())));
  const crossed = quotaThresholdCrossed(count, limit);
  if (crossed) log.warn("credential_quota_warning", { api, percent: crossed, count, limit });
}

function endpointOf(api: string): string {
  return api === "classic"
    ? "/cgi-bin/token"
    : api === "ticket" || api === "card_ticket"
      ? "/cgi-bin/ticket/getticket"
      : "/cgi-bin/stable_token";
}
