// What the admin dashboard shows about the central token service: each credential's age and time
// to expiry, the leader, fetches today against WeChat's limits, and the last errors. Never the values.
import type { Db } from "@/lib/db";
import { DAILY_LIMITS, beijingDayStart, type FetchApi } from "@/lib/wechat/token";
import { leaderLeaseName } from "./state";

export interface CredentialStatus {
  readonly kind: string;
  readonly source: string;
  readonly version: number;
  readonly fetchedAt: Date;
  readonly expiresAt: Date;
  readonly ageSeconds: number;
  /** negative once expired */
  readonly expiresInSeconds: number;
  readonly invalidatedAt: Date | null;
  /** first 8 hex of the value's sha256 */
  readonly fingerprint: string;
}

export interface TokenStatus {
  readonly now: Date;
  readonly credentials: readonly CredentialStatus[];
  readonly leader: {
    readonly holder: string;
    readonly leaseUntil: Date;
    readonly since: Date;
    readonly active: boolean;
  } | null;
  readonly fetchesToday: readonly {
    readonly api: FetchApi;
    readonly ok: number;
    readonly failed: number;
    readonly limit: number;
  }[];
  readonly lastErrors: readonly {
    readonly at: Date;
    readonly kind: string;
    readonly api: string;
    readonly errcode: number | null;
    readonly errmsg: string | null;
    readonly instance: string;
  }[];
}

const APIS: readonly FetchApi[] = ["stable", "stable_force", "classic", "ticket", "card_ticket"];

export async function tokenStatus(db: Db, appid: string, now: Date): Promise<TokenStatus> {
  const since = new Date(beijingDayStart(now.getTime()));
  const [rows, leader, groups, errors] = await Promise.all([
    db.weChatCredential.findMany({
      where: { appid },
      orderBy: { kind: "asc" },
      select: {
        kind: true,
        source: true,
        version: true,
        fetchedAt: true,
        expiresAt: true,
        invalidatedAt: true,
        valueHash: true,
      },
    }),
    db.lease.findUnique({ where: { name: leaderLeaseName(appid) } }),
    db.credentialFetch.groupBy({
      by: ["api", "ok"],
      where: { appid, createdAt: { gte: since } },
      _count: { _all: true },
    }),
    db.credentialFetch.findMany({
      where: { appid, ok: false },
      orderBy: { createdAt: "desc" },
      take: 5,
      select: { createdAt: true, kind: true, api: true, errcode: true, errmsg: true, instance: true },
    }),
  ]);
  const seconds = (ms: number) => Math.floor(ms / 1000);
  const count = (api: FetchApi, ok: boolean) => groups.find((g) => g.api === api && g.ok === ok)?._count._all ?? 0;
  return {
    now,
    credentials: rows.map((r) => ({
      kind: r.kind,
      source: r.source,
      version: r.version,
      fetchedAt: r.fetchedAt,
      expiresAt: r.expiresAt,
      ageSeconds: seconds(now.getTime() - r.fetchedAt.getTime()),
      expiresInSeconds: seconds(r.expiresAt.getTime() - now.getTime()),
      invalidatedAt: r.invalidatedAt,
      fingerprint: r.valueHash.slice(0, 8),
    })),
    leader: leader
      ? {
          holder: leader.holder,
          leaseUntil: leader.leaseUntil,
          since: leader.acquiredAt,
          active: leader.leaseUntil.getTime() > now.getTime(),
        }
      : null,
    fetchesToday: APIS.map((api) => ({
      api,
      ok: count(api, true),
      failed: count(api, false),
      limit: DAILY_LIMITS[api],
    })).filter((f) => f.ok + f.failed > 0 || f.api === "stable" || f.api === "classic"),
    lastErrors: errors.map((e) => ({
      at: e.createdAt,
      kind: e.kind,
      api: e.api,
      errcode: e.errcode,
      errmsg: e.errmsg,
      instance: e.instance,
    })),
  };
}
