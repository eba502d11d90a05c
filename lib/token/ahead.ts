// Step "refresh ahead": the process holding the lease "token:<appid>:leader" (renewed by every tick)
// refreshes each stored credential ahead of its expiry, with the policy's lead and a jitter per
// version (lib/wechat/token.ts REFRESH_POLICIES). Credentials nobody asked for yet are not fetched.
import { acquireLease } from "@/lib/lease";
import { REFRESH_POLICIES, isTicketKind, refreshDueAt, type CredentialKind, type TokenApi } from "@/lib/wechat/token";
import { refresh } from "./fetch";
import { leaderLeaseName, single, usable, type TokenState } from "./state";
import { readCredential, type CredentialRow } from "./store";

export interface TickResult {
  readonly leader: boolean;
  readonly refreshed: CredentialKind[];
  readonly errors: { kind: CredentialKind; error: string }[];
}

/** The refresher's heartbeat: take or renew the leader lease; the leader refreshes what is due. */
export async function tick(s: TokenState): Promise<TickResult> {
  const { db, appId } = s.deps;
  const lease = await acquireLease(db, {
    name: leaderLeaseName(appId),
    holder: s.deps.instance,
    ttlMs: s.leaderLeaseMs,
    now: s.deps.now(),
    renew: true,
  });
  if (!lease) return { leader: false, refreshed: [], errors: [] };
  const refreshed: CredentialKind[] = [];
  const errors: { kind: CredentialKind; error: string }[] = [];
  for (const kind of ["access_token", "jsapi_ticket", "card_ticket"] as const) {
    const row = await readCredential(db, appId, kind);
    if (!row || !due(s, row)) continue;
    try {
      const version = row.version;
      const credential = await single(s, `proactive:${kind}`, () =>
        refresh(s, kind, (r) => r.version === version && due(s, r), { reason: "proactive" }),
      );
      if (credential.version !== version) refreshed.push(kind);
    } catch (error) {
      errors.push({ kind, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { leader: true, refreshed, errors };
}

/** When the leader refreshes this row (ms epoch): the policy's lead plus this version's jitter. */
export function dueAt(s: TokenState, row: Pick<CredentialRow, "kind" | "version" | "source" | "expiresAt">): number {
  const key = `${row.kind}:${row.version}`;
  let r = s.jitter.get(key);
  if (r === undefined) {
    if (s.jitter.size > 16) s.jitter.clear();
    r = s.deps.random();
    s.jitter.set(key, r);
  }
  const policy = isTicketKind(row.kind as CredentialKind)
    ? REFRESH_POLICIES.ticket
    : REFRESH_POLICIES[row.source as TokenApi];
  return refreshDueAt(row.expiresAt.getTime(), policy ?? REFRESH_POLICIES.classic, r);
}

function due(s: TokenState, row: CredentialRow): boolean {
  // A stored value from the other API (WECHAT_TOKEN_API changed) is replaced at once.
  const wrongApi = row.kind === "access_token" && row.source !== s.deps.api;
  return wrongApi || s.deps.now().getTime() >= dueAt(s, row) || !usable(s, row);
}
