// The central credentials in the database: WeChatCredential (sealed value, hash, version, expiry)
// and CredentialFetch (every upstream fetch: quota counting and the dashboard's last errors).
import { createHash } from "node:crypto";
// Types only from lib/db (server-only): the workers and the bench run this outside Next.js.
import type { Db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/db/errors";
import type { CredentialKind, FetchApi } from "@/lib/wechat/token";

/** Empties the token service's tables (tests and the bench). */
export async function clearTokenTables(db: Db): Promise<void> {
  await db.weChatCredential.deleteMany();
  await db.lease.deleteMany();
  await db.credentialFetch.deleteMany();
}

export type CredentialRow = NonNullable<Awaited<ReturnType<Db["weChatCredential"]["findUnique"]>>>;

/** sha256 hex: compare-and-expire without unsealing, and the fingerprint logs show (first 8 hex). */
export function credentialHash(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

export function readCredential(db: Db, appid: string, kind: CredentialKind): Promise<CredentialRow | null> {
  return db.weChatCredential.findUnique({ where: { appid_kind: { appid, kind } } });
}

export interface CredentialWrite {
  valueEnc: string;
  valueHash: string;
  source: "stable" | "classic" | "ticket";
  fetchedAt: Date;
  expiresAt: Date;
}

/**
 * Stores a new value only if the row is still at `seenVersion` (0: no row yet). False when another
 * writer got there first: its value stands.
 */
export async function writeCredential(
  db: Db,
  appid: string,
  kind: CredentialKind,
  seenVersion: number,
  data: CredentialWrite,
): Promise<boolean> {
  if (seenVersion === 0) {
    try {
      await db.weChatCredential.create({ data: { appid, kind, version: 1, invalidatedAt: null, ...data } });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }
  const { count } = await db.weChatCredential.updateMany({
    where: { appid, kind, version: seenVersion },
    data: { ...data, invalidatedAt: null, version: seenVersion + 1 },
  });
  return count === 1;
}

/**
 * Compare-and-expire: marks the value invalid only if it is still the current one. True when this
 * call did it (false: already invalidated, or already replaced).
 */
export async function expireIfCurrent(
  db: Db,
  appid: string,
  kind: CredentialKind,
  valueHash: string,
  now: Date,
): Promise<boolean> {
  const { count } = await db.weChatCredential.updateMany({
    where: { appid, kind, valueHash, invalidatedAt: null },
    data: { invalidatedAt: now },
  });
  return count === 1;
}

/**
 * Undoes compare-and-expire when no replacement can be fetched (quota, configuration, WeChat down):
 * the reported value is still the best there is, and readers should not stall on it.
 */
export async function restoreIfInvalidated(
  db: Db,
  appid: string,
  kind: CredentialKind,
  version: number,
): Promise<void> {
  await db.weChatCredential.updateMany({
    where: { appid, kind, version, invalidatedAt: { not: null } },
    data: { invalidatedAt: null },
  });
}

export interface FetchRecord {
  appid: string;
  kind: CredentialKind;
  api: FetchApi;
  ok: boolean;
  errcode?: number | null;
  errmsg?: string | null;
  host?: string | null;
  durationMs: number;
  instance: string;
  createdAt: Date;
}

export async function recordFetch(db: Db, record: FetchRecord): Promise<void> {
  await db.credentialFetch.create({
    data: {
      ...record,
      errcode: record.errcode ?? null,
      errmsg: record.errmsg?.slice(0, 300) ?? null,
      host: record.host ?? null,
      durationMs: Math.max(0, Math.round(record.durationMs)),
    },
  });
}

/** Successful fetches of `api` since `since` (the start of the Beijing day). */
export function countFetches(db: Db, appid: string, api: FetchApi, since: Date): Promise<number> {
  return db.credentialFetch.count({ where: { appid, api, ok: true, createdAt: { gte: since } } });
}

export function lastFetch(db: Db, appid: string, kind: CredentialKind) {
  return db.credentialFetch.findFirst({ where: { appid, kind }, orderBy: { createdAt: "desc" } });
}

export function lastForceRefresh(db: Db, appid: string) {
  return db.credentialFetch.findFirst({
    where: { appid, api: "stable_force", ok: true },
    orderBy: { createdAt: "desc" },
  });
}
