import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readFields } from "../push";
import { SIM_DEFAULTS, startSimulator, type Simulator } from "../server";
import { START_TIME } from "../test-helpers";

const NOW_S = Math.floor(START_TIME / 1000);
const DAY = 86_400;
const ZHANGSAN = () => sim.users.find((u) => u.key === "zhangsan")!.openid;
const LISI = () => sim.users.find((u) => u.key === "lisi")!.openid;

let sim: Simulator;
let token = "";
/** What the app's endpoint received: each push's fields. */
let pushed: Record<string, string>[] = [];
beforeAll(async () => {
  sim = await startSimulator({
    startTime: START_TIME,
    push: {
      target: "http://app.test/api/wechat/message",
      fetch: async (_url, init) => {
        pushed.push(readFields(String(init?.body ?? "")));
        return new Response("success");
      },
    },
  });
});
afterAll(() => sim.close());
/** A fresh basic access_token (after the clock moved past the last one's 7200 s). */
async function newToken(): Promise<void> {
  const query = new URLSearchParams({
    grant_type: "client_credential",
    appid: SIM_DEFAULTS.appId,
    secret: SIM_DEFAULTS.appSecret,
  });
  token = ((await (await fetch(`${sim.url}/cgi-bin/token?${query}`)).json()) as { access_token: string }).access_token;
}
beforeEach(async () => {
  sim.reset();
  pushed = [];
  await newToken();
});

type Body = Record<string, unknown> & { errcode?: number };
async function api(path: string, body: unknown): Promise<Body> {
  const res = await fetch(`${sim.url}${path}?access_token=${token}`, { method: "POST", body: JSON.stringify(body) });
  expect(res.headers.get("content-type")).toBe("text/plain");
  return (await res.json()) as Body;
}
async function control(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${sim.url}${path}`, { method: "POST", body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const png = (size = 64) => {
  const data = new Uint8Array(size);
  data.set(PNG_MAGIC);
  return data;
};
async function upload(data: Uint8Array<ArrayBuffer>, field = "buffer", accessToken = token): Promise<Body> {
  const form = new FormData();
  form.append(field, new Blob([data]), "logo.png");
  const res = await fetch(`${sim.url}/cgi-bin/media/uploadimg?access_token=${accessToken}`, {
    method: "POST",
    body: form,
  });
  return (await res.json()) as Body;
}

async function logo(): Promise<string> {
  return (await upload(png())).url as string;
}

function cashCard(logoUrl: string, base: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    card: {
      card_type: "CASH",
      cash: {
        base_info: {
          logo_url: logoUrl,
          brand_name: "微信餐厅",
          code_type: "CODE_TYPE_QRCODE",
          title: "满100减10",
          color: "Color010",
          notice: "使用时向服务员出示此券",
          description: "不可与其他优惠同享",
          date_info: { type: "DATE_TYPE_FIX_TIME_RANGE", begin_timestamp: NOW_S, end_timestamp: NOW_S + 30 * DAY },
          sku: { quantity: 10 },
          get_limit: 2,
          can_share: false,
          can_give_friend: true,
          ...base,
        },
        least_cost: 10_000,
        reduce_cost: 1_000,
        ...extra,
      },
    },
  };
}

/** A CASH card created and approved (review after the default 5 s). */
async function approvedCard(base: Record<string, unknown> = {}): Promise<string> {
  const created = await api("/card/create", cashCard(await logo(), base));
  expect(created.errcode).toBe(0);
  sim.advance(5);
  await sim.cards.reviewDue();
  return created.card_id as string;
}

describe("media/uploadimg", () => {
  it("takes a PNG or JPEG by its content and answers an mmbiz.qpic.cn address", async () => {
    const answer = await upload(png());
    expect(answer.url).toMatch(/^http:\/\/mmbiz\.qpic\.cn\/mmbiz_png\/[A-Za-z0-9_-]+\/0$/);
    const jpeg = new Uint8Array(32);
    jpeg.set([0xff, 0xd8, 0xff, 0xe1]);
    expect((await upload(jpeg)).url).toMatch(/mmbiz_jpg/);
    expect(sim.cards.logoKnown(answer.url as string)).toBe(true);
  });

  it("1 MB passes, one byte more is 40009, and so is an empty file", async () => {
    expect((await upload(png(1024 * 1024))).url).toBeDefined();
    expect((await upload(png(1024 * 1024 + 1))).errcode).toBe(40009);
    expect((await upload(new Uint8Array())).errcode).toBe(40009);
  });

  it("refuses what is not JPG or PNG by content whatever its name (40005), a form without `buffer` (41005)", async () => {
    expect((await upload(new TextEncoder().encode("GIF89a-not-allowed"))).errcode).toBe(40005);
    expect((await upload(new TextEncoder().encode("<html></html>"))).errcode).toBe(40005);
    expect((await upload(png(), "media")).errcode).toBe(41005);
    const raw = await fetch(`${sim.url}/cgi-bin/media/uploadimg?access_token=${token}`, { method: "POST", body: "{}" });
    expect(((await raw.json()) as Body).errcode).toBe(41005);
  });

  it("needs the access_token and POST", async () => {
    expect((await upload(png(), "buffer", "nope")).errcode).toBe(40001);
    const get = await fetch(`${sim.url}/cgi-bin/media/uploadimg?access_token=${token}`);
    expect(((await get.json()) as Body).errcode).toBe(43002);
  });
});

describe("card/create", () => {
  it("creates a card waiting for review; card/get reads it back with its stock", async () => {
    const created = await api("/card/create", cashCard(await logo()));
    expect(created).toMatchObject({ errcode: 0, errmsg: "ok", card_id: expect.stringMatching(/^p[A-Za-z0-9_-]{27}$/) });
    const got = await api("/card/get", { card_id: created.card_id });
    expect(got).toMatchObject({
      errcode: 0,
      card: {
        card_type: "CASH",
        cash: {
          base_info: {
            id: created.card_id,
            status: "CARD_STATUS_NOT_VERIFY",
            sku: { quantity: 10, total_quantity: 10 },
            title: "满100减10",
            date_info: { type: "DATE_TYPE_FIX_TIME_RANGE", begin_timestamp: NOW_S, end_timestamp: NOW_S + 30 * DAY },
          },
          least_cost: 10_000,
          reduce_cost: 1_000,
        },
      },
    });
    expect((await api("/card/get", { card_id: "pUnknown" })).errcode).toBe(40073);
    expect((await api("/card/get", {})).errcode).toBe(41012);
  });

  it.each([
    ["an unknown type", (l: string) => ({ card: { ...cashCard(l).card, card_type: "MEMBER" } }), 40071],
    ["no title", (l: string) => cashCard(l, { title: undefined }), 41011],
    ["a blank notice", (l: string) => cashCard(l, { notice: "  " }), 41011],
    ["a title of 28 bytes (9 汉字 + a letter)", (l: string) => cashCard(l, { title: "一二三四五六七八九a" }), 45021],
    ["a brand name of 13 汉字", (l: string) => cashCard(l, { brand_name: "一".repeat(13) }), 45021],
    ["a colour outside the list", (l: string) => cashCard(l, { color: "#63b359" }), 40076],
    ["a code type outside the list", (l: string) => cashCard(l, { code_type: "CODE_TYPE_EAN13" }), 40097],
    [
      "an end before the begin",
      (l: string) =>
        cashCard(l, {
          date_info: { type: "DATE_TYPE_FIX_TIME_RANGE", begin_timestamp: NOW_S + 10, end_timestamp: NOW_S },
        }),
      40079,
    ],
    [
      "an end in the past",
      (l: string) =>
        cashCard(l, {
          date_info: { type: "DATE_TYPE_FIX_TIME_RANGE", begin_timestamp: NOW_S - DAY, end_timestamp: NOW_S },
        }),
      40079,
    ],
    [
      "a fixed term of 0 days",
      (l: string) => cashCard(l, { date_info: { type: "DATE_TYPE_FIX_TERM", fixed_term: 0 } }),
      40079,
    ],
    ["a stock over 100,000,000", (l: string) => cashCard(l, { sku: { quantity: 100_000_001 } }), 40122],
    ["custom codes (no permission)", (l: string) => cashCard(l, { use_custom_code: true }), 43009],
    ["a bound openid", (l: string) => cashCard(l, { bind_openid: true }), 40112],
    ["a threshold under the reduction", (l: string) => cashCard(l, {}, { least_cost: 999 }), 40097],
    ["no reduction", (l: string) => cashCard(l, {}, { reduce_cost: undefined }), 41011],
    ["a logo not uploaded here", () => cashCard("http://mmbiz.qpic.cn/mmbiz_png/forged/0"), 40141],
  ])("refuses %s", async (_name, make, errcode) => {
    const answer = await api("/card/create", make(await logo()));
    expect(answer.errcode).toBe(errcode);
    expect(sim.cards.list()).toEqual([]);
  });

  it("DISCOUNT takes 1–99, GIFT needs its gift text", async () => {
    const l = await logo();
    const { base_info } = cashCard(l).card.cash;
    const discount = (value: number) => ({ card: { card_type: "DISCOUNT", discount: { base_info, discount: value } } });
    expect((await api("/card/create", discount(99))).errcode).toBe(0);
    expect((await api("/card/create", discount(100))).errcode).toBe(40097);
    expect((await api("/card/create", { card: { card_type: "GIFT", gift: { base_info } } })).errcode).toBe(41011);
    expect(
      (await api("/card/create", { card: { card_type: "GIFT", gift: { base_info, gift: "音乐木盒" } } })).errcode,
    ).toBe(0);
  });
});

describe("review", () => {
  it("passes after the delay on the simulator clock, pushing card_pass_check from the account itself", async () => {
    const cardId = (await api("/card/create", cashCard(await logo()))).card_id as string;
    sim.advance(4);
    expect(await sim.cards.reviewDue()).toBe(0);
    expect(pushed).toEqual([]);
    sim.advance(1);
    expect(await sim.cards.reviewDue()).toBe(1);
    expect(pushed).toEqual([
      expect.objectContaining({
        MsgType: "event",
        Event: "card_pass_check",
        CardId: cardId,
        FromUserName: "gh_5e1f0c0de001",
        ToUserName: "gh_5e1f0c0de001",
      }),
    ]);
    expect(sim.cards.card(cardId)?.status).toBe("CARD_STATUS_VERIFY_OK");
  });

  it("fails with the reason when told to, and a manual review waits for the control", async () => {
    const failing = await control("/__sim/cards/review-mode", { outcome: "fail", refuseReason: "logo 不清晰" });
    expect(failing.body).toMatchObject({ mode: "auto", outcome: "fail" });
    const a = (await api("/card/create", cashCard(await logo()))).card_id as string;
    sim.advance(5);
    await sim.cards.reviewDue();
    expect(pushed.at(-1)).toMatchObject({ Event: "card_not_pass_check", CardId: a, RefuseReason: "logo 不清晰" });
    expect(sim.cards.card(a)).toMatchObject({ status: "CARD_STATUS_VERIFY_FAIL", refuseReason: "logo 不清晰" });

    await control("/__sim/cards/review-mode", { mode: "manual", outcome: "pass" });
    const b = (await api("/card/create", cashCard(await logo()))).card_id as string;
    sim.advance(3600);
    expect(await sim.cards.reviewDue()).toBe(0);
    const decided = await control("/__sim/cards/review", { cardId: b, pass: true });
    expect(decided.body).toMatchObject({ ok: true, status: "CARD_STATUS_VERIFY_OK" });
    expect(pushed.at(-1)).toMatchObject({ Event: "card_pass_check", CardId: b });
    expect((await control("/__sim/cards/review", { cardId: b, pass: false })).status).toBe(400);
  });
});

describe("taking a card", () => {
  it("a card under review cannot be taken (40078); approved, the take pushes user_get_card with a new code", async () => {
    const cardId = (await api("/card/create", cashCard(await logo()))).card_id as string;
    expect(await sim.cards.take({ openid: ZHANGSAN(), cardId })).toMatchObject({ ok: false, errcode: 40078 });
    sim.advance(5);
    await sim.cards.reviewDue();
    pushed = [];
    const taken = await control("/__sim/cards/take", { openid: ZHANGSAN(), cardId, outerStr: "menu" });
    expect(taken.body).toMatchObject({ ok: true, cardId, code: expect.stringMatching(/^\d{12}$/) });
    expect(pushed).toEqual([
      expect.objectContaining({
        Event: "user_get_card",
        FromUserName: ZHANGSAN(),
        CardId: cardId,
        UserCardCode: taken.body.code,
        IsGiveByFriend: "0",
        OuterStr: "menu",
      }),
    ]);
    expect(sim.cards.card(cardId)?.quantity).toBe(9);
  });

  it("get_limit per person (45033) and the stock (45031)", async () => {
    const cardId = await approvedCard({ sku: { quantity: 3 }, get_limit: 2 });
    expect((await sim.cards.take({ openid: ZHANGSAN(), cardId })).ok).toBe(true);
    expect((await sim.cards.take({ openid: ZHANGSAN(), cardId })).ok).toBe(true);
    expect(await sim.cards.take({ openid: ZHANGSAN(), cardId })).toMatchObject({ ok: false, errcode: 45033 });
    expect((await sim.cards.take({ openid: LISI(), cardId })).ok).toBe(true);
    expect(await sim.cards.take({ openid: LISI(), cardId })).toMatchObject({ ok: false, errcode: 45031 });
  });

  it("through a QR_CARD code, whose outer_str comes back as OuterStr", async () => {
    const cardId = await approvedCard();
    const qr = await api("/card/qrcode/create", {
      action_name: "QR_CARD",
      expire_seconds: 1800,
      action_info: { card: { card_id: cardId, outer_str: "poster_7" } },
    });
    expect(qr).toMatchObject({
      errcode: 0,
      expire_seconds: 1800,
      url: expect.stringMatching(/^http:\/\/weixin\.qq\.com\/q\//),
      show_qrcode_url: expect.stringContaining("showqrcode?ticket="),
    });
    pushed = [];
    const taken = await sim.cards.take({ openid: LISI(), ticket: qr.ticket as string });
    expect(taken.ok).toBe(true);
    expect(pushed[0]).toMatchObject({ Event: "user_get_card", OuterStr: "poster_7", FromUserName: LISI() });
    sim.advance(1800);
    expect(await sim.cards.take({ openid: LISI(), ticket: qr.ticket as string })).toMatchObject({ ok: false });
  });

  it("card/qrcode/create: only for an approved card, QR_CARD, 60–1800 s", async () => {
    const pending = (await api("/card/create", cashCard(await logo()))).card_id;
    const qr = (card_id: unknown, extra: Record<string, unknown> = {}) =>
      api("/card/qrcode/create", { action_name: "QR_CARD", action_info: { card: { card_id } }, ...extra });
    expect((await qr(pending)).errcode).toBe(40078);
    sim.advance(5);
    await sim.cards.reviewDue();
    expect((await qr(pending)).expire_seconds).toBe(365 * DAY);
    expect((await qr(pending, { expire_seconds: 59 })).errcode).toBe(40097);
    expect((await qr(pending, { action_name: "QR_SCENE" })).errcode).toBe(40097);
    expect((await qr("pNope")).errcode).toBe(40073);
  });
});

describe("codes: get, consume, and what people do with them", () => {
  async function takenCode(base: Record<string, unknown> = {}) {
    const cardId = await approvedCard(base);
    const taken = await sim.cards.take({ openid: ZHANGSAN(), cardId });
    if (!taken.ok) throw new Error("take failed");
    pushed = [];
    return { cardId, code: taken.code };
  }

  it("code/get: the card, the owner and whether it can be used", async () => {
    const { cardId, code } = await takenCode();
    expect(await api("/card/code/get", { code, check_consume: true })).toMatchObject({
      errcode: 0,
      card: { card_id: cardId, begin_time: NOW_S, end_time: NOW_S + 30 * DAY },
      openid: ZHANGSAN(),
      can_consume: true,
      user_card_status: "NORMAL",
    });
    expect((await api("/card/code/get", { code: "000000000000", check_consume: true })).errcode).toBe(40056);
    expect((await api("/card/code/get", { code, card_id: "pOther", check_consume: true })).errcode).toBe(40056);
  });

  it("consume once: the push says FROM_API; a second consume is 40099, and code/get tells the same", async () => {
    const { cardId, code } = await takenCode();
    expect(await api("/card/code/consume", { code, card_id: cardId })).toEqual({
      errcode: 0,
      errmsg: "ok",
      card: { card_id: cardId },
      openid: ZHANGSAN(),
    });
    await sim.cards.settle();
    expect(pushed).toEqual([
      expect.objectContaining({
        Event: "user_consume_card",
        CardId: cardId,
        UserCardCode: code,
        ConsumeSource: "FROM_API",
      }),
    ]);
    expect((await api("/card/code/consume", { code })).errcode).toBe(40099);
    expect((await api("/card/code/get", { code, check_consume: true })).errcode).toBe(40099);
    expect(await api("/card/code/get", { code, check_consume: false })).toMatchObject({
      errcode: 0,
      can_consume: false,
      user_card_status: "CONSUMED",
    });
    expect((await api("/card/code/consume", { code: "123123123123" })).errcode).toBe(40056);
  });

  it("two consumes of one code at once: exactly one succeeds, the other gets 40099", async () => {
    const { code } = await takenCode();
    const answers = await Promise.all(Array.from({ length: 6 }, () => api("/card/code/consume", { code })));
    expect(answers.map((a) => a.errcode).sort()).toEqual([0, 40099, 40099, 40099, 40099, 40099]);
    await sim.cards.settle();
    expect(pushed.filter((p) => p.Event === "user_consume_card")).toHaveLength(1);
  });

  it("a code the person deleted: user_del_card, then 40127 and out of getcardlist", async () => {
    const { cardId, code } = await takenCode();
    expect(await api("/card/user/getcardlist", { openid: ZHANGSAN() })).toEqual({
      errcode: 0,
      errmsg: "ok",
      card_list: [{ code, card_id: cardId }],
      has_share_card: false,
    });
    const deleted = await control("/__sim/cards/delete", { code });
    expect(deleted.body).toMatchObject({ ok: true });
    expect(pushed).toEqual([expect.objectContaining({ Event: "user_del_card", UserCardCode: code })]);
    expect((await api("/card/code/get", { code, check_consume: true })).errcode).toBe(40127);
    expect((await api("/card/code/get", { code, check_consume: false })).user_card_status).toBe("DELETE");
    expect((await api("/card/code/consume", { code })).errcode).toBe(40127);
    expect((await api("/card/user/getcardlist", { openid: ZHANGSAN() })).card_list).toEqual([]);
    expect((await api("/card/user/getcardlist", { openid: "oNotAPerson" })).errcode).toBe(40003);
  });

  it("a gift: user_gifting_card, then user_get_card for the friend; the old code is gone (40056)", async () => {
    const { cardId, code } = await takenCode();
    const gift = await control("/__sim/cards/gift", { code, toOpenid: LISI() });
    const next = gift.body.code as string;
    expect(pushed).toEqual([
      expect.objectContaining({ Event: "user_gifting_card", FromUserName: ZHANGSAN(), FriendUserName: LISI() }),
      expect.objectContaining({
        Event: "user_get_card",
        FromUserName: LISI(),
        CardId: cardId,
        UserCardCode: next,
        IsGiveByFriend: "1",
        FriendUserName: ZHANGSAN(),
        OldUserCardCode: code,
      }),
    ]);
    expect((await api("/card/code/get", { code, check_consume: false })).errcode).toBe(40056);
    expect((await api("/card/code/get", { code: next, check_consume: true })).openid).toBe(LISI());
  });

  it("consumed at a counter with WeChat's helper, and viewed: their pushes", async () => {
    const { code } = await takenCode();
    await control("/__sim/cards/view", { code });
    const used = await control("/__sim/cards/consume", { code });
    expect(used.body).toMatchObject({ ok: true });
    expect((await control("/__sim/cards/consume", { code })).body).toMatchObject({ ok: false, errcode: 40099 });
    expect(pushed.map((p) => [p.Event, p.ConsumeSource])).toEqual([
      ["user_view_card", undefined],
      ["user_consume_card", "FROM_MOBILE_HELPER"],
    ]);
  });

  it("expiry: past the end a code is EXPIRE (40127); a fixed term runs from the take", async () => {
    const range = await takenCode();
    sim.advance(30 * DAY);
    await newToken();
    expect((await api("/card/code/get", { code: range.code, check_consume: false })).user_card_status).toBe("EXPIRE");
    expect((await api("/card/code/consume", { code: range.code })).errcode).toBe(40127);

    sim.reset();
    await newToken();
    const term = await takenCode({ date_info: { type: "DATE_TYPE_FIX_TERM", fixed_term: 3, fixed_begin_term: 1 } });
    const info = await api("/card/code/get", { code: term.code, check_consume: false });
    const takenAt = Math.floor(sim.now() / 1000);
    expect(info).toMatchObject({
      card: { begin_time: takenAt + DAY, end_time: takenAt + 4 * DAY },
      can_consume: false,
    });
    expect((await api("/card/code/consume", { code: term.code })).errcode).toBe(40079);
    sim.advance(DAY);
    await newToken();
    expect((await api("/card/code/consume", { code: term.code })).errcode).toBe(0);
  });
});

describe("stock and lifecycle", () => {
  it("modifystock adds and removes, never below zero (40122), never past 100,000,000 in all (45041)", async () => {
    const cardId = await approvedCard({ sku: { quantity: 10 } });
    expect((await api("/card/modifystock", { card_id: cardId, increase_stock_value: 5 })).errcode).toBe(0);
    expect((await api("/card/modifystock", { card_id: cardId, reduce_stock_value: 15 })).errcode).toBe(0);
    expect(sim.cards.card(cardId)).toMatchObject({ quantity: 0, totalQuantity: 15 });
    expect((await api("/card/modifystock", { card_id: cardId, reduce_stock_value: 1 })).errcode).toBe(40122);
    expect(sim.cards.card(cardId)?.quantity).toBe(0);
    expect((await api("/card/modifystock", { card_id: cardId, increase_stock_value: -1 })).errcode).toBe(40122);
    expect((await api("/card/modifystock", { card_id: cardId })).errcode).toBe(40122);
    expect(
      (await api("/card/modifystock", { card_id: cardId, increase_stock_value: 100_000_000 - 15 + 1 })).errcode,
    ).toBe(45041);
    expect((await api("/card/modifystock", { card_id: "pNope", increase_stock_value: 1 })).errcode).toBe(40073);
  });

  it("delete: the card is gone from batchget, cannot be taken, and taken codes become UNAVAILABLE", async () => {
    const cardId = await approvedCard();
    const other = await approvedCard();
    const taken = await sim.cards.take({ openid: ZHANGSAN(), cardId });
    if (!taken.ok) throw new Error("take failed");
    expect(await api("/card/batchget", { offset: 0, count: 50 })).toMatchObject({
      card_id_list: [cardId, other],
      total_num: 2,
    });
    expect((await api("/card/delete", { card_id: cardId })).errcode).toBe(0);
    expect((await api("/card/delete", { card_id: cardId })).errcode).toBe(40073);
    expect(await api("/card/batchget", { offset: 0, count: 50 })).toMatchObject({
      card_id_list: [other],
      total_num: 1,
    });
    expect(await api("/card/batchget", { offset: 0, count: 1, status_list: ["CARD_STATUS_DELETE"] })).toMatchObject({
      card_id_list: [cardId],
      total_num: 1,
    });
    expect((await api("/card/batchget", { offset: 0, count: 51 })).errcode).toBe(40097);
    expect(await sim.cards.take({ openid: LISI(), cardId })).toMatchObject({ ok: false, errcode: 40078 });
    expect((await api("/card/code/get", { code: taken.code, check_consume: false })).user_card_status).toBe(
      "UNAVAILABLE",
    );
    expect((await api("/card/code/consume", { code: taken.code })).errcode).toBe(40127);
    const got = await api("/card/get", { card_id: cardId });
    expect((got.card as { cash: { base_info: { status: string } } }).cash.base_info.status).toBe("CARD_STATUS_DELETE");
  });
});

describe("wx.addCard: the cardExt as WeChat checks it", () => {
  const sha1 = (s: string) => createHash("sha1").update(s).digest("hex");
  async function cardTicket(): Promise<string> {
    const res = await fetch(`${sim.url}/cgi-bin/ticket/getticket?access_token=${token}&type=wx_card`);
    return ((await res.json()) as { ticket: string }).ticket;
  }
  const ext = (ticket: string, cardId: string, overrides: Record<string, string> = {}) => {
    const timestamp = overrides.timestamp ?? String(Math.floor(sim.now() / 1000));
    const nonce_str = overrides.nonce_str ?? `n${Math.random().toString(36).slice(2, 12)}`;
    const signature = sha1([ticket, timestamp, cardId, nonce_str].sort().join(""));
    return JSON.stringify({ timestamp, nonce_str, signature, outer_str: "h5", ...overrides });
  };

  it("a good cardExt adds the card (user_get_card with its outer_str); the same one again is refused", async () => {
    const cardId = await approvedCard();
    const ticket = await cardTicket();
    const cardExt = ext(ticket, cardId);
    pushed = [];
    const added = await control("/__sim/cards/add-card", { openid: ZHANGSAN(), cardList: [{ cardId, cardExt }] });
    expect(added.body).toMatchObject({ errMsg: "addCard:ok", cardList: [{ cardId, isSuccess: true }] });
    expect(pushed).toEqual([
      expect.objectContaining({ Event: "user_get_card", OuterStr: "h5", FromUserName: ZHANGSAN() }),
    ]);
    const again = await sim.cards.addCard({ openid: ZHANGSAN(), cardList: [{ cardId, cardExt }] });
    expect(again).toMatchObject({ errMsg: "addCard:fail", cardList: [{ isSuccess: false, errcode: 40080 }] });
  });

  it.each([
    ["a signature over other values", (t: string, c: string) => ext(t, c, { signature: sha1("nothing") })],
    ["a timestamp six minutes old", (t: string, c: string) => ext(t, c, { timestamp: String(NOW_S + 5 - 360) })],
    ["a code on a card without custom codes", (t: string, c: string) => ext(t, c, { code: "123456789012" })],
    ["an openid on a card not bound to one", (t: string, c: string) => ext(t, c, { openid: "oAnyone" })],
    ["not JSON", () => "{timestamp"],
  ])("refuses %s (40080) and takes nothing", async (_name, make) => {
    const cardId = await approvedCard();
    const cardExt = make(await cardTicket(), cardId);
    const result = await sim.cards.addCard({ openid: ZHANGSAN(), cardList: [{ cardId, cardExt }] });
    expect(result).toMatchObject({ errMsg: "addCard:fail", cardList: [{ cardId, isSuccess: false, errcode: 40080 }] });
    expect(sim.cards.codesOf({ cardId })).toEqual([]);
  });

  it("the signature must use a wx_card ticket: a jsapi_ticket does not sign it", async () => {
    const cardId = await approvedCard();
    const res = await fetch(`${sim.url}/cgi-bin/ticket/getticket?access_token=${token}&type=jsapi`);
    const jsapi = ((await res.json()) as { ticket: string }).ticket;
    await cardTicket();
    const result = await sim.cards.addCard({ openid: ZHANGSAN(), cardList: [{ cardId, cardExt: ext(jsapi, cardId) }] });
    expect(result.errMsg).toBe("addCard:fail");
  });

  it("the take rules hold too: get_limit (45033), and all or nothing", async () => {
    const cardId = await approvedCard({ get_limit: 1 });
    const other = await approvedCard();
    const ticket = await cardTicket();
    expect(
      (await sim.cards.addCard({ openid: LISI(), cardList: [{ cardId, cardExt: ext(ticket, cardId) }] })).errMsg,
    ).toBe("addCard:ok");
    const both = await sim.cards.addCard({
      openid: LISI(),
      cardList: [
        { cardId: other, cardExt: ext(ticket, other) },
        { cardId, cardExt: ext(ticket, cardId) },
      ],
    });
    expect(both).toMatchObject({
      errMsg: "addCard:fail",
      cardList: [
        { cardId: other, isSuccess: false },
        { cardId, isSuccess: false, errcode: 45033 },
      ],
    });
    expect(sim.cards.codesOf({ cardId: other })).toEqual([]);
  });
});
