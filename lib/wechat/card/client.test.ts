import { describe, expect, it } from "vitest";
import type { CgiCall, CgiClient } from "../cgi";
import { WeChatApiError } from "../errors";
import { CardRefusedError, WeChatCards, normalizeCode } from "./client";

const NOW = Date.UTC(2026, 0, 1);
const NOW_S = NOW / 1000;

/** A CgiClient that answers from a script and records the calls. */
function client(...answers: unknown[]) {
  const calls: CgiCall<unknown>[] = [];
  const cgi: CgiClient = {
    async call<T>(call: CgiCall<T>): Promise<T> {
      calls.push(call as CgiCall<unknown>);
      const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return call.schema.parse(answer);
    },
  };
  return { cards: new WeChatCards(cgi), calls };
}

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CardRefusedError);
  return error as CardRefusedError;
};

const draft = {
  type: "CASH",
  logoUrl: "http://mmbiz.qpic.cn/mmbiz/logo/0",
  brandName: "微信餐厅",
  title: "满100减10",
  color: "Color010",
  notice: "使用时向服务员出示此券",
  description: "不可与其他优惠同享",
  codeType: "CODE_TYPE_QRCODE",
  quantity: 100,
  getLimit: 1,
  canShare: false,
  canGiveFriend: false,
  date: { type: "DATE_TYPE_FIX_TIME_RANGE", beginTimestamp: NOW_S, endTimestamp: NOW_S + 86_400 },
  leastCost: 10_000,
  reduceCost: 1_000,
};

describe("uploadLogo", () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

  it("sends a checked image as the multipart field `buffer`, named by its real type", async () => {
    const { cards, calls } = client({ url: "http://mmbiz.qpic.cn/mmbiz/abc/0" });
    expect(await cards.uploadLogo(png)).toEqual({ url: "http://mmbiz.qpic.cn/mmbiz/abc/0" });
    expect(calls[0]).toMatchObject({
      method: "POST",
      path: "/cgi-bin/media/uploadimg",
      upload: { field: "buffer", filename: "logo.png", contentType: "image/png", data: png },
    });
    expect(calls[0]!.body).toBeUndefined();
  });

  it("refuses another type (40005) or size (40009) before calling", async () => {
    const { cards, calls } = client({});
    expect((await refusal(cards.uploadLogo(new TextEncoder().encode("GIF89a")))).errcode).toBe(40005);
    expect((await refusal(cards.uploadLogo(new Uint8Array()))).errcode).toBe(40009);
    expect(calls).toEqual([]);
  });
});

describe("create", () => {
  it("checks the draft on the given clock, sends WeChat's body, never retried", async () => {
    const { cards, calls } = client({ errcode: 0, errmsg: "ok", card_id: "pFS7Fjg8kV1IdDz01r4SQwMkuCKc" });
    expect(await cards.create(draft, NOW)).toEqual({ cardId: "pFS7Fjg8kV1IdDz01r4SQwMkuCKc" });
    expect(calls[0]).toMatchObject({ path: "/card/create", idempotent: false, body: { card: { card_type: "CASH" } } });
  });

  it("refuses with every problem and the first one's errcode", async () => {
    const { cards, calls } = client({});
    const error = await refusal(cards.create({ ...draft, title: "一二三四五六七八九十", color: "red" }, NOW));
    expect(error.errcode).toBe(45021);
    expect(error.problems.map((p) => p.field)).toEqual(["title", "color"]);
    expect(error).toBeInstanceOf(WeChatApiError);
    // Judged on the clock passed in: a day later the same end time is in the past.
    expect((await refusal(cards.create(draft, NOW + 86_400_000))).errcode).toBe(40079);
    expect(calls).toEqual([]);
  });
});

describe("get", () => {
  const answer = {
    errcode: 0,
    errmsg: "ok",
    card: {
      card_type: "CASH",
      cash: {
        base_info: {
          id: "pCard1",
          logo_url: "http://mmbiz.qpic.cn/x/0",
          code_type: "CODE_TYPE_QRCODE",
          brand_name: "微信餐厅",
          title: "满100减10",
          color: "#63B359",
          notice: "n",
          description: "d",
          date_info: { type: 1, begin_timestamp: NOW_S, end_timestamp: NOW_S + 100 },
          sku: { quantity: 97, total_quantity: 100 },
          status: "CARD_STATUS_VERIFY_OK",
          get_limit: 1,
          can_share: false,
          can_give_friend: false,
          create_time: NOW_S,
          update_time: NOW_S,
        },
        least_cost: 10000,
        reduce_cost: 1000,
      },
    },
  };

  it("reads card/get into typed values (a hex colour of WeChat's palette as its name, date type 1 as its name)", async () => {
    const { cards, calls } = client(answer);
    const info = await cards.get("pCard1");
    expect(calls[0]).toMatchObject({ path: "/card/get", body: { card_id: "pCard1" }, idempotent: true });
    expect(info).toMatchObject({
      cardId: "pCard1",
      type: "CASH",
      status: "CARD_STATUS_VERIFY_OK",
      color: "Color010",
      date: { type: "DATE_TYPE_FIX_TIME_RANGE", beginTimestamp: NOW_S, endTimestamp: NOW_S + 100 },
      quantity: 97,
      totalQuantity: 100,
      leastCost: 10000,
      reduceCost: 1000,
      servicePhone: null,
    });
    expect(info.discount).toBeUndefined();
  });

  it("a body of the wrong shape is a transport error, not a half-read card", async () => {
    const broken = structuredClone(answer) as { card: { cash: { base_info: Record<string, unknown> } } };
    delete broken.card.cash.base_info.sku;
    const { cards } = client(broken);
    await expect(cards.get("pCard1")).rejects.toThrow();
  });
});

describe("stock, delete, batchget", () => {
  it("modifystock: a positive delta increases, a negative one reduces; never retried", async () => {
    const { cards, calls } = client({ errcode: 0, errmsg: "ok" });
    await cards.modifyStock("pCard1", 50);
    await cards.modifyStock("pCard1", -20);
    expect(calls.map((c) => c.body)).toEqual([
      { card_id: "pCard1", increase_stock_value: 50 },
      { card_id: "pCard1", reduce_stock_value: 20 },
    ]);
    expect(calls.every((c) => c.idempotent === false)).toBe(true);
    expect((await refusal(cards.modifyStock("pCard1", 0))).errcode).toBe(40122);
    expect((await refusal(cards.modifyStock("pCard1", 1.5))).errcode).toBe(40122);
    expect((await refusal(cards.modifyStock("", 5))).errcode).toBe(41012);
    expect(calls).toHaveLength(2);
  });

  it("delete and batchget", async () => {
    const { cards, calls } = client({ errcode: 0, errmsg: "ok", card_id_list: ["a1", "b2"], total_num: 2 });
    await cards.delete("a1");
    expect(await cards.batchGet({ offset: 0, count: 50, statusList: ["CARD_STATUS_VERIFY_OK"] })).toEqual({
      cardIds: ["a1", "b2"],
      total: 2,
    });
    expect(calls.map((c) => [c.path, c.body])).toEqual([
      ["/card/delete", { card_id: "a1" }],
      ["/card/batchget", { offset: 0, count: 50, status_list: ["CARD_STATUS_VERIFY_OK"] }],
    ]);
    expect((await refusal(cards.batchGet({ offset: 0, count: 51 }))).errcode).toBe(40097);
  });
});

describe("createQrCode", () => {
  it("sends QR_CARD with the card and outer_str, and reads the answer", async () => {
    const { cards, calls } = client({
      errcode: 0,
      errmsg: "ok",
      ticket: "gQHB8DoAAAAAAAAAASxodHRw",
      expire_seconds: 1800,
      url: "http://weixin.qq.com/q/BHWya_-l1sc",
      show_qrcode_url: "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=gQH",
    });
    expect(await cards.createQrCode({ cardId: "pCard1", outerStr: "poster_1", expireSeconds: 1800 })).toEqual({
      ticket: "gQHB8DoAAAAAAAAAASxodHRw",
      url: "http://weixin.qq.com/q/BHWya_-l1sc",
      showQrcodeUrl: "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=gQH",
      expireSeconds: 1800,
    });
    expect(calls[0]).toMatchObject({
      path: "/card/qrcode/create",
      idempotent: false,
      body: {
        action_name: "QR_CARD",
        expire_seconds: 1800,
        action_info: { card: { card_id: "pCard1", outer_str: "poster_1" } },
      },
    });
  });

  it("refuses an outer_str or expiry WeChat would not take", async () => {
    const { cards, calls } = client({});
    const error = await refusal(cards.createQrCode({ cardId: "pCard1", outerStr: "海报", expireSeconds: 59 }));
    expect(error.problems.map((p) => p.field)).toEqual(["outerStr", "expireSeconds"]);
    expect((await refusal(cards.createQrCode({ cardId: "pCard1", expireSeconds: 1801 }))).errcode).toBe(40097);
    expect(calls).toEqual([]);
  });
});

describe("codes", () => {
  it("code/get with check_consume, read into typed values", async () => {
    const { cards, calls } = client({
      errcode: 0,
      errmsg: "ok",
      card: { card_id: "pCard1", begin_time: NOW_S, end_time: NOW_S + 100 },
      openid: "oUser1",
      can_consume: true,
      user_card_status: "NORMAL",
    });
    expect(await cards.getCode({ code: " 1234 5678-9012 ", checkConsume: true })).toEqual({
      cardId: "pCard1",
      openid: "oUser1",
      canConsume: true,
      status: "NORMAL",
      beginTime: NOW_S,
      endTime: NOW_S + 100,
    });
    expect(calls[0]).toMatchObject({
      path: "/card/code/get",
      idempotent: true,
      body: { code: "123456789012", check_consume: true },
    });
  });

  it("consume is never retried, and a second consume's 40099 reaches the caller as a typed error", async () => {
    const consumedAgain = new WeChatApiError({
      errcode: 40099,
      errmsg: "invalid code, this code has consumed.",
      endpoint: "/card/code/consume",
    });
    const { cards, calls } = client(
      { errcode: 0, errmsg: "ok", card: { card_id: "pCard1" }, openid: "oUser1" },
      consumedAgain,
    );
    expect(await cards.consume({ code: "123456789012", cardId: "pCard1" })).toEqual({
      cardId: "pCard1",
      openid: "oUser1",
    });
    const error = await cards.consume({ code: "123456789012" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ errcode: 40099 });
    expect((error as WeChatApiError).info.staffMessage).toContain("已经核销");
    expect(calls.map((c) => [c.idempotent, c.body])).toEqual([
      [false, { code: "123456789012", card_id: "pCard1" }],
      [false, { code: "123456789012" }],
    ]);
  });

  it("refuses a code that is not letters and digits (40056) before calling", async () => {
    const { cards, calls } = client({});
    expect((await refusal(cards.consume({ code: "12345<script>" }))).errcode).toBe(40056);
    expect((await refusal(cards.getCode({ code: "", checkConsume: false }))).errcode).toBe(40056);
    expect(calls).toEqual([]);
    expect(normalizeCode("1234 5678-9012")).toBe("123456789012");
  });

  it("user/getcardlist", async () => {
    const { cards, calls } = client({
      errcode: 0,
      errmsg: "ok",
      card_list: [{ code: "111", card_id: "pCard1" }],
      has_share_card: false,
    });
    expect(await cards.userCards("oUser1")).toEqual([{ code: "111", cardId: "pCard1" }]);
    expect(calls[0]).toMatchObject({ path: "/card/user/getcardlist", body: { openid: "oUser1" }, idempotent: true });
    expect((await refusal(cards.userCards("not an openid"))).errcode).toBe(40003);
  });
});
