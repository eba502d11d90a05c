// The follower sync, as a job of the one job mechanism (lib/jobs): pages through cgi-bin/user/get
// (10,000 openids a page), fetches details with batchget in groups of 100 with a bounded number in
// flight, upserts them into the login's people, and at the end marks as unsubscribed everyone subscribed
// whom this run did not list.
//
// Named steps over one state object: open the run (resume or new) → mirror tags → per page: list page →
// fetch details → write batch → checkpoint → finish. Streaming: one page is in memory at a time (plus
// the next one, fetched while this one is stored). Checkpoint: after each page its next_openid is the
// run's cursor (SyncRun); a killed run is resumed from there by the next attempt, keeping its startedAt
// so the final "not listed since the start" rule still holds. One sync at a time across instances: the
// job's lock (the lease "sync:followers"), renewed by the job's progress heartbeat; a dead holder's runs out.
import { z } from "zod";
import { dialectOf, type Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { WeChatApiError, WeChatTransportError } from "@/lib/wechat/errors";
import { BATCHGET_MAX, type FollowerInfo, type OpenidPage, type WeChatFollowers } from "@/lib/wechat/followers";
import { acquireLease, readLease, type HeldLease } from "@/lib/lease";
import { runJobInline } from "@/lib/jobs/runner";
import { defineJob, type JobContext, type JobDefinition, type Json } from "@/lib/jobs/types";
import { upsertFollowers } from "./people";
import { chunk, forEachLimit } from "./pool";
import { mirrorTags } from "./tags";

export const FOLLOWER_SYNC_JOB = "followers.sync";
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
  /** Who runs it (host, pid): the lock's holder. */
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
  /** Stops between batches, leaving the run and the lock as a killed process would. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: SyncProgress) => void;
}

/** The sync could not start: another one holds the lock. */
export class SyncBusyError extends AppError {
  constructor(
    readonly holder: string,
    readonly leaseUntil: Date,
  ) {
    super("sync_running", { detail: `follower sync held by ${holder} until ${leaseUntil.toISOString()}` });
  }
}

/** The named lease, or SyncBusyError saying who holds it and until when (the blacklist sync's guard). */
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

/** The follower sync as a job: one at a time (its lock), retried twice a minute or more apart. */
export function followerSyncJob(
  deps: FollowerSyncDeps,
  onProgress?: (progress: SyncProgress) => void,
): JobDefinition<Record<string, never>> {
  return defineJob({
    name: FOLLOWER_SYNC_JOB,
    payload: z.object({}).strict() as z.ZodType<Record<string, never>>,
    attempts: 3,
    retryDelayMs: 60_000,
    lock: {
      name: FOLLOWER_SYNC_LEASE,
      ttlMs: deps.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
      busy: (holder, until) => new SyncBusyError(holder, until),
    },
    run: async (_payload, ctx) => toJson(await runFollowerSync(deps, ctx, onProgress)),
  });
}

/** Runs (or resumes) the follower sync to the end in this process, under its lock. Throws SyncBusyError. */
export async function syncFollowers(deps: FollowerSyncDeps, options: SyncOptions = {}): Promise<SyncProgress> {
  let last: SyncProgress | undefined;
  const job = followerSyncJob(deps, (progress) => {
    last = progress;
    options.onProgress?.(progress);
  });
  await runJobInline(job, {}, deps, { signal: options.signal });
  if (!last) throw new Error("the follower sync reported nothing");
  return last;
}

/** One run's state, shared by the steps. */
interface SyncState {
  readonly deps: FollowerSyncDeps;
  readonly ctx: Pick<JobContext, "signal" | "progress">;
  readonly onProgress: ((progress: SyncProgress) => void) | undefined;
  readonly concurrency: number;
  readonly writeBatch: number;
  readonly writers: number;
  knownTags: Set<number>;
  progress: SyncProgress;
  lastWrite: number;
}

/** The steps in order; the state object carries the run from one to the next. */
async function runFollowerSync(
  deps: FollowerSyncDeps,
  ctx: Pick<JobContext, "signal" | "progress" | "enqueuedAt">,
  onProgress?: (progress: SyncProgress) => void,
): Promise<SyncProgress> {
  const run = await openRun(deps, ctx.enqueuedAt);
  if ("done" in run) return run.done;
  const state: SyncState = {
    deps,
    ctx,
    onProgress,
    concurrency: Math.max(1, deps.concurrency ?? DEFAULT_CONCURRENCY),
    writeBatch: Math.max(1, deps.writeBatch ?? DEFAULT_WRITE_BATCH),
    writers: Math.max(1, deps.writers ?? dialectOf(deps.db).parallelWriters),
    knownTags: new Set(),
    progress: await loadProgress(deps.db, run),
    lastWrite: deps.now().getTime(),
  };
  try {
    await mirrorTagsStep(state);
    let pending: Promise<OpenidPage> | null = listPage(state, state.progress.cursor);
    while (pending) {
      const page: OpenidPage = await pending;
      pending = null;
      if (page.total !== null) state.progress = { ...state.progress, total: page.total };
      if (page.done) break;
      // The next page is fetched while this one is stored.
      const following = listPage(state, page.nextOpenid);
      following.catch(() => {});
      state.progress = { ...state.progress, listed: state.progress.listed + page.openids.length };
      await report(state);
      await fetchDetails(state, page);
      await checkpoint(state, page);
      pending = following;
    }
    throwIfAborted(state);
    return await finish(state);
  } catch (error) {
    // Aborted: leave everything as a killed process would (the run resumes, the lock runs out).
    if (state.ctx.signal.aborted) throw error;
    await recordFailure(state, error);
    throw error;
  }
}

/** Step: the run to continue (the latest, if unfinished and recent), or a new one. */
async function openRun(
  deps: FollowerSyncDeps,
  enqueuedAt: Date,
): Promise<{ id: string; resumed: boolean } | { done: SyncProgress }> {
  const { db } = deps;
  const now = deps.now();
  const latest = await db.syncRun.findFirst({ where: { kind: "followers" }, orderBy: { startedAt: "desc" } });
  // A job retried after its runner died, while another attempt already finished the work: nothing to do.
  if (latest?.status === "done" && latest.finishedAt && latest.finishedAt > enqueuedAt) {
    return { done: { ...(await loadProgress(db, { id: latest.id, resumed: false })), status: "done" } };
  }
  const unfinished = latest && latest.status !== "done" ? latest : null;
  // Resume only the latest run, and only if it is recent: its cursor and its startedAt still describe now.
  if (unfinished && now.getTime() - unfinished.startedAt.getTime() < RESUME_WITHIN_MS) {
    await db.syncRun.update({
      where: { id: unfinished.id },
      // Completed pages are all stored: upserted counts from the checkpoint again.
      data: { status: "running", error: null, heartbeatAt: now, upserted: unfinished.listed },
    });
    return { id: unfinished.id, resumed: true };
  }
  await db.syncRun.updateMany({
    where: { kind: "followers", status: { in: ["running", "failed"] } },
    data: { status: "failed", error: "abandoned: a newer sync started from the beginning", finishedAt: now },
  });
  const run = await db.syncRun.create({ data: { kind: "followers", startedAt: now, heartbeatAt: now } });
  return { id: run.id, resumed: false };
}

async function loadProgress(db: Db, run: { id: string; resumed: boolean }): Promise<SyncProgress> {
  const row = await db.syncRun.findUniqueOrThrow({ where: { id: run.id } });
  return {
    runId: row.id,
    status: "running",
    resumed: run.resumed,
    total: row.total,
    listed: row.listed,
    upserted: row.upserted,
    unsubscribed: row.unsubscribed,
    cursor: row.cursor,
    startedAt: row.startedAt,
    error: null,
  };
}

/** Step: WeChat's tags mirrored first, so that followers' tag ids find their tags. */
async function mirrorTagsStep(state: SyncState): Promise<void> {
  const tags = await state.deps.wechat.listTags();
  state.knownTags = await mirrorTags(state.deps.db, tags, state.deps.now());
  await report(state);
}

/** Step: one page of openids after `cursor`. */
function listPage(state: SyncState, cursor: string): Promise<OpenidPage> {
  return state.deps.wechat.listFollowers(cursor);
}

/**
 * Step: the page's details, 100 at a time from `concurrency` calls in flight, written in transactions of
 * up to `writeBatch` (fewer, larger statements are what make a million affordable) by `writers` writers:
 * one on SQLite, which has one writer anyway; two on PostgreSQL, so that the server's work overlaps
 * ours. A worker waits for its write: memory stays bounded.
 */
async function fetchDetails(state: SyncState, page: OpenidPage): Promise<void> {
  let buffer: FollowerInfo[] = [];
  const inflight = new Set<Promise<void>>();
  const flush = async () => {
    const infos = buffer;
    buffer = [];
    while (inflight.size >= state.writers) await Promise.race(inflight);
    const write = writeBatch(state, infos);
    inflight.add(write);
    write.then(
      () => inflight.delete(write),
      () => inflight.delete(write),
    );
    await write;
  };
  await forEachLimit(chunk(page.openids, BATCHGET_MAX), state.concurrency, async (openids) => {
    throwIfAborted(state);
    const infos = await state.deps.wechat.getFollowers(openids);
    throwIfAborted(state);
    buffer.push(...infos);
    if (buffer.length >= state.writeBatch) await flush();
  });
  if (buffer.length > 0) await flush();
  await Promise.all(inflight);
}

/** Step: one batch of followers upserted; live progress on the run at most once a second. */
async function writeBatch(state: SyncState, infos: readonly FollowerInfo[]): Promise<void> {
  const { deps } = state;
  await upsertFollowers(deps.db, deps.appId, infos, state.progress.startedAt, state.knownTags);
  state.progress = { ...state.progress, upserted: state.progress.upserted + infos.length };
  await report(state);
  const now = deps.now().getTime();
  if (now - state.lastWrite >= PROGRESS_EVERY_MS) {
    state.lastWrite = now;
    await deps.db.syncRun.update({
      where: { id: state.progress.runId },
      data: { upserted: state.progress.upserted, total: state.progress.total, heartbeatAt: new Date(now) },
    });
  }
}

/** Step: every follower of this page is stored; a resumed run starts after it. */
async function checkpoint(state: SyncState, page: OpenidPage): Promise<void> {
  const { deps } = state;
  await heartbeat(state);
  state.progress = { ...state.progress, cursor: page.nextOpenid };
  await deps.db.syncRun.update({
    where: { id: state.progress.runId },
    data: {
      cursor: state.progress.cursor,
      listed: state.progress.listed,
      upserted: state.progress.upserted,
      total: state.progress.total,
      heartbeatAt: deps.now(),
    },
  });
  state.lastWrite = deps.now().getTime();
  await report(state);
}

/** Step: everyone subscribed whom this run did not list is marked unsubscribed; the run is done. */
async function finish(state: SyncState): Promise<SyncProgress> {
  const { db } = state.deps;
  await heartbeat(state);
  const finishedAt = state.deps.now();
  const { startedAt } = state.progress;
  const gone = await db.user.updateMany({
    where: {
      subscribed: true,
      OR: [
        { followerSeenAt: { lt: startedAt } },
        // Known as a follower only from elsewhere (a subscribe event before this run): not listed now.
        { followerSeenAt: null, OR: [{ subscribedAt: null }, { subscribedAt: { lt: startedAt } }] },
      ],
    },
    data: { subscribed: false, unsubscribedAt: finishedAt },
  });
  state.progress = { ...state.progress, status: "done", unsubscribed: gone.count };
  await db.syncRun.update({
    where: { id: state.progress.runId },
    data: {
      status: "done",
      unsubscribed: gone.count,
      listed: state.progress.listed,
      upserted: state.progress.upserted,
      total: state.progress.total,
      heartbeatAt: finishedAt,
      finishedAt,
    },
  });
  state.onProgress?.(state.progress);
  return state.progress;
}

/** Step: the failure on the run, with WeChat's errcode first. */
async function recordFailure(state: SyncState, error: unknown): Promise<void> {
  const message = describeFailure(error).slice(0, 1000);
  state.progress = { ...state.progress, status: "failed", error: message };
  await state.deps.db.syncRun
    .update({
      where: { id: state.progress.runId },
      data: { status: "failed", error: message, heartbeatAt: state.deps.now() },
    })
    .catch(() => {});
  state.onProgress?.(state.progress);
}

/** Live progress to the listener, and to the job (stored at most once a second; it renews the lock). */
async function report(state: SyncState): Promise<void> {
  state.onProgress?.(state.progress);
  await state.ctx.progress(toJson(state.progress));
}

/** Progress stored at once, and the lock renewed: a checkpoint. */
async function heartbeat(state: SyncState): Promise<void> {
  await state.ctx.progress(toJson(state.progress), { checkpoint: true });
}

function throwIfAborted(state: SyncState): void {
  const { signal } = state.ctx;
  if (signal.aborted) throw signal.reason ?? new Error("aborted");
}

function toJson(progress: SyncProgress): Json {
  return { ...progress, startedAt: progress.startedAt.toISOString() };
}

/** The latest run of a kind, for the console's progress bar. */
export async function latestSyncRun(db: Db, kind: "followers" | "blacklist") {
  return db.syncRun.findFirst({ where: { kind }, orderBy: { startedAt: "desc" } });
}
