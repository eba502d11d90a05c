// The follower sync: pages through cgi-bin/user/get (10,000 openids a page), fetches details with
// batchget in groups of 100 with a bounded number in flight, upserts them into the login's people,
// and at the end marks as unsubscribed everyone subscribed whom this run did not list.
//
// Streaming: one page is in memory at a time (plus the next one, fetched while this one is stored),
// whatever the number of followers. Checkpoint: after each page its next_openid is the run's cursor
// (SyncRun); a killed run is resumed from there by the next sync, keeping its startedAt so the final
// "not listed since the start" rule still holds. One sync at a time across instances: the Lease
// "sync:followers", renewed as the run makes progress; a crashed holder's lease runs out.
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { WeChatApiError, WeChatTransportError } from "@/lib/wechat/errors";
import { BATCHGET_MAX, type FollowerInfo, type OpenidPage, type WeChatFollowers } from "@/lib/wechat/followers";
import { acquireLease, readLease, releaseLease, renewLease, type HeldLease } from "@/lib/lease";
import { dialectOf, upsertFollowers } from "./people";
import { chunk, forEachLimit } from "./pool";
import { mirrorTags } from "./tags";

export const FOLLOWER_SYNC_LEASE = "sync:followers";
export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_LEASE_TTL_MS = 60_000;
/** Followers written per transaction. */
export const DEFAULT_WRITE_BATCH = 1000;
/** An unfinished run older than this is abandoned, not resumed. */
export const RESUME_WITHIN_MS = 24 * 3600_000;
/** Live progress (upserted so far) is written at most this often between checkpoints. */
const PROGRESS_EVERY_MS = 1000;

export interface FollowerSyncDeps {
  readonly db: Db;
  readonly wechat: WeChatFollowers;
  readonly appId: string;
  readonly now: () => Date;
  /** Who runs it (host, pid): the lease's holder. */
  readonly holder: string;
  /** batchget calls in flight (default 4). */
  readonly concurrency?: number;
  readonly leaseTtlMs?: number;
  /** Followers per write transaction (default 1000). */
  readonly writeBatch?: number;
  /** Write transactions in flight (default 1 on SQLite, 2 on PostgreSQL). */
  readonly writers?: number;
}

export interface SyncProgress {
  readonly runId: string;
  readonly status: "running" | "done" | "failed";
  readonly resumed: boolean;
  readonly total: number | null;
  readonly listed: number;
  readonly upserted: number;
  readonly unsubscribed: number;
  readonly cursor: string;
  readonly startedAt: Date;
  readonly error: string | null;
}

export interface SyncOptions {
  /** Stops between batches, leaving the run and the lease as a killed process would. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: SyncProgress) => void;
}

/** The sync could not start: another one holds the lease. */
export class SyncBusyError extends AppError {
  constructor(
    readonly holder: string,
    readonly leaseUntil: Date,
  ) {
    super("sync_running", { detail: `follower sync held by ${holder} until ${leaseUntil.toISOString()}` });
  }
}

/** The named lease, or SyncBusyError saying who holds it and until when. */
export async function takeSyncLease(
  db: Db,
  name: string,
  holder: string,
  now: Date,
  ttlMs: number,
): Promise<HeldLease> {
  const lease = await acquireLease(db, { name, holder, now, ttlMs });
  if (lease) return lease;
  const busy = await readLease(db, name);
  throw new SyncBusyError(busy?.holder ?? "?", busy?.leaseUntil ?? now);
}

/** What an operator reads in SyncRun.error: the errcode first when WeChat refused. */
export function describeFailure(error: unknown): string {
  if (error instanceof WeChatApiError) return `errcode ${error.errcode}: ${error.info.userMessage} (${error.message})`;
  if (error instanceof WeChatTransportError) return `微信接口无响应或返回异常：${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Takes the lease and the run to continue (or a new one). Throws SyncBusyError. */
export async function startFollowerSync(
  deps: FollowerSyncDeps,
): Promise<{ lease: HeldLease; run: { id: string; resumed: boolean } }> {
  const { db } = deps;
  const now = deps.now();
  const lease = await takeSyncLease(db, FOLLOWER_SYNC_LEASE, deps.holder, now, deps.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS);
  const unfinished = await db.syncRun.findFirst({
    where: { kind: "followers", status: { in: ["running", "failed"] } },
    orderBy: { startedAt: "desc" },
  });
  const latest = await db.syncRun.findFirst({ where: { kind: "followers" }, orderBy: { startedAt: "desc" } });
  // Resume only the latest run, and only if it is recent: its cursor and its startedAt still describe now.
  if (unfinished && latest?.id === unfinished.id && now.getTime() - unfinished.startedAt.getTime() < RESUME_WITHIN_MS) {
    await db.syncRun.update({
      where: { id: unfinished.id },
      // Completed pages are all stored: upserted counts from the checkpoint again.
      data: { status: "running", error: null, heartbeatAt: now, upserted: unfinished.listed },
    });
    return { lease, run: { id: unfinished.id, resumed: true } };
  }
  if (unfinished) {
    await db.syncRun.updateMany({
      where: { kind: "followers", status: { in: ["running", "failed"] } },
      data: { status: "failed", error: "abandoned: a newer sync started from the beginning", finishedAt: now },
    });
  }
  const run = await db.syncRun.create({ data: { kind: "followers", startedAt: now, heartbeatAt: now } });
  return { lease, run: { id: run.id, resumed: false } };
}

/** Runs (or resumes) the follower sync to the end. */
export async function syncFollowers(deps: FollowerSyncDeps, options: SyncOptions = {}): Promise<SyncProgress> {
  const { lease, run } = await startFollowerSync(deps);
  return runFollowerSync(deps, lease, run, options);
}

/** The sync after startFollowerSync (the admin console starts it, answers, and lets this run on). */
export async function runFollowerSync(
  deps: FollowerSyncDeps,
  lease: HeldLease,
  run: { id: string; resumed: boolean },
  options: SyncOptions = {},
): Promise<SyncProgress> {
  const { db, wechat } = deps;
  const ttl = deps.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  const concurrency = Math.max(1, deps.concurrency ?? DEFAULT_CONCURRENCY);
  const writeBatch = Math.max(1, deps.writeBatch ?? DEFAULT_WRITE_BATCH);
  const writers = Math.max(1, deps.writers ?? ((await dialectOf(db)) === "sqlite" ? 1 : 2));
  const row = await db.syncRun.findUniqueOrThrow({ where: { id: run.id } });
  let state: SyncProgress = {
    runId: row.id,
    status: "running",
    resumed: run.resumed,
    total: row.total,
    listed: row.listed,
    upserted: row.upserted,
    unsubscribed: 0,
    cursor: row.cursor,
    startedAt: row.startedAt,
    error: null,
  };
  const report = () => options.onProgress?.(state);
  let lastWrite = deps.now().getTime();
  let lastRenew = lastWrite;

  const keepLease = async () => {
    const now = deps.now();
    if (!(await renewLease(db, lease, now, ttl))) {
      throw new AppError("sync_running", { detail: "the follower sync lease was lost to another instance" });
    }
    lastRenew = now.getTime();
  };

  try {
    const tags = await wechat.listTags();
    const knownTags = await mirrorTags(db, tags, deps.now());
    report();

    let pending: Promise<OpenidPage> | null = wechat.listFollowers(state.cursor);
    while (pending) {
      const page = await pending;
      pending = null;
      if (page.total !== null) state = { ...state, total: page.total };
      if (page.done) break;
      // The next page is fetched while this one is stored.
      const following = wechat.listFollowers(page.nextOpenid);
      following.catch(() => {});
      state = { ...state, listed: state.listed + page.openids.length };
      report();

      // Details arrive 100 at a time from `concurrency` calls in flight; they are written in transactions
      // of up to `writeBatch` (fewer, larger statements are what make a million affordable) by `writers`
      // writers: one on SQLite, which has one writer anyway; two on PostgreSQL, so that the server's work
      // overlaps ours. A worker waits for its write: memory stays bounded.
      let buffer: FollowerInfo[] = [];
      const inflight = new Set<Promise<void>>();
      const flush = async () => {
        const infos = buffer;
        buffer = [];
        while (inflight.size >= writers) await Promise.race(inflight);
        const write = (async () => {
          await upsertFollowers(db, deps.appId, infos, state.startedAt, knownTags);
          state = { ...state, upserted: state.upserted + infos.length };
          report();
          const now = deps.now().getTime();
          if (now - lastRenew >= ttl / 3) await keepLease();
          if (now - lastWrite >= PROGRESS_EVERY_MS) {
            lastWrite = now;
            await db.syncRun.update({
              where: { id: state.runId },
              data: { upserted: state.upserted, total: state.total, heartbeatAt: new Date(now) },
            });
          }
        })();
        inflight.add(write);
        write.then(
          () => inflight.delete(write),
          () => inflight.delete(write),
        );
        await write;
      };
      await forEachLimit(chunk(page.openids, BATCHGET_MAX), concurrency, async (openids) => {
        if (options.signal?.aborted) throw options.signal.reason ?? new Error("aborted");
        const infos = await wechat.getFollowers(openids);
        if (options.signal?.aborted) throw options.signal.reason ?? new Error("aborted");
        buffer.push(...infos);
        if (buffer.length >= writeBatch) await flush();
      });
      if (buffer.length > 0) await flush();
      await Promise.all(inflight);

      // Checkpoint: every follower of this page is stored; a resumed run starts after it.
      await keepLease();
      state = { ...state, cursor: page.nextOpenid };
      await db.syncRun.update({
        where: { id: state.runId },
        data: {
          cursor: state.cursor,
          listed: state.listed,
          upserted: state.upserted,
          total: state.total,
          heartbeatAt: deps.now(),
        },
      });
      lastWrite = deps.now().getTime();
      report();
      pending = following;
    }

    if (options.signal?.aborted) throw options.signal.reason ?? new Error("aborted");
    await keepLease();
    const finishedAt = deps.now();
    const gone = await db.user.updateMany({
      where: {
        subscribed: true,
        OR: [
          { followerSeenAt: { lt: state.startedAt } },
          // Known as a follower only from elsewhere (a subscribe event before this run): not listed now.
          { followerSeenAt: null, OR: [{ subscribedAt: null }, { subscribedAt: { lt: state.startedAt } }] },
        ],
      },
      data: { subscribed: false, unsubscribedAt: finishedAt },
    });
    state = { ...state, status: "done", unsubscribed: gone.count };
    await db.syncRun.update({
      where: { id: state.runId },
      data: {
        status: "done",
        unsubscribed: gone.count,
        listed: state.listed,
        upserted: state.upserted,
        total: state.total,
        heartbeatAt: finishedAt,
        finishedAt,
      },
    });
    await releaseLease(db, lease, deps.now());
    report();
    return state;
  } catch (error) {
    // Aborted: leave everything as a killed process would (the run resumes, the lease runs out).
    if (options.signal?.aborted) throw error;
    const message = describeFailure(error).slice(0, 1000);
    state = { ...state, status: "failed", error: message };
    await db.syncRun
      .update({ where: { id: state.runId }, data: { status: "failed", error: message, heartbeatAt: deps.now() } })
      .catch(() => {});
    await releaseLease(db, lease, deps.now()).catch(() => {});
    report();
    throw error;
  }
}

/** The latest run of a kind, for the console's progress bar. */
export async function latestSyncRun(db: Db, kind: "followers" | "blacklist") {
  return db.syncRun.findFirst({ where: { kind }, orderBy: { startedAt: "desc" } });
}
