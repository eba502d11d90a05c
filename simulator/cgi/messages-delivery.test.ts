/**
 * Template messages' delivery reports (TEMPLATESENDJOBFINISH) and the reply window, end to end: the
 * simulator pushes over HTTP to a tiny node:http server playing the app's message endpoint, as it would to
 * the app (messages.test.ts replaces the pusher's fetch instead).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readFields } from "../push";
import { SIM_DEFAULTS, startSimulator, type Simulator } from "../server";
import { START_TIME } from "../test-helpers";

let sim: Simulator;
let endpoint: Server;
let endpointUrl = "";
let token = "";
/** What the endpoint received: the fields of each push (plaintext mode), in order of arrival. */
const received: Record<string, string>[] = [];
/** Runs when a push arrives (before the endpoint answers it). */
let onArrival: ((fields: Record<string, string>) => void) | null = null;

beforeAll(async () => {
  endpoint = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const fields = readFields(body);
      received.push(fields);
      onArrival?.(fields);
      res.writeHead(200, { "content-type": "text/plain" }).end("success");
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, "127.0.0.1", resolve));
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/api/wechat/message`;
  sim = await startSimulator({ startTime: START_TIME });
});
afterAll(async () => {
  await sim.close();
  await new Promise((resolve) => endpoint.close(resolve));
});

async function newToken() {
  const query = new URLSearchParams({
    grant_type: "client_credential",
    appid: SIM_DEFAULTS.appId,
    secret: SIM_DEFAULTS.appSecret,
  });
  token = ((await (await fetch(`${sim.url}/cgi-bin/token?${query}`)).json()) as { access_token: string }).access_token;
}

beforeEach(async () => {
  sim.reset();
  sim.push.setTarget(endpointUrl);
  received.length = 0;
  onArrival = null;
  await newToken();
});

type Body = Record<string, unknown> & { errcode?: number; errmsg?: string; msgid?: number };
async function call(path: string, body: unknown): Promise<Body> {
  const res = await fetch(`${sim.url}${path}?access_token=${token}`, { method: "POST", body: JSON.stringify(body) });
  return (await res.json()) as Body;
}
async function control(path: string, body: unknown = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sim.url}${path}`, { method: "POST", body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

const people = () => sim.users.filter((u) => !u.snapshot).map((u) => u.openid);
const follower = () => people()[0]!;
const send = (extra: Record<string, unknown> = {}) =>
  call("/cgi-bin/message/template/send", {
    touser: follower(),
    template_id: sim.messages.list().find((t) => t.title === "支付成功通知")!.template_id,
    url: "https://app.test/orders/SO1",
    data: {
      first: { value: "您的订单已支付", color: "#173177" },
      character_string1: { value: "SO20261204001" },
      amount2: { value: "¥59.00" },
      time3: { value: "2026-12-04 15:01" },
      remark: { value: "感谢惠顾" },
    },
    ...extra,
  });
const reports = () => received.filter((p) => p.Event === "TEMPLATESENDJOBFINISH");

describe("TEMPLATESENDJOBFINISH at the app's endpoint", () => {
  it("manual: held until flushed, then Status success (or failed:user block for a persona who refuses)", async () => {
    expect((await control("/__sim/template/delivery", { mode: "manual" })).status).toBe(200);
    const refusing = people()[1]!;
    expect((await control("/__sim/template/refuse", { openid: refusing, refuse: true })).status).toBe(200);
    const a = await send();
    const b = await send({ touser: refusing });
    expect([a.errcode, b.errcode]).toEqual([0, 0]);
    expect(b.msgid).toBeGreaterThan(a.msgid!);
    expect(a.msgid).toBeGreaterThan(2_000_000_000);
    expect(sim.messages.pendingDeliveries()).toBe(2);
    expect(received).toHaveLength(0);

    expect(await control("/__sim/template/flush")).toEqual({ status: 200, body: { pushed: 2 } });
    expect(reports().map((p) => [p.MsgType, p.FromUserName, p.ToUserName, p.MsgID, p.Status])).toEqual([
      ["event", follower(), "gh_5e1f0c0de001", String(a.msgid), "success"],
      ["event", refusing, "gh_5e1f0c0de001", String(b.msgid), "failed:user block"],
    ]);
    expect(sim.messages.deliveries().map((d) => [d.msgid, d.status, d.ok])).toEqual([
      [String(a.msgid), "success", true],
      [String(b.msgid), "failed:user block", true],
    ]);
    expect(await control("/__sim/template/flush")).toEqual({ status: 200, body: { pushed: 0 } });

    // The persona takes the account's messages again.
    await control("/__sim/template/refuse", { openid: refusing, refuse: false });
    await send({ touser: refusing });
    await sim.messages.flushDeliveries();
    expect(reports().at(-1)?.Status).toBe("success");
  });

  it("before-reply: the endpoint has the report before the send call answers", async () => {
    await control("/__sim/template/delivery", { mode: "before-reply" });
    let answered = false;
    const seenBeforeAnswer: boolean[] = [];
    onArrival = () => seenBeforeAnswer.push(!answered);
    const a = await send();
    answered = true;
    expect(a.errcode).toBe(0);
    expect(seenBeforeAnswer).toEqual([true]);
    expect(reports().map((p) => p.MsgID)).toEqual([String(a.msgid)]);
    expect(sim.messages.pendingDeliveries()).toBe(0);
  });

  it("after (the default): scheduled, and flush pushes it at once", async () => {
    expect((await control("/__sim/template/delivery", { mode: "after", delayMs: 600_000 })).status).toBe(200);
    const a = await send();
    expect(sim.messages.pendingDeliveries()).toBe(1);
    expect(received).toHaveLength(0);
    expect(await sim.messages.flushDeliveries()).toBe(1);
    expect(reports().map((p) => p.MsgID)).toEqual([String(a.msgid)]);
  });

  it("after with the default delay: pushed by its own timer", async () => {
    const arrived = new Promise<Record<string, string>>((resolve) => (onArrival = resolve));
    const a = await send();
    expect((await arrived).MsgID).toBe(String(a.msgid));
  });

  it("a repeated client_msg_id is reported once", async () => {
    sim.messages.setDelivery({ mode: "manual" });
    const a = await send({ client_msg_id: "order-SO1" });
    const b = await send({ client_msg_id: "order-SO1" });
    expect(b).toMatchObject({ errcode: 0, msgid: a.msgid });
    expect(sim.messages.pendingDeliveries()).toBe(1);
    await sim.messages.flushDeliveries();
    expect(reports()).toHaveLength(1);
    expect(sim.messages.receivedBy(follower())).toBe(1);
  });

  it("reset and close drop the reports not pushed yet", async () => {
    sim.messages.setDelivery({ mode: "after", delayMs: 600_000 });
    await send();
    sim.messages.setDelivery({ mode: "manual" });
    await send();
    expect(sim.messages.pendingDeliveries()).toBe(2);
    sim.reset();
    expect(sim.messages.pendingDeliveries()).toBe(0);
    expect(await sim.messages.flushDeliveries()).toBe(0);
    expect(received).toHaveLength(0);
  });

  it("an endpoint that is down is recorded, and breaks neither the send nor the simulator", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    sim.push.setTarget(`http://127.0.0.1:${port}/api/wechat/message`);

    sim.messages.setDelivery({ mode: "before-reply" });
    const a = await send();
    expect(a.errcode).toBe(0);
    sim.messages.setDelivery({ mode: "manual" });
    await send();
    expect(await sim.messages.flushDeliveries()).toBe(1);
    expect(sim.messages.deliveries().map((d) => d.ok)).toEqual([false, false]);
    expect(sim.push.reports().at(-1)).toMatchObject({ ok: false, replyCheck: "no_answer" });
    // Counted for a bench to tell lost reports from slow ones, with why the last one was not taken.
    expect(sim.messages.stats().reports).toMatchObject({ ok: 0, failed: 2 });
    expect(sim.messages.stats().reports.lastError).toMatch(/^no_answer: .*ECONNREFUSED/);
    expect((await fetch(`${sim.url}/__sim/health`)).status).toBe(200);
  });

  it("/__sim/push takes a TEMPLATESENDJOBFINISH by hand (MsgID, Status)", async () => {
    const res = await control("/__sim/push", {
      type: "TEMPLATESENDJOBFINISH",
      openid: follower(),
      msgId: "2000000123",
      status: "failed: system failed",
    });
    expect(res.status).toBe(200);
    expect(reports().map((p) => [p.MsgID, p.Status])).toEqual([["2000000123", "failed: system failed"]]);
    expect((await control("/__sim/push", { type: "TEMPLATESENDJOBFINISH", openid: follower(), msgId: 1 })).status).toBe(
      400,
    );
  });
});

describe("message/custom/send and the persona's last interaction", () => {
  const reply = (content = "您好，已为您处理。") =>
    call("/cgi-bin/message/custom/send", { touser: follower(), msgtype: "text", text: { content } });

  it("opens with a message the persona pushed, not with a delivery report", async () => {
    expect((await reply()).errcode).toBe(45015);
    await control("/__sim/push", { type: "TEMPLATESENDJOBFINISH", openid: follower(), msgId: "1" });
    expect((await reply()).errcode).toBe(45015);
    await sim.push.push({ type: "text", openid: follower(), content: "在吗" });
    expect(received.at(-1)).toMatchObject({ MsgType: "text", Content: "在吗" });
    expect(await reply()).toEqual({ errcode: 0, errmsg: "ok" });
  });

  it("closes 48 hours after the last interaction (set by the control)", async () => {
    expect(
      (await control("/__sim/persona/interact", { openid: follower(), at: sim.now() - 47 * 3600_000 })).status,
    ).toBe(200);
    expect((await reply()).errcode).toBe(0);
    sim.advance(3600 + 1);
    await newToken();
    expect((await reply()).errcode).toBe(45015);
    expect((await control("/__sim/persona/interact", { openid: follower(), at: "yesterday" })).status).toBe(400);
    expect((await control("/__sim/persona/interact", {})).status).toBe(400);
  });

  it("20 replies, then 45047 until the persona writes again", async () => {
    await sim.push.push({ type: "CLICK", openid: follower(), eventKey: "contact" });
    for (let i = 1; i <= 20; i++) expect((await reply(`第${i}条`)).errcode).toBe(0);
    expect((await reply()).errcode).toBe(45047);
    await sim.push.push({ type: "text", openid: follower(), content: "好的" });
    expect((await reply()).errcode).toBe(0);
    expect(sim.messages.customMessages()).toHaveLength(21);
  });

  it("checks the openid, the type, the content's size, then following, in that order", async () => {
    await sim.push.push({ type: "text", openid: follower(), content: "在吗" });
    const custom = (body: Record<string, unknown>) =>
      call("/cgi-bin/message/custom/send", { touser: follower(), msgtype: "text", text: { content: "hi" }, ...body });
    expect((await custom({ touser: "oSimNobody000000000000000000", msgtype: "image" })).errcode).toBe(40003);
    expect((await custom({ msgtype: "news" })).errcode).toBe(40008);
    expect((await custom({ text: {} })).errcode).toBe(44004);
    expect((await custom({ text: { content: "a".repeat(2048) } })).errcode).toBe(0);
    expect((await custom({ text: { content: "a".repeat(2049) } })).errcode).toBe(45002);
    sim.followers.unsubscribe([follower()]);
    expect((await custom({ text: { content: "" } })).errcode).toBe(44004);
    expect((await custom({})).errcode).toBe(43004);
  });
});
