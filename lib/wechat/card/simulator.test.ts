/**
 * The card client against the simulator's cards, over HTTP with the app's own transport: two sides
 * written apart (lib/wechat/card and simulator/cards) must agree on the multipart upload, the create
 * body, the answers' shapes, the codes' states and errcodes, and the cardExt signature. The message
 * endpoint is the pusher's fetch here, reading each push with the app's own cardEventOf.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SIM_DEFAULTS, startSimulator, type Simulator } from "@/simulator/server";
import type { CgiCall, CgiClient } from "../cgi";
import { callWeChatApi } from "../http";
import { cardEventOf, parseInboundMessage, type CardEvent } from "../message-xml";
import { cardTicketCall } from "../token";
import { nodeTransport } from "../transport";
import { WeChatCards } from "./client";
import { createCardExt } from "./ext";

const START = Date.UTC(2026, 0, 15, 8, 0, 0);
const NOW_S = START / 1000;

let sim: Simulator;
let cards: WeChatCards;
let token = "";
const transport = nodeTransport();
const events: CardEvent[] = [];

/** The CgiClient's job in miniature: the simulator's access_token on the query, the call as given. */
const cgi: CgiClient = {
  call<T>(call: CgiCall<T>): Promise<T> {
    const url = new URL(`${sim.url}${call.path}`);
    url.searchParams.set("access_token", token);
    for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.append(key, value);
    return callWeChatApi(
      {
        url,
        method: call.method,
        body: call.body,
        upload: call.upload,
        schema: call.schema,
        idempotent: call.idempotent,
        endpoint: call.path,
      },
      { fetch: transport, sleep: async () => {} },
    );
  },
};

beforeAll(async () => {
  sim = await startSimulator({
    startTime: START,
    push: {
      target: "http://app.test/api/wechat/message",
      fetch: async (_url, init) => {
        const event = cardEventOf(parseInboundMessage(String(init?.body ?? "")));
        if (event) events.push(event);
        return new Response("success");
      },
    },
  });
  cards = new WeChatCards(cgi);
});
afterAll(async () => {
  await sim.close();
  transport.close();
});
beforeEach(async () => {
  sim.reset();
  events.length = 0;
  const query = new URLSearchParams({
    grant_type: "client_credential",
    appid: SIM_DEFAULTS.appId,
    secret: SIM_DEFAULTS.appSecret,
  });
  token = ((await (await fetch(`${sim.url}/cgi-bin/token?${query}`)).json()) as { access_token: string }).access_token;
});

const png = () => {
  const data = new Uint8Array(2048);
  data.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  data.set(randomBytes(16), 100); // the boundary must survive arbitrary bytes
  return data;
};

async function approvedCash(overrides: Record<string, unknown> = {}): Promise<string> {
  const { url } = await cards.uploadLogo(png());
  const { cardId } = await cards.create(
    {
      type: "CASH",
      logoUrl: url,
      brandName: "微信餐厅",
      title: "满100减10",
      color: "Color010",
      notice: "使用时向服务员出示此券",
      description: "不可与其他优惠同享",
      codeType: "CODE_TYPE_QRCODE",
      quantity: 5,
      getLimit: 1,
      canShare: false,
      canGiveFriend: true,
      date: { type: "DATE_TYPE_FIX_TIME_RANGE", beginTimestamp: NOW_S, endTimestamp: NOW_S + 7 * 86_400 },
      leastCost: 10_000,
      reduceCost: 1_000,
      ...overrides,
    },
    sim.now(),
  );
  sim.advance(5);
  await sim.cards.reviewDue();
  return cardId;
}

describe("the card client against the simulator", () => {
  it("uploads a logo as multipart, creates a card, is told of the review, reads it back", async () => {
    const cardId = await approvedCash();
    expect(events).toEqual([{ event: "card_pass_check", cardId }]);
    const info = await cards.get(cardId);
    expect(info).toMatchObject({
      cardId,
      type: "CASH",
      status: "CARD_STATUS_VERIFY_OK",
      color: "Color010",
      quantity: 5,
      totalQuantity: 5,
      getLimit: 1,
      leastCost: 10_000,
      reduceCost: 1_000,
      date: { type: "DATE_TYPE_FIX_TIME_RANGE", beginTimestamp: NOW_S, endTimestamp: NOW_S + 7 * 86_400 },
    });
    expect(await cards.batchGet({ offset: 0, count: 10 })).toEqual({ cardIds: [cardId], total: 1 });
  });

  it("a refusal review arrives as card_not_pass_check with its reason", async () => {
    sim.cards.setReview({ outcome: "fail", refuseReason: "品牌名称与资质不符" });
    const cardId = await approvedCash();
    expect(events).toEqual([{ event: "card_not_pass_check", cardId, refuseReason: "品牌名称与资质不符" }]);
    expect((await cards.get(cardId)).status).toBe("CARD_STATUS_VERIFY_FAIL");
  });

  it("take → code/get → consume → user_consume_card; a second consume is 40099 with its Chinese words", async () => {
    const cardId = await approvedCash();
    const qr = await cards.createQrCode({ cardId, outerStr: "poster_1" });
    const taken = await sim.cards.take({ openid: sim.users[0]!.openid, ticket: qr.ticket });
    if (!taken.ok) throw new Error("take failed");
    expect(events.at(-1)).toMatchObject({
      event: "user_get_card",
      code: taken.code,
      outerStr: "poster_1",
      isGiveByFriend: false,
    });
    expect(await cards.getCode({ code: taken.code, checkConsume: true })).toMatchObject({
      cardId,
      openid: sim.users[0]!.openid,
      canConsume: true,
      status: "NORMAL",
    });
    expect(await cards.userCards(sim.users[0]!.openid)).toEqual([{ code: taken.code, cardId }]);
    const [a, b] = await Promise.allSettled([cards.consume({ code: taken.code }), cards.consume({ code: taken.code })]);
    const outcomes = [a, b].map((r) => (r.status === "fulfilled" ? "ok" : (r.reason as { errcode: number }).errcode));
    expect(outcomes.sort()).toEqual([40099, "ok"]);
    const refused = [a, b].find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((refused.reason as { info: { staffMessage: string } }).info.staffMessage).toBe(
      "该券码已经核销过了，不能再次核销。",
    );
    await sim.cards.settle();
    expect(events.filter((e) => e.event === "user_consume_card")).toEqual([
      expect.objectContaining({ code: taken.code, consumeSource: "FROM_API" }),
    ]);
    expect(await cards.getCode({ code: taken.code, checkConsume: false })).toMatchObject({
      status: "CONSUMED",
      canConsume: false,
    });
    await expect(cards.getCode({ code: "999999999999", checkConsume: true })).rejects.toMatchObject({ errcode: 40056 });
  });

  it("stock: the client's negative delta reduces, never below zero (40122)", async () => {
    const cardId = await approvedCash();
    await cards.modifyStock(cardId, 3);
    await cards.modifyStock(cardId, -8);
    expect((await cards.get(cardId)).quantity).toBe(0);
    await expect(cards.modifyStock(cardId, -1)).rejects.toMatchObject({ errcode: 40122 });
    await cards.delete(cardId);
    expect((await cards.get(cardId)).status).toBe("CARD_STATUS_DELETE");
  });

  it("the cardExt the app signs is one WeChat's check accepts, once", async () => {
    const cardId = await approvedCash();
    const ticket = await cgi.call(cardTicketCall);
    const entry = createCardExt({
      apiTicket: ticket.value,
      cardId,
      nowMs: sim.now(),
      randomBytes: (n) => randomBytes(n),
      outerStr: "h5",
    });
    const openid = sim.users[0]!.openid;
    expect(await sim.cards.addCard({ openid, cardList: [entry] })).toMatchObject({
      errMsg: "addCard:ok",
      cardList: [{ cardId, isSuccess: true }],
    });
    expect(events.at(-1)).toMatchObject({ event: "user_get_card", outerStr: "h5", openid });
    expect((await sim.cards.addCard({ openid, cardList: [entry] })).errMsg).toBe("addCard:fail");
  });
});
