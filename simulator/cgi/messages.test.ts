import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readFields } from "../push";
import { SIM_DEFAULTS, startSimulator, type Simulator } from "../server";
import { START_TIME } from "../test-helpers";

let sim: Simulator;
let token = "";
/** What the app's endpoint received, and a hook that runs when a push arrives. */
const pushed: Record<string, string>[] = [];
let onPush: (() => void) | null = null;
beforeAll(async () => {
  sim = await startSimulator({
    startTime: START_TIME,
    push: {
      target: "http://app.test/api/wechat/message",
      fetch: async (_url, init) => {
        pushed.push(readFields(String(init?.body ?? "")));
        onPush?.();
        return new Response("success");
      },
    },
  });
});
afterAll(() => sim.close());
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
  pushed.length = 0;
  onPush = null;
  sim.messages.setDelivery({ mode: "manual" });
  await newToken();
});

type Body = Record<string, unknown> & { errcode?: number; errmsg?: string; msgid?: number; template_id?: string };
async function call(path: string, body?: unknown): Promise<Body> {
  const res = await fetch(`${sim.url}${path}?access_token=${token}`, {
    method: body === undefined ? "GET" : "POST",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as Body;
}
const control = (path: string, body: unknown) =>
  fetch(`${sim.url}${path}`, { method: "POST", body: JSON.stringify(body) });

const follower = () => sim.users.find((u) => !u.snapshot)!.openid;
const template = (title: string) => sim.messages.list().find((t) => t.title === title)!;
const SHIPPED = {
  character_string1: { value: "SO20261204001" },
  thing2: { value: "挂耳咖啡" },
  thing3: { value: "顺丰速运" },
  time4: { value: "2026年12月4日 15:01" },
};
const send = (extra: Record<string, unknown> = {}) =>
  call("/cgi-bin/message/template/send", {
    touser: follower(),
    template_id: template("订单发货通知").template_id,
    data: SHIPPED,
    ...extra,
  });

describe("templates", () => {
  it("lists the account's templates, adds from the library by short id and deletes", async () => {
    const list = (await call("/cgi-bin/template/get_all_private_template")) as {
      template_list: { template_id: string }[];
    };
    expect(list.template_list).toHaveLength(4);
    const added = await call("/cgi-bin/template/api_add_template", { template_id_short: "OPENTM417958215" });
    expect(added).toMatchObject({ errcode: 0, template_id: expect.any(String) });
    const again = await call("/cgi-bin/template/api_add_template", { template_id_short: "OPENTM417958215" });
    expect(again.template_id).not.toBe(added.template_id);
    expect((await call("/cgi-bin/template/api_add_template", { template_id_short: "NOPE" })).errcode).toBe(40037);
    expect((await call("/cgi-bin/template/del_private_template", { template_id: added.template_id })).errcode).toBe(0);
    expect((await call("/cgi-bin/template/del_private_template", { template_id: added.template_id })).errcode).toBe(
      40037,
    );
  });

  it("holds 25 templates at most (45026)", async () => {
    for (let i = 4; i < 25; i++)
      expect((await call("/cgi-bin/template/api_add_template", { template_id_short: "OPENTM200000001" })).errcode).toBe(
        0,
      );
    expect((await call("/cgi-bin/template/api_add_template", { template_id_short: "OPENTM200000001" })).errcode).toBe(
      45026,
    );
  });
});

describe("message/template/send", () => {
  it("sends with a msgid and counts it for the openid", async () => {
    const a = await send();
    const b = await send();
    expect(a).toMatchObject({ errcode: 0, msgid: expect.any(Number) });
    expect(b.msgid).toBeGreaterThan(a.msgid!);
    expect(sim.messages.receivedBy(follower())).toBe(2);
  });

  it("refuses in WeChat's order: openid, template, url, not following, blacklisted", async () => {
    expect((await send({ touser: "o_nobody_here" })).errcode).toBe(40003);
    expect((await send({ template_id: "nope" })).errcode).toBe(40037);
    expect((await send({ url: "javascript:alert(1)" })).errcode).toBe(40039);
    expect((await send({ client_msg_id: "x".repeat(33) })).errcode).toBe(47003);
    const index = sim.followers.indexOf(follower())!;
    sim.followers.blacklist.add(index);
    expect((await send()).errcode).toBe(43019);
    sim.followers.unsubscribe([follower()]);
    expect((await send()).errcode).toBe(43004);
    expect(sim.messages.receivedBy(follower())).toBe(0);
  });

  const cases: [string, Record<string, string>, Record<string, string>][] = [
    ["订单发货通知", { thing2: "一".repeat(20), time4: "09:00~18:00" }, { thing2: "一".repeat(21) }],
    ["订单发货通知", { character_string1: "A-1_b" }, { character_string1: "有 空格" }],
    ["支付成功通知", { amount2: "¥59.00" }, { amount2: "59.001" }],
    ["支付成功通知", { amount2: "12.5元", time3: "2026-12-04 15:01:59" }, { time3: "25:00" }],
    ["预约成功提醒", { name1: "Li Lei", phone_number2: "+86 138 0013 8000" }, { phone_number2: "tel" }],
    ["预约成功提醒", { date3: "2026/12/05", number4: "2.5", phrase5: "五个汉字呀" }, { number4: "二" }],
    ["预约成功提醒", { phrase5: "已确认" }, { phrase5: "已确认!" }],
    ["预约成功提醒", { name1: "欧阳" }, { name1: "欧".repeat(11) }],
    ["停车缴费提醒", { car_number1: "粤BD12345", letter3: "VIP", symbol4: "%$" }, { car_number1: "粤b12345" }],
    ["停车缴费提醒", { symbol4: "★" }, { symbol4: "a" }],
    ["停车缴费提醒", { letter3: "abc" }, { letter3: "abc1" }],
    ["停车缴费提醒", { car_number1: "京A1234学" }, { car_number1: "12" }],
    ["停车缴费提醒", { letter3: "a".repeat(32) }, { letter3: "a".repeat(33) }],
    ["停车缴费提醒", { symbol4: "★★★★★" }, { symbol4: "★★★★★★" }],
    ["停车缴费提醒", { symbol4: "→" }, { symbol4: "中" }],
    ["订单发货通知", { character_string1: "x".repeat(32) }, { character_string1: "x".repeat(33) }],
    ["订单发货通知", { character_string1: "#$%&*" }, { character_string1: "单号1" }],
    ["订单发货通知", { time4: "2026-12-04 09:00~2026-12-04 18:00" }, { time4: "9点" }],
    ["订单发货通知", { time4: "23:59:59" }, { time4: "15:01~16:00~17:00" }],
    ["订单发货通知", { thing2: "😀".repeat(20) }, { thing2: "" }],
    ["支付成功通知", { amount2: "￥1000" }, { amount2: "¥" }],
    ["支付成功通知", { amount2: "$0.5" }, { amount2: "12,000元" }],
    ["预约成功提醒", { date3: "2026-12-05 15:01" }, { date3: "2026.12.05" }],
    ["预约成功提醒", { date3: "2026年12月5日~2026年12月8日" }, { date3: "12月5日" }],
    ["预约成功提醒", { phone_number2: "020-12345678" }, { phone_number2: "1".repeat(18) }],
    ["预约成功提醒", { name1: "J. K. Rowling" }, { name1: "Li Lei 2" }],
    ["预约成功提醒", { number4: "0" }, { number4: "-1" }],
    ["预约成功提醒", { phrase5: "好" }, { phrase5: "六个汉字呀呀" }],
  ];
  const base: Record<string, Record<string, string>> = {
    订单发货通知: { character_string1: "SO1", thing2: "咖啡", thing3: "顺丰", time4: "15:01" },
    支付成功通知: { character_string1: "SO1", amount2: "¥1", time3: "15:01" },
    预约成功提醒: {
      name1: "张三",
      phone_number2: "13800138000",
      date3: "2026年12月5日",
      number4: "2",
      phrase5: "已确认",
    },
    停车缴费提醒: { car_number1: "粤B12345", thing2: "科技园", letter3: "A", symbol4: "!" },
  };
  for (const [title, good, bad] of cases) {
    it(`${title}: takes ${Object.values(good).join(" / ")}, refuses ${Object.values(bad).join(" / ")} naming the field`, async () => {
      const data = (v: Record<string, string>) =>
        Object.fromEntries(Object.entries({ ...base[title], ...v }).map(([k, value]) => [k, { value }]));
      const id = template(title).template_id;
      expect((await send({ template_id: id, data: data(good) })).errcode).toBe(0);
      const refused = await send({ template_id: id, data: data(bad) });
      expect(refused.errcode).toBe(47003);
      expect(refused.errmsg).toContain(`data.${Object.keys(bad)[0]}.value invalid`);
    });
  }

  it("any other type (const here) takes 1–20 characters", async () => {
    const added = await call("/cgi-bin/template/api_add_template", { template_id_short: "OPENTM416836000" });
    const data = (progress: string) => ({ character_string1: { value: "T1" }, const2: { value: progress } });
    const sendIt = (progress: string) => send({ template_id: added.template_id, data: data(progress) });
    expect((await sendIt("已受理")).errcode).toBe(0);
    expect((await sendIt("字".repeat(20))).errcode).toBe(0);
    expect((await sendIt("字".repeat(21))).errmsg).toContain("data.const2.value invalid");
    expect((await sendIt("")).errmsg).toContain("data.const2.value invalid");
  });

  it("takes only absolute http(s) urls (40039)", async () => {
    expect((await send({ url: "https://app.test/orders/1?from=wx#top" })).errcode).toBe(0);
    expect((await send({ url: "http://localhost:3000/me" })).errcode).toBe(0);
    for (const url of ["/orders/1", "ftp://app.test/x", "https://", "https://app.test/a b", "", 42])
      expect((await send({ url })).errcode, String(url)).toBe(40039);
  });

  it("names the first bad field in content order, and refuses values that are not strings", async () => {
    const refused = await send({ data: { ...SHIPPED, thing3: { value: "" }, thing2: { value: 42 } } });
    expect(refused).toMatchObject({ errcode: 47003 });
    expect(refused.errmsg).toMatch(/^argument invalid! data\.thing2\.value invalid/);
    expect((await send({ data: { ...SHIPPED, thing2: "挂耳咖啡" } })).errmsg).toContain("data.thing2.value invalid");
    expect((await send({ data: "nope" })).errmsg).toContain("data.character_string1.value invalid");
  });

  it("checks client_msg_id before following and the quota, and a repeat uses no quota", async () => {
    const long = await send({ client_msg_id: "x".repeat(33) });
    expect(long).toMatchObject({ errcode: 47003 });
    expect(long.errmsg).toMatch(/^argument invalid! client_msg_id invalid/);
    expect((await send({ client_msg_id: "x".repeat(32) })).errcode).toBe(0);
    await control("/__sim/template/quota", { daily: 2 });
    const a = await send({ client_msg_id: "once" });
    expect((await send({ client_msg_id: "once" })).msgid).toBe(a.msgid);
    expect((await send()).errcode).toBe(45009);
    // the repeat still answers after the day's quota is spent
    expect((await send({ client_msg_id: "once" })).msgid).toBe(a.msgid);
    expect(sim.messages.stats()).toMatchObject({ total: 2, openids: 1, maxPerOpenid: 2 });
  });

  it("refuses a missing field and ignores first, remark and color", async () => {
    const { thing2: _missing, ...rest } = SHIPPED;
    expect((await send({ data: rest })).errmsg).toContain("data.thing2.value invalid");
    expect(
      (await send({ data: { ...SHIPPED, first: { value: "x".repeat(100) }, remark: { value: "" } } })).errcode,
    ).toBe(0);
  });

  it("delivers a repeated client_msg_id once within 10 minutes, with the first msgid", async () => {
    const a = await send({ client_msg_id: "job1-r1" });
    const b = await send({ client_msg_id: "job1-r1" });
    expect(b).toMatchObject({ errcode: 0, msgid: a.msgid });
    expect(sim.messages.receivedBy(follower())).toBe(1);
    expect(await sim.messages.flushDeliveries()).toBe(1);
    sim.advance(601);
    const c = await send({ client_msg_id: "job1-r1" });
    expect(c.msgid).not.toBe(a.msgid);
    expect(sim.messages.receivedBy(follower())).toBe(2);
  });

  it("has a daily quota per Beijing day (45009) that resets at 00:00 Beijing time", async () => {
    await control("/__sim/template/quota", { daily: 2 });
    expect((await send()).errcode).toBe(0);
    expect((await send()).errcode).toBe(0);
    expect((await send()).errcode).toBe(45009);
    // START_TIME is 16:00 Beijing: 7 h 59 min later it is still the same day there.
    sim.advance(7 * 3600 + 59 * 60);
    await newToken();
    expect((await send()).errcode).toBe(45009);
    sim.advance(60);
    expect((await send()).errcode).toBe(0);
  });
});

describe("TEMPLATESENDJOBFINISH", () => {
  it("reports success, or failed:user block for a persona who refuses the account's messages", async () => {
    const a = await send();
    expect(pushed).toHaveLength(0);
    expect(await (await control("/__sim/template/flush", {})).json()).toEqual({ pushed: 1 });
    expect((await control("/__sim/template/refuse", { openid: follower(), refuse: true })).status).toBe(200);
    const b = await send();
    await sim.messages.flushDeliveries();
    expect(pushed.map((p) => [p.Event, p.MsgID, p.Status, p.FromUserName])).toEqual([
      ["TEMPLATESENDJOBFINISH", String(a.msgid), "success", follower()],
      ["TEMPLATESENDJOBFINISH", String(b.msgid), "failed:user block", follower()],
    ]);
  });

  it("before-reply: the push arrives before the send call answers", async () => {
    sim.messages.setDelivery({ mode: "before-reply" });
    let answered = false;
    onPush = () => expect(answered).toBe(false);
    const a = await send();
    answered = true;
    expect(pushed.map((p) => p.MsgID)).toEqual([String(a.msgid)]);
  });

  it("after: pushed by itself after the delay (flush waits for the ones scheduled)", async () => {
    sim.messages.setDelivery({ mode: "after", delayMs: 60_000 });
    const a = await send();
    expect(pushed).toHaveLength(0);
    await sim.messages.flushDeliveries();
    expect(pushed.map((p) => p.MsgID)).toEqual([String(a.msgid)]);
  });

  it("a delivery report is not the person's doing: it opens no reply window", async () => {
    await send();
    await sim.messages.flushDeliveries();
    const reply = await call("/cgi-bin/message/custom/send", {
      touser: follower(),
      msgtype: "text",
      text: { content: "hi" },
    });
    expect(reply.errcode).toBe(45015);
  });
});

describe("message/custom/send", () => {
  const reply = (content = "您好，已为您处理。", touser = follower()) =>
    call("/cgi-bin/message/custom/send", { touser, msgtype: "text", text: { content } });

  it("only within 48 hours of the person's last message or event (45015)", async () => {
    expect((await reply()).errcode).toBe(45015);
    await sim.push.push({ type: "text", openid: follower(), content: "在吗" });
    expect((await reply()).errcode).toBe(0);
    sim.advance(48 * 3600 + 1);
    await newToken();
    expect((await reply()).errcode).toBe(45015);
    expect((await control("/__sim/persona/interact", { openid: follower() })).status).toBe(200);
    expect((await reply()).errcode).toBe(0);
    expect(sim.messages.customMessages().map((m) => m.content)).toEqual(["您好，已为您处理。", "您好，已为您处理。"]);
  });

  it("at most 20 replies without an answer (45047); the person's next message resets it", async () => {
    sim.messages.interact(follower());
    for (let i = 0; i < 20; i++) expect((await reply(`第${i}条`)).errcode).toBe(0);
    expect((await reply()).errcode).toBe(45047);
    await sim.push.push({ type: "CLICK", openid: follower(), eventKey: "help" });
    expect((await reply()).errcode).toBe(0);
  });

  it("refuses other openids, types, empty and over-long texts, and people who do not follow", async () => {
    sim.messages.interact(follower());
    expect((await reply("x", "o_nobody_here")).errcode).toBe(40003);
    expect((await call("/cgi-bin/message/custom/send", { touser: follower(), msgtype: "image" })).errcode).toBe(40008);
    expect((await reply("")).errcode).toBe(44004);
    expect((await reply("字".repeat(683))).errcode).toBe(45002);
    sim.followers.unsubscribe([follower()]);
    expect((await reply()).errcode).toBe(43004);
  });
});

describe("controls", () => {
  it("refuse bad input with 400 and report the sends", async () => {
    expect((await control("/__sim/template/quota", { daily: -1 })).status).toBe(400);
    expect((await control("/__sim/template/delivery", { mode: "later" })).status).toBe(400);
    expect((await control("/__sim/template/refuse", { openid: follower() })).status).toBe(400);
    await send();
    const stats = (await (await fetch(`${sim.url}/__sim/template/sends`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({ total: 1, openids: 1, maxPerOpenid: 1 });
    const received = await (await fetch(`${sim.url}/__sim/template/received?openid=${follower()}`)).json();
    expect(received).toEqual({ count: 1 });
  });
});
