// What the admin dashboard shows about the central token service: each credential's age and time
// to expiry, the leader, fetches today against WeChat's limits, and the last errors. Never the values.
import { readRows, type Db } from "@/lib/db";
import { Prisma } from "@/lib/generated/sqlite/client";
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
  // On the driver (lib/db/reader.ts), as every dashboard view runs these four: Prisma cost more CPU than
  // the statements. On SQLite times come back as ISO text and booleans as 0/1; on PostgreSQL counts as text.
  type Time = Date | string;
  const [rows, [leader], groups, errors] = await Promise.all([
    readRows<{
      kind: string;
      source: string;
      version: number;
      fetchedAt: Time;
      expiresAt: Time;
      invalidatedAt: Time | null;
      valueHash: string;
    }>(
      db,
      Prisma.sql`SELECT "kind", "source", "version", "fetchedAt", "expiresAt", "invalidatedAt", "valueHash"
        FROM "WeChatCredential" WHERE "appid" = ${appid} ORDER BY "kind"`,
    ),
    readRows<{ holder: string; leaseUntil: Time; acquiredAt: Time }>(
      db,
      Prisma.sql`SELECT "holder", "leaseUntil", "acquiredAt" FROM "Lease" WHERE "name" = ${leaderLeaseName(appid)}`,
    ),
    readRows<{ api: string; ok: boolean | number; n: number | string }>(
      db,
      Prisma.sql`SELECT "api", "ok", count(*) AS "n" FROM "CredentialFetch"
        WHERE "appid" = ${appid} AND "createdAt" >= ${since} GROUP BY "api", "ok"`,
    ),
    readRows<{
      createdAt: Time;
      kind: string;
      api: string;
      errcode: number | null;
      errmsg: string | null;
      instance: string;
    }>(
      db,
      Prisma.sql`SELECT "createdAt", "kind", "api", "errcode", "errmsg", "instance" FROM "CredentialFetch"
        WHERE "appid" = ${appid} AND "ok" = ${false} ORDER BY "createdAt" DESC LIMIT 5`,
    ),
  ]);
  const seconds = (ms: number) => Math.floor(ms / 1000);
  const date = (t: Time) => (t instanceof Date ? t : new Date(t));
  const count = (api: FetchApi, ok: boolean) =>
    Number(groups.find((g) => g.api === api && Boolean(g.ok) === ok)?.n ?? 0);
  return {
    now,
    credentials: rows.map((r) => ({
      kind: r.kind,
      source: r.source,
      version: Number(r.version),
      fetchedAt: date(r.fetchedAt),
      expiresAt: date(r.expiresAt),
      ageSeconds: seconds(now.getTime() - date(r.fetchedAt).getTime()),
      expiresInSeconds: seconds(date(r.expiresAt).getTime() - now.getTime()),
      invalidatedAt: r.invalidatedAt === null ? null : date(r.invalidatedAt),
      fingerprint: r.valueHash.slice(0, 8),
    })),
    leader: leader
      ? {
          holder: leader.holder,
          leaseUntil: date(leader.leaseUntil),
          since: date(leader.acquiredAt),
          active: date(leader.leaseUntil).getTime() > now.getTime(),
        }
      : null,
    fetchesToday: APIS.map((api) => ({
      api,
      ok: count(api, true),
      failed: count(api, false),
      limit: DAILY_LIMITS[api],
    })).filter((f) => f.ok + f.failed > 0 || f.api === "stable" || f.api === "classic"),
    lastErrors: errors.map((e) => ({
      at: date(e.createdAt),
      kind: e.kind,
      api: e.api,
      errcode: e.errcode === null ? null : Number(e.errcode),
      errmsg: e.errmsg,
      instance: e.instance,
    })),
  };
}
