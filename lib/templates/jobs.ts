// Mass sends of a template message (群发模板消息): the recipients are fixed when the send is made (a tag,
// or a saved filter of the user list), one OutboundMessage each, written by one INSERT … SELECT; people we
// know have unfollowed or are blacklisted are written as skipped, with why. The send itself is a job of the
// one job mechanism (lib/jobs), a batch at a time:
//   claim a batch (pending, or `sending` left by a killed run) → mark it `sending` → call WeChat with a
//   bounded number in flight, each with its client_msg_id (derived from the row's id, so a resumed run
//   sends the same one and WeChat delivers a repeated call once) → write every result in one statement →
//   apply delivery reports that came first → report progress.
// A killed process therefore resumes where it was and messages nobody twice. Between batches the job reads
// its state: paused or cancelled by staff, it stops. WeChat's answers decide the rest: 43004/43019 skip
// the person; 45009 (the day's limit) pauses until 00:00 Beijing time, when a minute job resumes it; 47003
// (the template or the data is wrong) fails the job at once naming the field; 40001/42001 go through the
// token service's refresh inside the client; -1 and transport errors are retried by the client with
// backoff, then by the job mechanism's attempts.
import { createHash } from "node:crypto";
import { z } from "zod";
import { userFilterConditions, type UserListDeps } from "@/lib/admin/users";
import { parseUserQuery } from "@/lib/admin/user-query";
import { executeSql, readRows, type Dialect } from "@/lib/db";
import { Prisma } from "@/lib/generated/sqlite/client";
import { AppError } from "@/lib/errors";
import type { JobRunner } from "@/lib/jobs/runner";
import { defineJob, type JobContext, type JobDefinition, type Json } from "@/lib/jobs/types";
import { acquireLease, releaseLease, renewLease } from "@/lib/lease";
import { log } from "@/lib/log";
import { WeChatApiError } from "@/lib/wechat/errors";
import { fieldOf47003, type TemplateData } from "@/lib/wechat/template";
import { applyDeliveries, sweepDeliveries } from "./delivery";
import {
  SKIP_BLACKLISTED,
  SKIP_UNSUBSCRIBED,
  checkTemplateData,
  knownTemplate,
  linkWithLogin,
  refusalText,
  templateMessageInput,
} from "./send";
import type { TemplateDeps } from "./templates";

export const MESSAGE_JOB = "messages.send-template";
export const RESUME_PAUSED_JOB = "messages.resume-paused";
export const DEFAULT_BATCH = 200;
export const DEFAULT_CONCURRENCY = 8;
/** A send's lease (one runner per send, across processes): renewed every batch, runs out this soon after a kill. */
export const SEND_LEASE_TTL_MS = 20_000;

export interface MessageJobDeps extends TemplateDeps {
  readonly dialect: Dialect;
  /** Who runs (host, pid): the holder of a send's lease. */
  readonly holder: string;
  /** Recipients per batch (default 200). */
  readonly batch?: number;
  /** Calls in flight (default 8). */
  readonly concurrency?: number;
}

export const recipientsInput = z.discriminatedUnion("type", [
  z.object({ type: z.literal("tag"), tagId: z.number().int().min(0).max(0x7fffffff) }).strict(),
  z.object({ type: z.literal("query"), query: z.string().max(2000) }).strict(),
]);
export type Recipients = z.output<typeof recipientsInput>;

/** POST /api/admin/message-jobs */
export const messageJobInput = templateMessageInput.extend({ recipients: recipientsInput }).strict();
export type MessageJobInput = z.output<typeof messageJobInput>;

export type JobState = "queued" | "running" | "paused" | "cancelled" | "done" | "failed";

export interface JobCounts {
  readonly total: number;
  readonly pending: number;
  readonly sent: number;
  readonly delivered: number;
  readonly refused: number;
  readonly failed: number;
  readonly skipped: number;
}

export interface MessageJobView {
  readonly id: string;
  readonly templateId: string;
  readonly data: TemplateData;
  readonly url: string | null;
  readonly recipients: Recipients;
  readonly state: JobState;
  readonly counts: JobCounts;
  readonly resumeAt: string | null;
  readonly error: string | null;
  readonly errcode: number | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

const FINAL: readonly JobState[] = ["cancelled", "done", "failed"];

/** The client_msg_id of a mass send's recipient: 32 hex characters derived from the row's id. */
export function jobClientMsgId(messageId: string): string {
  return createHash("sha256").update(messageId).digest("hex").slice(0, 32);
}

/** The next 00:00 in Beijing (UTC+8, no daylight saving) after `now`: when WeChat's daily limit resets. */
export function nextBeijingMidnight(now: Date): Date {
  const day = 86_400_000;
  const offset = 8 * 3600_000;
  return new Date(Math.floor((now.getTime() + offset) / day) * day + day - offset);
}

async function recipientConditions(deps: MessageJobDeps, recipients: Recipients): Promise<Prisma.Sql[]> {
  if (recipients.type === "tag")
    return [
      Prisma.sql`EXISTS (SELECT 1 FROM "UserTag" t WHERE t."tagId" = ${recipients.tagId} AND t."userId" = u."id")`,
    ];
  const parsed = parseUserQuery(new URLSearchParams(recipients.query));
  if (!parsed.ok) throw new AppError("bad_request", { extra: { issues: parsed.issues } });
  const listDeps: UserListDeps = { db: deps.db, dialect: deps.dialect, appId: deps.appId };
  return userFilterConditions(listDeps, parsed.query);
}

/** People with an openid of this account among `conditions`. */
function among(deps: MessageJobDeps, conditions: readonly Prisma.Sql[]): Prisma.Sql {
  const ours = Prisma.sql`EXISTS (SELECT 1 FROM "Identity" i WHERE i."userId" = u."id" AND i."appid" = ${deps.appId})`;
  return Prisma.join([ours, ...conditions], " AND ");
}

export interface RecipientCount {
  /** everyone chosen */
  readonly total: number;
  /** of them, known to have unfollowed */
  readonly unsubscribed: number;
  readonly blacklisted: number;
}

/** How many people a recipients choice is, before sending; and how many of them will be skipped. */
export async function countRecipients(deps: MessageJobDeps, recipients: Recipients): Promise<RecipientCount> {
  const where = among(deps, await recipientConditions(deps, recipients));
  const [row] = await readRows<{ total: unknown; unsubscribed: unknown; blacklisted: unknown }>(
    deps.db,
    Prisma.sql`SELECT COUNT(*) AS "total",
      SUM(CASE WHEN u."subscribed" = ${false} THEN 1 ELSE 0 END) AS "unsubscribed",
      SUM(CASE WHEN u."subscribed" = ${false} THEN 0 WHEN u."blacklisted" = ${true} THEN 1 ELSE 0 END) AS "blacklisted"
      FROM "User" u WHERE ${where}`,
  );
  return {
    total: Number(row?.total ?? 0),
    unsubscribed: Number(row?.unsubscribed ?? 0),
    blacklisted: Number(row?.blacklisted ?? 0),
  };
}

type JobRow = Awaited<ReturnType<MessageJobDeps["db"]["messageJob"]["findFirstOrThrow"]>>;

async function countsOf(deps: Pick<MessageJobDeps, "db">, jobId: string, total: number): Promise<JobCounts> {
  const groups = await deps.db.outboundMessage.groupBy({ by: ["status"], where: { jobId }, _count: { _all: true } });
  const n = (status: string) => groups.find((g) => g.status === status)?._count._all ?? 0;
  return {
    total,
    pending: n("pending") + n("sending"),
    sent: n("sent"),
    delivered: n("delivered"),
    refused: n("refused"),
    failed: n("failed"),
    skipped: n("skipped"),
  };
}

async function toView(deps: Pick<MessageJobDeps, "db">, row: JobRow): Promise<MessageJobView> {
  return {
    id: row.id,
    templateId: row.templateId,
    data: JSON.parse(row.data) as TemplateData,
    url: row.url,
    recipients: JSON.parse(row.recipients) as Recipients,
    state: row.state as JobState,
    counts: await countsOf(deps, row.id, row.total),
    resumeAt: row.resumeAt?.toISOString() ?? null,
    error: row.error,
    errcode: row.errcode,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

/**
 * Makes a mass send: the data checked against the template (400 naming fields), the recipients written
 * with the job in one transaction, then the job queued and started in this process. 201 with the job.
 */
export async function createMessageJob(
  deps: MessageJobDeps,
  runner: JobRunner | null,
  input: MessageJobInput,
  staff: string,
): Promise<MessageJobView> {
  const template = await knownTemplate(deps, input.templateId);
  checkTemplateData(template.fields, input.data);
  const conditions = await recipientConditions(deps, input.recipients);
  // The join with Identity below keeps only people with an openid of this account (what among() says).
  const where = conditions.length > 0 ? Prisma.join(conditions, " AND ") : Prisma.sql`1 = 1`;
  const now = deps.now();
  const row = await deps.db.$transaction(
    async (tx) => {
      const job = await tx.messageJob.create({
        data: {
          appId: deps.appId,
          templateId: template.templateId,
          data: JSON.stringify(input.data),
          url: input.url ? linkWithLogin(input.url, deps.appUrl) : null,
          miniprogram: input.miniprogram ? JSON.stringify(input.miniprogram) : null,
          recipients: JSON.stringify(input.recipients),
          state: "queued",
          total: 0,
          createdBy: staff,
          createdAt: now,
        },
      });
      const total = await executeSql(
        tx,
        deps.dialect,
        // Joined by userId, one row per person (their first openid of this account): a correlated
        // MIN(openid) let SQLite walk the (appid, openid) index for every person, quadratic at 100,000.
        Prisma.sql`INSERT INTO "OutboundMessage"
          ("id", "appId", "kind", "jobId", "userId", "openid", "templateId", "status", "error", "source", "createdAt")
        SELECT ${job.id} || '.' || u."id", ${deps.appId}, 'template', ${job.id}, u."id", MIN(i."openid"),
          ${template.templateId},
          CASE WHEN u."subscribed" = ${false} OR u."blacklisted" = ${true} THEN 'skipped' ELSE 'pending' END,
          CASE WHEN u."subscribed" = ${false} THEN ${SKIP_UNSUBSCRIBED}
               WHEN u."blacklisted" = ${true} THEN ${SKIP_BLACKLISTED} ELSE NULL END,
          'job', ${now}
        FROM "User" u JOIN "Identity" i ON i."userId" = u."id" AND i."appid" = ${deps.appId}
        WHERE ${where}
        GROUP BY u."id", u."subscribed", u."blacklisted"`,
      );
      return tx.messageJob.update({ where: { id: job.id }, data: { total } });
    },
    { timeout: 120_000, maxWait: 10_000 },
  );
  log.info("message_job_created", { jobId: row.id, total: row.total });
  if (runner) await queueJob(runner, row.id);
  return toView(deps, row);
}

/** Queues the job's run (at most one waiting per job) and starts this process's runner on it. */
async function queueJob(runner: JobRunner, jobId: string): Promise<void> {
  await runner.enqueue(MESSAGE_JOB, { jobId }, { key: jobId });
  void runner.drain(MESSAGE_JOB).catch(() => undefined);
}

export async function getMessageJob(deps: Pick<MessageJobDeps, "db" | "appId">, id: string): Promise<MessageJobView> {
  const row = await deps.db.messageJob.findFirst({ where: { id, appId: deps.appId } });
  if (!row) throw new AppError("message_job_not_found");
  return toView(deps, row);
}

export async function listMessageJobs(
  deps: Pick<MessageJobDeps, "db" | "appId">,
  limit = 50,
): Promise<MessageJobView[]> {
  const rows = await deps.db.messageJob.findMany({
    where: { appId: deps.appId },
    orderBy: { createdAt: "desc" },
    take: limit,
  });
  return Promise.all(rows.map((r) => toView(deps, r)));
}

/** A change of state by staff, allowed only from the states listed; else 409 with the current state. */
async function moveJob(
  deps: Pick<MessageJobDeps, "db" | "appId" | "now">,
  id: string,
  from: readonly JobState[],
  data: Record<string, unknown>,
): Promise<JobRow> {
  const { count } = await deps.db.messageJob.updateMany({
    where: { id, appId: deps.appId, state: { in: [...from] } },
    data,
  });
  const row = await deps.db.messageJob.findFirst({ where: { id, appId: deps.appId } });
  if (!row) throw new AppError("message_job_not_found");
  if (count === 0) throw new AppError("message_job_state", { extra: { state: row.state } });
  return row;
}

/** Pauses a queued or running send; the running batch finishes first. */
export async function pauseMessageJob(deps: MessageJobDeps, id: string): Promise<MessageJobView> {
  return toView(deps, await moveJob(deps, id, ["queued", "running"], { state: "paused", resumeAt: null }));
}

/** Resumes a paused send (also one WeChat's daily limit paused, before its time). */
export async function resumeMessageJob(
  deps: MessageJobDeps,
  runner: JobRunner | null,
  id: string,
): Promise<MessageJobView> {
  const row = await moveJob(deps, id, ["paused"], { state: "queued", resumeAt: null });
  if (runner) await queueJob(runner, id);
  return toView(deps, row);
}

/** Cancels a send that has not ended: whoever was not sent to yet is skipped. */
export async function cancelMessageJob(deps: MessageJobDeps, id: string): Promise<MessageJobView> {
  const row = await moveJob(deps, id, ["queued", "running", "paused"], {
    state: "cancelled",
    resumeAt: null,
    finishedAt: deps.now(),
  });
  await deps.db.outboundMessage.updateMany({
    where: { jobId: id, status: "pending" },
    data: { status: "skipped", error: "群发已取消，未发送。" },
  });
  return toView(deps, row);
}

interface Outcome {
  readonly id: string;
  readonly status: "sent" | "skipped" | "failed";
  readonly msgid: string | null;
  readonly errcode: number | null;
  readonly error: string | null;
}

/** What a call's failure means for the job: go on, pause until midnight, fail the job, or retry later. */
type Stop = { readonly kind: "quota" } | { readonly kind: "invalid"; readonly error: WeChatApiError } | null;

function judge(error: unknown): { outcome: Omit<Outcome, "id" | "msgid">; stop: Stop } | "retry" {
  if (!(error instanceof WeChatApiError)) return "retry";
  const text = refusalText(error);
  switch (error.errcode) {
    case 43004:
      return { outcome: { status: "skipped", errcode: 43004, error: SKIP_UNSUBSCRIBED }, stop: null };
    case 43019:
      return { outcome: { status: "skipped", errcode: 43019, error: SKIP_BLACKLISTED }, stop: null };
    case 45009:
      return { outcome: { status: "failed", ...text }, stop: { kind: "quota" } };
    case 47003:
    case 40037:
      return { outcome: { status: "failed", ...text }, stop: { kind: "invalid", error } };
    default:
      if (error.info.action === "retry") return "retry";
      return { outcome: { status: "failed", ...text }, stop: null };
  }
}

/** Runs calls with at most `limit` in flight; stops starting new ones once `halt()` says so. */
async function eachLimit<T>(items: readonly T[], limit: number, halt: () => boolean, run: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !halt()) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Writes a batch's outcomes in one statement per kind (UPDATE … FROM the rows). */
async function writeOutcomes(deps: MessageJobDeps, outcomes: readonly Outcome[], now: Date): Promise<void> {
  if (outcomes.length === 0) return;
  const source = deps.dialect.rowSource(
    ["text", "text", "text", "integer", "text", "timestamp(3)"],
    outcomes.map((o) => [o.id, o.status, o.msgid, o.errcode, o.error, o.status === "sent" ? now : null]),
  );
  await deps.db.$executeRawUnsafe(
    deps.dialect.updateFrom("OutboundMessage", ["id", "status", "msgid", "errcode", "error", "sentAt"], source.sql),
    ...source.values,
  );
}

/** One run of a mass send (an attempt of the job): batches until none is left, or until it must stop. */
export async function runMessageJob(
  deps: MessageJobDeps,
  jobId: string,
  ctx?: Pick<JobContext, "signal" | "progress">,
): Promise<{ [key: string]: Json }> {
  const { db } = deps;
  const lease = await acquireLease(db, {
    name: `messages:send:${jobId}`,
    holder: deps.holder,
    now: deps.now(),
    ttlMs: SEND_LEASE_TTL_MS,
  });
  // Another runner is sending it; should it die, its queued run is claimed again once its heartbeat is over.
  if (!lease) return { state: "busy" };
  let renewed = deps.now().getTime();
  try {
    return await sendBatches(deps, jobId, ctx, async () => {
      // A third of the lease's life at most between renewals: one write every few seconds, not every batch.
      if (deps.now().getTime() - renewed < SEND_LEASE_TTL_MS / 3) return;
      if (!(await renewLease(db, lease, deps.now(), SEND_LEASE_TTL_MS)))
        throw new Error(`message job ${jobId}: its lease was lost to another runner`);
      renewed = deps.now().getTime();
    });
  } finally {
    await releaseLease(db, lease, deps.now()).catch(() => undefined);
  }
}

async function sendBatches(
  deps: MessageJobDeps,
  jobId: string,
  ctx: Pick<JobContext, "signal" | "progress"> | undefined,
  renew: () => Promise<void>,
): Promise<{ [key: string]: Json }> {
  const { db } = deps;
  const job = await db.messageJob.findUnique({ where: { id: jobId } });
  if (!job || FINAL.includes(job.state as JobState) || job.state === "paused") return { state: job?.state ?? "gone" };
  await db.messageJob.update({
    where: { id: jobId },
    data: { state: "running", startedAt: job.startedAt ?? deps.now() },
  });
  const template = {
    templateId: job.templateId,
    data: JSON.parse(job.data) as TemplateData,
    url: job.url ?? undefined,
    miniprogram: job.miniprogram ? (JSON.parse(job.miniprogram) as { appid: string; pagepath?: string }) : undefined,
  };
  const batchSize = deps.batch ?? DEFAULT_BATCH;
  // This run's tally for the progress bar (the console reads the rows themselves).
  const tally = {
    total: job.total,
    done: await db.outboundMessage.count({ where: { jobId, status: { notIn: ["pending", "sending"] } } }),
    sent: 0,
    failed: 0,
    skipped: 0,
  };
  let cursor = "";
  for (;;) {
    if (ctx?.signal.aborted) throw new Error("stopped: the runner is shutting down (the job resumes)");
    await renew();
    const current = await db.messageJob.findUniqueOrThrow({ where: { id: jobId }, select: { state: true } });
    if (current.state !== "running") return { state: current.state };
    // A killed run's `sending` rows first (they go again with the same client_msg_id), then the pending
    // ones in id order from where the last batch ended: an index range each time, never a sort of them all.
    let batch = await db.outboundMessage.findMany({
      where: { jobId, status: "sending" },
      orderBy: { id: "asc" },
      take: batchSize,
      select: { id: true, openid: true },
    });
    if (batch.length === 0) {
      batch = await db.outboundMessage.findMany({
        where: { jobId, status: "pending", id: { gt: cursor } },
        orderBy: { id: "asc" },
        take: batchSize,
        select: { id: true, openid: true },
      });
      cursor = batch.at(-1)?.id ?? cursor;
    }
    if (batch.length === 0) break;
    await db.outboundMessage.updateMany({
      where: { id: { in: batch.map((r) => r.id) }, status: "pending" },
      data: { status: "sending" },
    });

    const outcomes: Outcome[] = [];
    // Set by the calls in flight: the first reason to stop the batch.
    const halt: { stop: Stop; retry: unknown } = { stop: null, retry: null };
    await eachLimit(
      batch,
      deps.concurrency ?? DEFAULT_CONCURRENCY,
      () => halt.stop !== null || halt.retry !== null,
      async (r) => {
        try {
          const { msgid } = await deps.wechat.send({
            touser: r.openid,
            ...template,
            clientMsgId: jobClientMsgId(r.id),
          });
          outcomes.push({ id: r.id, status: "sent", msgid, errcode: null, error: null });
        } catch (error) {
          const verdict = judge(error);
          if (verdict === "retry") {
            halt.retry ??= error;
            return;
          }
          // The daily limit: this one was not sent; it goes again after midnight.
          if (verdict.stop?.kind === "quota") halt.stop ??= verdict.stop;
          else outcomes.push({ id: r.id, msgid: null, ...verdict.outcome });
          if (verdict.stop?.kind === "invalid") halt.stop ??= verdict.stop;
        }
      },
    );
    const now = deps.now();
    await writeOutcomes(deps, outcomes, now);
    const msgids = outcomes.flatMap((o) => (o.msgid ? [o.msgid] : []));
    await applyDeliveries(db, deps.appId, msgids);
    // Rows this batch did not reach (stopped early) go back to pending: nothing was sent for them.
    const { stop, retry } = halt;
    const reached = new Set(outcomes.map((o) => o.id));
    const unreached = batch.filter((r) => !reached.has(r.id)).map((r) => r.id);
    // (After a retryable failure they stay `sending`: the call in flight may have reached WeChat.)
    if (stop && !retry && unreached.length > 0)
      await db.outboundMessage.updateMany({
        where: { id: { in: unreached }, status: "sending" },
        data: { status: "pending" },
      });
    if (stop?.kind === "quota") {
      const resumeAt = nextBeijingMidnight(now);
      await db.messageJob.updateMany({ where: { id: jobId, state: "running" }, data: { state: "paused", resumeAt } });
      log.warn("message_job_daily_limit", { jobId, resumeAt: resumeAt.toISOString() });
      return { state: "paused", resumeAt: resumeAt.toISOString() };
    }
    if (stop?.kind === "invalid") {
      const field = fieldOf47003(stop.error.errmsg);
      const text = refusalText(stop.error).error;
      await db.messageJob.update({
        where: { id: jobId },
        data: { state: "failed", errcode: stop.error.errcode, error: text, finishedAt: now },
      });
      await db.outboundMessage.updateMany({
        where: { jobId, status: { in: ["pending", "sending"] } },
        data: { status: "skipped", error: "群发已因模板或内容错误而停止，未发送。" },
      });
      log.warn("message_job_invalid", { jobId, errcode: stop.error.errcode, field: field ?? undefined });
      return { state: "failed", field: field ?? null };
    }
    // -1 or no answer after the client's own retries: this attempt fails and the job mechanism retries it
    // later; the rows left `sending` go again with the same client_msg_id.
    if (retry) throw retry;
    for (const o of outcomes) tally[o.status]++;
    tally.done += outcomes.length;
    await ctx?.progress({ ...tally });
  }
  await db.messageJob.updateMany({
    where: { id: jobId, state: "running" },
    data: { state: "done", finishedAt: deps.now() },
  });
  return { state: "done" };
}

/** The mass send as a job: attempts with backoff for outages; each attempt resumes from the rows' states. */
export function messageJob(deps: () => MessageJobDeps): JobDefinition<{ jobId: string }> {
  return defineJob({
    name: MESSAGE_JOB,
    payload: z.object({ jobId: z.string().min(1).max(64) }).strict(),
    attempts: 8,
    retryDelayMs: 15_000,
    backoff: true,
    run: async ({ jobId }, ctx) => runMessageJob(deps(), jobId, ctx),
  });
}

/**
 * Every minute: sends paused by WeChat's daily limit whose time has come are queued again, and delivery
 * reports recorded but not applied (the step after the answer did not run) are applied.
 */
export function resumePausedJob(
  deps: () => MessageJobDeps,
  runner: () => JobRunner,
): JobDefinition<Record<string, never>> {
  return defineJob({
    name: RESUME_PAUSED_JOB,
    payload: z.object({}).strict() as z.ZodType<Record<string, never>>,
    attempts: 1,
    every: { seconds: 60, payload: {} },
    run: async () => {
      const d = deps();
      return { resumed: await resumeDueJobs(d, runner()), swept: await sweepDeliveries(d.db, d.appId, d.now()) };
    },
  });
}

/** Queues the sends paused by the daily limit whose resumeAt has passed; how many. */
export async function resumeDueJobs(deps: MessageJobDeps, runner: JobRunner | null): Promise<number> {
  const due = await deps.db.messageJob.findMany({
    where: { appId: deps.appId, state: "paused", resumeAt: { lte: deps.now() } },
    select: { id: true },
  });
  let resumed = 0;
  for (const { id } of due) {
    const { count } = await deps.db.messageJob.updateMany({
      where: { id, state: "paused", resumeAt: { lte: deps.now() } },
      data: { state: "queued", resumeAt: null },
    });
    if (count === 0) continue;
    resumed++;
    if (runner) await runner.enqueue(MESSAGE_JOB, { jobId: id }, { key: id });
  }
  return resumed;
}
