// Mass sends against the simulator, on SQLite and PostgreSQL: recipients fixed by a tag or a user-list
// filter (the unfollowed and blacklisted skipped, counted); a run killed half-way resumed with nobody
// messaged twice and nobody lost; WeChat's daily limit pausing until 00:00 Beijing time and resuming by
// itself (a moved clock); a wrong template stopping the send at once; pause, resume and cancel.
import { beforeEach, describe, expect, it } from "vitest";
import { dialectOf } from "@/lib/db";
import { forEachDatabase } from "@/test/support/db";
import { simulatorCgiClient } from "@/test/support/followers/clients";
import { APP_URL, useLoginWorld, type LoginWorld } from "@/test/support/world";
import { findOrCreatePersonByOpenid } from "@/lib/users";
import type { CgiCall, CgiClient } from "@/lib/wechat/cgi";
import { WeChatCustomService, WeChatTemplates } from "@/lib/wechat/template";
import { generatedOpenid } from "@/simulator/cgi/followers";
import { SIM_DEFAULTS } from "@/simulator/server";
import {
  cancelMessageJob,
  countRecipients,
  createMessageJob,
  getMessageJob,
  jobClientMsgId,
  nextBeijingMidnight,
  pauseMessageJob,
  resumeDueJobs,
  resumeMessageJob,
  runMessageJob,
  type MessageJobDeps,
} from "./jobs";
import { sweepDeliveries } from "./delivery";
import { refreshTemplates } from "./templates";

const APP_ID = SIM_DEFAULTS.appId;
const STAFF = "admin@example.com";
const PEOPLE = 30;
const TAG = 100;

describe("nextBeijingMidnight", () => {
  it("is the next 00:00 at UTC+8", () => {
    expect(nextBeijingMidnight(new Date("2026-01-15T08:00:00Z")).toISOString()).toBe("2026-01-15T16:00:00.000Z");
    expect(nextBeijingMidnight(new Date("2026-01-15T16:00:00Z")).toISOString()).toBe("2026-01-16T16:00:00.000Z");
    expect(nextBeijingMidnight(new Date("2026-01-15T15:59:59Z")).toISOString()).toBe("2026-01-15T16:00:00.000Z");
  });

  it("gives each recipient a client_msg_id of 32 hex characters, the same every time", () => {
    expect(jobClientMsgId("job1.user1")).toMatch(/^[0-9a-f]{32}$/);
    expect(jobClientMsgId("job1.user1")).toBe(jobClientMsgId("job1.user1"));
    expect(jobClientMsgId("job1.user2")).not.toBe(jobClientMsgId("job1.user1"));
  });
});

forEachDatabase((_kind, database) => {
  const world = useLoginWorld(database);
  let w: LoginWorld;
  let deps: MessageJobDeps;
  let templateId: string;
  let people: string[];

  beforeEach(async () => {
    w = world();
    for (const table of ["outboundMessage", "messageTemplate", "messageJob", "userTag", "tag"] as const)
      await (w.db[table] as { deleteMany(): Promise<unknown> }).deleteMany();
    await w.db.lease.deleteMany();
    w.sim.followers.configure({ count: PEOPLE, fixtures: false });
    w.sim.messages.setDelivery({ mode: "manual" });
    const cgi = simulatorCgiClient(w.sim);
    deps = {
      db: w.db,
      appId: APP_ID,
      now: w.clock.now,
      appUrl: APP_URL,
      wechat: new WeChatTemplates(cgi),
      custom: new WeChatCustomService(cgi),
      dialect: dialectOf(w.db),
      holder: "test-runner",
      batch: 7,
      concurrency: 3,
    };
    const { templates } = await refreshTemplates(deps);
    templateId = templates.find((t) => t.title === "会员到期提醒" || t.title === "支付成功通知")!.templateId;
    people = [];
    await w.db.tag.create({ data: { id: TAG, name: "老客户", count: 0 } });
    for (let i = 0; i < PEOPLE; i++) {
      const userId = await findOrCreatePersonByOpenid(w.db, APP_ID, generatedOpenid(i), w.clock.now());
      people.push(userId);
      await w.db.user.update({ where: { id: userId }, data: { subscribed: true, nickname: i % 2 ? "奇数" : "偶数" } });
      if (i < 20) await w.db.userTag.create({ data: { userId, tagId: TAG } });
    }
  });

  const DATA = {
    character_string1: { value: "SO20261204001" },
    amount2: { value: "¥59.00" },
    time3: { value: "2026-12-04 15:01" },
  };
  const input = (recipients: { type: "tag"; tagId: number } | { type: "query"; query: string }) => ({
    templateId,
    data: DATA,
    recipients,
  });
  const maxReceived = () => w.sim.messages.stats().maxPerOpenid;

  it("counts a tag's people before sending, skipping the unfollowed and blacklisted; sends each once", async () => {
    await w.db.user.update({ where: { id: people[0]! }, data: { subscribed: false } });
    await w.db.user.update({ where: { id: people[1]! }, data: { blacklisted: true } });
    expect(await countRecipients(deps, { type: "tag", tagId: TAG })).toEqual({
      total: 20,
      unsubscribed: 1,
      blacklisted: 1,
    });
    const job = await createMessageJob(deps, null, input({ type: "tag", tagId: TAG }), STAFF);
    expect(job).toMatchObject({ state: "queued", counts: { total: 20, pending: 18, skipped: 2 } });
    expect(await runMessageJob(deps, job.id)).toEqual({ state: "done" });
    const done = await getMessageJob(deps, job.id);
    expect(done).toMatchObject({ state: "done", counts: { total: 20, pending: 0, sent: 18, skipped: 2 } });
    expect(w.sim.messages.stats()).toMatchObject({ total: 18, openids: 18, maxPerOpenid: 1 });
    expect(w.sim.messages.receivedBy(generatedOpenid(0))).toBe(0);
    // Delivery reports recorded by the endpoint (one event per msgid) whose step after the answer never
    // ran: the minute's sweep applies them, once.
    for (const m of await w.db.outboundMessage.findMany({ where: { jobId: job.id, status: "sent" } }))
      await w.db.weChatEvent.create({
        data: {
          dedupeKey: `tpl:${m.msgid}`,
          openid: m.openid,
          msgType: "event",
          event: "TEMPLATESENDJOBFINISH",
          eventKey: m.msgid,
          content: m.openid === generatedOpenid(2) ? "failed:user block" : "success",
          payload: "<xml/>",
          createdAt: w.clock.now(),
          receivedAt: w.clock.now(),
        },
      });
    expect(await sweepDeliveries(w.db, APP_ID, w.clock.now())).toBe(18);
    expect(await sweepDeliveries(w.db, APP_ID, w.clock.now())).toBe(0);
    expect((await getMessageJob(deps, job.id)).counts).toMatchObject({ sent: 0, delivered: 17, refused: 1 });
  });

  it("takes the user list's filter as recipients", async () => {
    const recipients = { type: "query" as const, query: "q=%E5%A5%87%E6%95%B0&subscribed=yes" };
    expect((await countRecipients(deps, recipients)).total).toBe(15);
    const job = await createMessageJob(deps, null, input(recipients), STAFF);
    await runMessageJob(deps, job.id);
    expect(w.sim.messages.stats()).toMatchObject({ total: 15, maxPerOpenid: 1 });
    await expect(countRecipients(deps, { type: "query", query: "sort=sideways" })).rejects.toMatchObject({
      code: "bad_request",
    });
  });

  it("a run killed half-way resumes: nobody messaged twice, nobody lost", async () => {
    const job = await createMessageJob(deps, null, input({ type: "tag", tagId: TAG }), STAFF);
    // The process dies after 9 calls reached WeChat: two of them answered but never written (the kill
    // came between WeChat's answer and our write), the batch left `sending`.
    let calls = 0;
    const real = simulatorCgiClient(w.sim);
    const dying: CgiClient = {
      async call<T>(call: CgiCall<T>): Promise<T> {
        calls++;
        const answer = await real.call(call);
        if (calls > 9) throw new Error("killed");
        return answer;
      },
    };
    const killed = { ...deps, wechat: new WeChatTemplates(dying), concurrency: 1 };
    await expect(runMessageJob(killed, job.id)).rejects.toThrow("killed");
    const afterKill = await w.db.outboundMessage.groupBy({ by: ["status"], where: { jobId: job.id }, _count: true });
    expect(afterKill.find((g) => g.status === "sending")).toBeTruthy();
    // The lease of the dead run runs out; the next run resumes.
    w.clock.advance(30);
    expect(await runMessageJob(deps, job.id)).toEqual({ state: "done" });
    expect(w.sim.messages.stats()).toMatchObject({ total: 20, openids: 20, maxPerOpenid: 1 });
    expect((await getMessageJob(deps, job.id)).counts).toMatchObject({ total: 20, sent: 20, pending: 0 });
  });

  it("two runners on one send: the second finds it busy and sends nothing", async () => {
    const job = await createMessageJob(deps, null, input({ type: "tag", tagId: TAG }), STAFF);
    const [a, b] = await Promise.all([
      runMessageJob(deps, job.id),
      runMessageJob({ ...deps, holder: "other-runner" }, job.id),
    ]);
    expect([a.state, b.state].sort()).toEqual(["busy", "done"]);
    expect(maxReceived()).toBe(1);
  });

  it("WeChat's daily limit (45009) pauses until 00:00 Beijing time and resumes by itself", async () => {
    w.sim.messages.setDailyQuota(12);
    const job = await createMessageJob(deps, null, input({ type: "tag", tagId: TAG }), STAFF);
    const paused = await runMessageJob(deps, job.id);
    expect(paused).toEqual({ state: "paused", resumeAt: nextBeijingMidnight(w.clock.now()).toISOString() });
    expect((await getMessageJob(deps, job.id)).counts).toMatchObject({ sent: 12, pending: 8, failed: 0 });
    expect(await resumeDueJobs(deps, null)).toBe(0);
    // 08:00 UTC is 16:00 in Beijing: eight hours later the day's limit is new.
    w.clock.advance(8 * 3600);
    expect(await resumeDueJobs(deps, null)).toBe(1);
    expect((await getMessageJob(deps, job.id)).state).toBe("queued");
    expect(await runMessageJob(deps, job.id)).toEqual({ state: "done" });
    expect(w.sim.messages.stats()).toMatchObject({ total: 20, maxPerOpenid: 1 });
  });

  it("a template WeChat refuses (47003 naming the field) stops the send at once", async () => {
    // Our mirror says the template has no time3; WeChat's has it: our check passes, WeChat's does not.
    await w.db.messageTemplate.update({
      where: { appId_templateId: { appId: APP_ID, templateId } },
      data: { content: "订单号：{{character_string1.DATA}}\n支付金额：{{amount2.DATA}}" },
    });
    const { time3: _dropped, ...data } = DATA;
    const job = await createMessageJob(deps, null, { ...input({ type: "tag", tagId: TAG }), data }, STAFF);
    expect(await runMessageJob(deps, job.id)).toEqual({ state: "failed", field: "time3" });
    const failed = await getMessageJob(deps, job.id);
    expect(failed).toMatchObject({ state: "failed", errcode: 47003, error: expect.stringContaining("time3") });
    expect(failed.counts.pending).toBe(0);
    expect(w.sim.messages.stats().total).toBe(0);
  });

  it("pauses, resumes and cancels; a change from the wrong state is 409", async () => {
    const job = await createMessageJob(deps, null, input({ type: "tag", tagId: TAG }), STAFF);
    expect((await pauseMessageJob(deps, job.id)).state).toBe("paused");
    expect(await runMessageJob(deps, job.id)).toEqual({ state: "paused" });
    expect(w.sim.messages.stats().total).toBe(0);
    await expect(pauseMessageJob(deps, job.id)).rejects.toMatchObject({ code: "message_job_state" });
    expect((await resumeMessageJob(deps, null, job.id)).state).toBe("queued");
    const cancelled = await cancelMessageJob(deps, job.id);
    expect(cancelled).toMatchObject({ state: "cancelled", counts: { pending: 0, skipped: 20 } });
    expect(await runMessageJob(deps, job.id)).toEqual({ state: "cancelled" });
    await expect(resumeMessageJob(deps, null, job.id)).rejects.toMatchObject({ code: "message_job_state" });
    await expect(getMessageJob(deps, "nope")).rejects.toMatchObject({ code: "message_job_not_found" });
  });
});
