// Step "fetch under the lease": every replacement of a stored value, whatever asked for it (a reader
// finding none, the leader ahead of expiry, a caller's report), goes through refresh(). One process
// at a time fetches, under the lease "token:<appid>:<kind>", and writes with compare-and-set on the
// version; the others wait for its write.
import { seal } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { acquireLease, releaseLease } from "@/lib/lease";
import { log } from "@/lib/log";
import {
  isTicketKind,
  ticketFetch,
  type CredentialKind,
  type FetchApi,
  type FetchedCredential,
} from "@/lib/wechat/token";
import { checkForceAllowed, recorded, respectBackoff } from "./quota";
import {
  hostOf,
  leaseName,
  remember,
  usable,
  usableAt,
  type Credential,
  type RefreshMode,
  type TokenState,
} from "./state";
import { credentialHash, readCredential, restoreIfInvalidated, writeCredential, type CredentialRow } from "./store";

/**
 * Makes sure the stored value no longer `needs` replacing, fetching it under the lease if this
 * process gets it, else waiting for the holder's write. A proactive refresh that finds the lease
 * taken returns the current value at once: someone else is on it.
 */
export async function refresh(
  s: TokenState,
  kind: CredentialKind,
  needs: (row: CredentialRow) => boolean,
  mode: RefreshMode,
): Promise<Credential> {
  const { db, appId } = s.deps;
  const waitUntil = s.deps.now().getTime() + s.leaseMs + 5000;
  for (;;) {
    let row = await readCredential(db, appId, kind);
    if (row && !needs(row) && usable(s, row)) return remember(s, row);
    const lease = await acquireLease(db, {
      name: leaseName(appId, kind),
      holder: s.deps.instance,
      ttlMs: s.leaseMs,
      now: s.deps.now(),
    });
    if (lease) {
      try {
        // Whoever held the lease before may have just written: look again before spending quota.
        row = await readCredential(db, appId, kind);
        if (row && !needs(row) && usable(s, row)) return remember(s, row);
        try {
          await respectBackoff(s, kind);
          return await fetchAndStore(s, kind, row, mode);
        } catch (error) {
          if (row && row.invalidatedAt !== null && usableAt(row.expiresAt, s.deps.now().getTime())) {
            await restoreIfInvalidated(db, appId, kind, row.version).catch(() => {});
          }
          throw error;
        }
      } finally {
        await releaseLease(db, lease, s.deps.now()).catch(() => {});
      }
    }
    if (mode.reason === "proactive" && row && usable(s, row)) return remember(s, row);
    if (s.deps.now().getTime() > waitUntil) {
      throw new AppError("wechat_busy", { detail: `waited too long for the ${kind} refresh of another instance` });
    }
    await s.deps.sleep(s.pollMs);
  }
}

async function fetchAndStore(
  s: TokenState,
  kind: CredentialKind,
  row: CredentialRow | null,
  mode: RefreshMode,
): Promise<Credential> {
  const fetchedAt = s.deps.now();
  if (isTicketKind(kind)) {
    const { call, api } = ticketFetch(kind);
    const fetched = await recorded(s, kind, api, async () => {
      const { value, host } = await s.cgi.callWithHost(call);
      return { ...value, host };
    });
    return store(s, kind, row, fetched, api, fetchedAt, mode);
  }
  if (s.deps.api === "classic") {
    const fetched = await recorded(s, kind, "classic", () => s.deps.client.fetchClassicToken());
    return store(s, kind, row, fetched, "classic", fetchedAt, mode);
  }
  const fetched = await recorded(s, kind, "stable", () => s.deps.client.fetchStableToken(false));
  if (mode.reason === "passive" && credentialHash(fetched.value) === mode.reportedHash) {
    return replaceReported(s, kind, row, fetched, fetchedAt, mode);
  }
  return store(s, kind, row, fetched, "stable", fetchedAt, mode);
}

/**
 * WeChat's stable_token still hands out the reported token. Only if WeChat itself refuses it (asked
 * with the token, at no quota) does a forced refresh replace it: a caller reporting a token that works
 * (a bug, or malice) must not burn the day's 20 force refreshes.
 */
async function replaceReported(
  s: TokenState,
  kind: CredentialKind,
  row: CredentialRow | null,
  current: FetchedCredential,
  fetchedAt: Date,
  mode: RefreshMode & { reason: "passive" },
): Promise<Credential> {
  if (await s.deps.client.probeToken(current.value)) {
    log.warn("credential_report_refused", { kind, fingerprint: mode.reportedHash.slice(0, 8) });
    return store(s, kind, row, current, "stable", fetchedAt, mode);
  }
  let forced: FetchedCredential;
  try {
    forced = await recorded(s, kind, "stable_force", async () => {
      // Refused here when WeChat would refuse it: recorded like WeChat's own answer, so the backoff holds.
      await checkForceAllowed(s);
      return s.deps.client.fetchStableToken(true);
    });
  } catch (error) {
    // No forced refresh now: keep serving what WeChat calls current (readers must not stall on
    // one reporter's 40001); the reporter gets the error, and the backoff stops further tries.
    await store(s, kind, row, current, "stable", fetchedAt, mode);
    throw error;
  }
  return store(s, kind, row, forced, "stable_force", fetchedAt, mode);
}

async function store(
  s: TokenState,
  kind: CredentialKind,
  row: CredentialRow | null,
  fetched: FetchedCredential,
  api: FetchApi,
  fetchedAt: Date,
  mode: RefreshMode,
): Promise<Credential> {
  const { db, appId } = s.deps;
  const valueHash = credentialHash(fetched.value);
  const expiresAt = new Date(fetchedAt.getTime() + fetched.expiresIn * 1000);
  const source = isTicketKind(kind) ? "ticket" : api === "classic" ? "classic" : "stable";
  const written = await writeCredential(db, appId, kind, row?.version ?? 0, {
    valueEnc: seal(fetched.value, s.deps.key),
    valueHash,
    source,
    fetchedAt,
    expiresAt,
  });
  const stored = await readCredential(db, appId, kind);
  if (!stored) throw new AppError("internal", { detail: `${kind} vanished after it was written` });
  log.info(written ? "credential_refreshed" : "credential_refresh_lost", {
    kind,
    reason: mode.reason,
    api,
    fingerprint: valueHash.slice(0, 8),
    version: stored.version,
    expiresInSeconds: fetched.expiresIn,
    host: hostOf(fetched.host),
    instance: s.deps.instance,
  });
  return remember(s, stored);
}
