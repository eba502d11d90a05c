// Cards and coupons against the simulator, on SQLite and PostgreSQL, with the simulator's pushes going
// through the message endpoint and applied after the answer as the app does it (the endpoint's store
// wrapped in CardPushStore, its queue tracked so a test waits for the application, never for time):
// the logo and the card, the review pushes, take → check → consume → the consume push, two consumes at
// once, the stock never below zero, a push applied once however often it comes, gifts and deletions,
// 我的卡券 topped up from getcardlist, and the signed cardExt accepted by the simulator's wx.addCard.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { MovableClock, serveMessageEndpoint, testMessageDeps, testMessageStore } from "@/test/support/messages";
import { simulatorCgiClient } from "@/test/support/followers/clients";
import { useLoginWorld, START_TIME, type LoginWorld } from "@/test/support/world";
import { AppError } from "@/lib/errors";
import { ApplyQueue } from "@/lib/messages/apply-queue";
import type { MessageDeps } from "@/lib/messages/endpoint";
import { resumePendingEvents } from "@/lib/messages/process";
import { findOrCreatePersonByOpenid } from "@/lib/users";
import { CardRefusedError, WeChatCards } from "@/lib/wechat/card";
import { WeChatApiError } from "@/lib/wechat/errors";
import { MessageCrypto } from "@/lib/wechat/message-crypto";
import { cardTicketCall } from "@/lib/wechat/token";
import { PUSH_DEFAULTS } from "@/simulator/push";
import { SIM_DEFAULTS } from "@/simulator/server";
import {
  cardPage,
  createCard,
  createCardQrCode,
  deleteCard,
  listCards,
  modifyStock,
  syncCard,
  uploadCardLogo,
  type CardDeps,
} from "./cards";
import { applyCardPush, CardPushStore } from "./events";
import { CLAIM_SECONDS, cardOffer, myCards, releaseCardClaim } from "./mine";
import { checkCode, consumeCode } from "./redeem";

const APP_ID = SIM_DEFAULTS.appId;
const STAFF = "admin@example.com";
const NOW_S = START_TIME / 1000;

const caught = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

function png(seed = 0): Uint8Array {
  const data = new Uint8Array(4096);
  data.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  data[200] = seed;
  return data;
}

const cashDraft = (overrides: Record<string, unknown> = {}) => ({
  type: "CASH",
  brandName: "微信餐厅",
  title: "满100减10",
  color: "Color010",
  notice: "使用时向服务员出示此券",
  description: "不可与其他优惠同享",
  codeType: "CODE_TYPE_QRCODE",
  quantity: 3,
  getLimit: 2,
  canShare: false,
  canGiveFriend: true,
  date: { type: "DATE_TYPE_FIX_TIME_RANGE", beginTimestamp: NOW_S, endTimestamp: NOW_S + 7 * 86_400 },
  leastCost: 10_000,
  reduceCost: 1_000,
  ...overrides,
});

forEachDatabase((_kind, database) => {
  const world = useLoginWorld(database);
  let w: LoginWorld;
  let deps: CardDeps;
  let messageDeps: MessageDeps;
  let endpoint: { url: string; close(): Promise<void> };
  const applying: Promise<void>[] = [];

  beforeAll(async () => {
    w = world();
    const store = new CardPushStore(testMessageStore(database()), {
      db: database().db,
      appId: APP_ID,
      now: () => w.clock.now(),
    });
    // The simulator's pushes, signed with its Token and key, on the world's clock; applied after the
    // answer by the app's queue, whose work the tests wait for.
    messageDeps = testMessageDeps(database(), new MovableClock(), {
      token: PUSH_DEFAULTS.token,
      crypto: new MessageCrypto(PUSH_DEFAULTS.encodingAesKey, APP_ID),
      now: () => w.clock.now(),
      store,
    });
    const queue = new ApplyQueue(messageDeps, 0);
    const tracked = {
      enqueue: (id: string, delivery: string | null) => {
        const done = queue.enqueue(id, delivery);
        applying.push(done);
        return done;
      },
    } as unknown as ApplyQueue;
    endpoint = await serveMessageEndpoint(messageDeps, { afterAnswer: tracked });
  });
  afterAll(() => endpoint.close());

  beforeEach(async () => {
    w = world();
    for (const table of [
      "cardEvent",
      "cardClaim",
      "cardCode",
      "card",
      "cardLogo",
      "weChatEvent",
      "pushNonce",
      "qrCode",
    ] as const)
      await (w.db[table] as { deleteMany(): Promise<unknown> }).deleteMany();
    w.sim.push.setTarget(endpoint.url);
    const cgi = simulatorCgiClient(w.sim);
    deps = {
      db: w.db,
      wechat: new WeChatCards(cgi),
      appId: APP_ID,
      now: w.clock.now,
      cardTicket: () => cgi.call(cardTicketCall),
      randomBytes: (n) => randomBytes(n),
    };
  });

  /** Every push the simulator made has been answered and applied. */
  async function settled(): Promise<void> {
    await w.sim.cards.settle();
    while (applying.length > 0) await Promise.all(applying.splice(0));
  }
  const calls = (path: string) => w.sim.requests().filter((r) => r.path === path).length;
  const personas = () => w.sim.users.filter((u) => !u.snapshot).map((u) => u.openid);

  async function approvedCard(overrides: Record<string, unknown> = {}) {
    const logo = await uploadCardLogo(deps, png(), STAFF);
    const card = await createCard(deps, { ...cashDraft(overrides), logoId: logo.id }, STAFF);
    w.clock.advance(5);
    await w.sim.cards.reviewDue();
    await settled();
    return card;
  }

  async function take(openid: string, cardId: string, extra: { ticket?: string } = {}) {
    const result = await w.sim.cards.take({ openid, ...(extra.ticket ? { ticket: extra.ticket } : { cardId }) });
    if (!result.ok) throw new Error(`take refused: ${result.errcode}`);
    await settled();
    return result.code;
  }

  it("uploads a logo once per content, judged by its bytes, then makes a card pending review", async () => {
    const gif = new TextEncoder().encode("GIF89a this is not a PNG");
    const refused = await caught(uploadCardLogo(deps, gif, STAFF));
    expect(refused).toBeInstanceOf(CardRefusedError);
    expect((refused as CardRefusedError).problems).toEqual([
      expect.objectContaining({ field: "logo", errcode: 40005 }),
    ]);
    expect(calls("/cgi-bin/media/uploadimg")).toBe(0);

    const logo = await uploadCardLogo(deps, png(1), STAFF);
    expect(logo.url).toMatch(/^http:\/\/mmbiz\.qpic\.cn\//);
    expect(w.sim.cards.logoKnown(logo.url)).toBe(true);
    expect(await uploadCardLogo(deps, png(1), STAFF)).toEqual(logo);
    expect(calls("/cgi-bin/media/uploadimg")).toBe(1);

    const card = await createCard(deps, { ...cashDraft(), logoId: logo.id }, STAFF);
    expect(card).toMatchObject({
      type: "CASH",
      typeLabel: "代金券",
      title: "满100减10",
      review: { status: "NOT_VERIFY", label: "审核中", refuseReason: null },
      quantity: 3,
      totalQuantity: 3,
      getLimit: 2,
      logoId: logo.id,
      colorHex: "#63b359",
      deleted: false,
      createdBy: STAFF,
    });
    expect(w.sim.cards.card(card.wxCardId)?.status).toBe("CARD_STATUS_NOT_VERIFY");
    expect(card.draft).toMatchObject({ logoUrl: logo.url, leastCost: 10_000 });
  });

  it("refuses a draft with every problem on its field before calling WeChat", async () => {
    const error = await caught(
      createCard(deps, { ...cashDraft({ title: "一二三四五六七八九十", color: "Color999" }), logoId: "nope" }, STAFF),
    );
    expect(error).toBeInstanceOf(CardRefusedError);
    const fields = (error as CardRefusedError).problems.map((p) => [p.field, p.errcode]);
    expect(fields).toEqual(
      expect.arrayContaining([
        ["logoUrl", 41011],
        ["title", 45021],
        ["color", 40076],
      ]),
    );
    expect(calls("/card/create")).toBe(0);
    expect(await w.db.card.count()).toBe(0);
  });

  it("the review pushes move the review: passed, and refused with its reason; no person is made of them", async () => {
    const passed = await approvedCard();
    w.sim.cards.setReview({ mode: "manual" });
    const logo = await uploadCardLogo(deps, png(2), STAFF);
    const refused = await createCard(deps, { ...cashDraft(), logoId: logo.id }, STAFF);
    await w.sim.cards.decide(refused.wxCardId, false, "品牌名称与资质不符");
    await settled();

    const cards = await listCards(deps);
    expect(cards.find((c) => c.id === passed.id)?.review).toMatchObject({ status: "VERIFY_OK", label: "已通过" });
    expect(cards.find((c) => c.id === refused.id)?.review).toMatchObject({
      status: "VERIFY_FAIL",
      label: "未通过",
      refuseReason: "品牌名称与资质不符",
      reviewedAt: w.clock.now().toISOString(),
    });
    const events = await w.db.weChatEvent.findMany({
      where: { event: { in: ["card_pass_check", "card_not_pass_check"] } },
    });
    expect(events.map((e) => [e.status, e.userId])).toEqual([
      ["done", null],
      ["done", null],
    ]);
    expect(await w.db.identity.count({ where: { openid: PUSH_DEFAULTS.accountId } })).toBe(0);
    // Not approved: no QR code for it (refused before calling).
    const qr = await caught(createCardQrCode(deps, refused.id, {}));
    expect((qr as AppError).code).toBe("card_not_approved");
    expect(calls("/card/qrcode/create")).toBe(0);
  });

  it("a review that arrives before our row is written is applied when the row is", async () => {
    w.sim.cards.setReview({ mode: "manual" });
    const wechat = deps.wechat;
    // WeChat reviews the card between its answer to card/create and our write.
    const hasty = Object.create(wechat) as WeChatCards;
    hasty.create = async (input, nowMs) => {
      const made = await wechat.create(input, nowMs);
      await w.sim.cards.decide(made.cardId, false, "logo 不清晰");
      await settled();
      return made;
    };
    const logo = await uploadCardLogo(deps, png(3), STAFF);
    const card = await createCard({ ...deps, wechat: hasty }, { ...cashDraft(), logoId: logo.id }, STAFF);
    expect(card.review).toMatchObject({ status: "VERIFY_FAIL", refuseReason: "logo 不清晰" });
  });

  it("take → check → consume → the consume push: the code for its person, redeemed once, counted per day", async () => {
    const card = await approvedCard();
    const [zhang] = personas();
    const userId = await findOrCreatePersonByOpenid(w.db, APP_ID, zhang!, w.clock.now());
    await w.db.user.update({ where: { id: userId }, data: { nickname: "张三" } });
    const code = await take(zhang!, card.wxCardId);

    const row = await w.db.cardCode.findFirstOrThrow({ where: { code } });
    expect(row).toMatchObject({ cardId: card.id, openid: zhang, state: "NORMAL", fromFriend: false, source: "push" });
    expect((await w.db.card.findUniqueOrThrow({ where: { id: card.id } })).quantity).toBe(2);

    const check = await checkCode(deps, `${code.slice(0, 4)} ${code.slice(4, 8)}-${code.slice(8)}`);
    expect(check).toMatchObject({
      code,
      canConsume: true,
      status: "NORMAL",
      reason: null,
      card: { id: card.id, title: "满100减10" },
      owner: { openid: zhang, userId, nickname: "张三" },
      record: { state: "NORMAL", stateLabel: "可用" },
    });

    w.clock.advance(60);
    const done = await consumeCode(deps, code, "counter@example.com");
    expect(done).toMatchObject({ code, card: { id: card.id }, owner: { userId }, consumedBy: "counter@example.com" });
    await settled();
    expect(await w.db.cardCode.findFirstOrThrow({ where: { code } })).toMatchObject({
      state: "CONSUMED",
      consumedBy: "counter@example.com",
      consumeSource: "FROM_API",
    });
    expect(await w.db.cardEvent.count({ where: { code, event: "user_consume_card" } })).toBe(1);

    const again = await checkCode(deps, code);
    expect(again).toMatchObject({ canConsume: false, status: "CONSUMED", statusLabel: "已核销" });
    expect(again.reason).toContain("已经核销过了");

    const page = await cardPage(deps, card.id);
    expect(page.counts).toMatchObject({ taken: 1, redeemed: 1, usable: 0, views: 0 });
    expect(page.card.quantity).toBe(2);
    expect(page.daily).toEqual([{ day: "2026-01-15", taken: 1, redeemed: 1, deleted: 0, gifted: 0, viewed: 0 }]);
  });

  it("two consumes of one code at once: exactly one succeeds, the other is told 40099 in Chinese", async () => {
    const card = await approvedCard();
    const code = await take(personas()[0]!, card.wxCardId);
    const results = await Promise.allSettled([
      consumeCode(deps, code, "counter-a@example.com"),
      consumeCode(deps, code, "counter-b@example.com"),
    ]);
    const fulfilled = results.filter((r) => r.status === "fulfilled");
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    const error = rejected[0]!.reason as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "wechat_rejected", errcode: 40099 });
    expect(error.userMessage).toContain("这张券已经核销过了");
    await settled();
    expect(w.sim.cards.codesOf({ cardId: card.wxCardId }).map((c) => c.status)).toEqual(["CONSUMED"]);
    expect(await w.db.cardCode.count({ where: { code, state: "CONSUMED" } })).toBe(1);
    expect(await w.db.cardEvent.count({ where: { code, event: "user_consume_card" } })).toBe(1);

    // A third try after both are written names who redeemed it and when.
    const third = (await caught(consumeCode(deps, code, "counter-c@example.com"))) as AppError;
    const winner = (fulfilled[0] as PromiseFulfilledResult<{ consumedBy: string }>).value.consumedBy;
    expect(third.userMessage).toContain(winner);
    expect(third.userMessage).toContain("北京时间");
  });

  it("stock never goes below zero: refused before calling, refused by WeChat, and not by takes", async () => {
    const card = await approvedCard({ quantity: 2 });
    const tooMany = await caught(modifyStock(deps, card.id, -3));
    expect(tooMany).toBeInstanceOf(CardRefusedError);
    expect((tooMany as CardRefusedError).problems[0]).toMatchObject({ field: "delta", errcode: 40122 });
    expect(calls("/card/modifystock")).toBe(0);

    expect(await modifyStock(deps, card.id, 5)).toMatchObject({ quantity: 7, totalQuantity: 7 });
    expect(await modifyStock(deps, card.id, -7)).toMatchObject({ quantity: 0, totalQuantity: 7 });
    expect(w.sim.cards.card(card.wxCardId)?.quantity).toBe(0);

    // Our count a step behind WeChat's (a take whose push has not come): WeChat refuses, nothing moves.
    await w.db.card.update({ where: { id: card.id }, data: { quantity: 1 } });
    const behind = await caught(modifyStock(deps, card.id, -1));
    expect((behind as WeChatApiError).errcode).toBe(40122);
    expect((await w.db.card.findUniqueOrThrow({ where: { id: card.id } })).quantity).toBe(1);
    expect((await syncCard(deps, card.id)).quantity).toBe(0);

    // No stock: WeChat refuses the take, and our stock stays at zero.
    expect(await w.sim.cards.take({ openid: personas()[0]!, cardId: card.wxCardId })).toMatchObject({
      ok: false,
      errcode: 45031,
    });
    await settled();
    expect((await w.db.card.findUniqueOrThrow({ where: { id: card.id } })).quantity).toBe(0);
  });

  it("a push applied once however often it comes: WeChat's retry, twice at once, two instances", async () => {
    const card = await approvedCard();
    const [openid] = personas();
    const push = {
      type: "user_get_card" as const,
      openid: openid!,
      createTime: NOW_S + 100,
      fields: [
        ["CardId", card.wxCardId],
        ["UserCardCode", "900000000001"],
        ["IsGiveByFriend", "0"],
        ["OuterStr", "poster"],
      ] as [string, string][],
    };
    await w.sim.push.push(push);
    await w.sim.push.push(push);
    await settled();
    expect(await w.db.cardEvent.count({ where: { code: "900000000001" } })).toBe(1);
    expect(await w.db.cardCode.findFirstOrThrow({ where: { code: "900000000001" } })).toMatchObject({
      outerStr: "poster",
      state: "NORMAL",
    });
    expect((await w.db.card.findUniqueOrThrow({ where: { id: card.id } })).quantity).toBe(2);

    // The same push applied by two instances at once, and again later.
    const recorded = {
      dedupeKey: "card:test-dup",
      createdAt: new Date((NOW_S + 200) * 1000),
      event: {
        event: "user_get_card" as const,
        cardId: card.wxCardId,
        openid: openid!,
        code: "900000000002",
        isGiveByFriend: false,
        friendOpenid: null,
        oldCode: null,
        outerStr: null,
        unionid: null,
      },
    };
    const eventDeps = { db: w.db, appId: APP_ID, now: w.clock.now };
    const both = await Promise.all([applyCardPush(eventDeps, recorded), applyCardPush(eventDeps, recorded)]);
    expect(both.sort()).toEqual(["applied", "duplicate"]);
    expect(await applyCardPush(eventDeps, recorded)).toBe("duplicate");
    expect(await w.db.cardCode.count({ where: { code: "900000000002" } })).toBe(1);
    expect((await w.db.card.findUniqueOrThrow({ where: { id: card.id } })).quantity).toBe(1);
  });

  it("an event recorded but not applied (a restart) is applied by the resume, once, through a fresh store", async () => {
    const card = await approvedCard();
    // The endpoint records, but this process dies before applying: the queue never runs.
    const recordOnly = { ...messageDeps };
    const silent = await serveMessageEndpoint(recordOnly);
    try {
      w.sim.push.setTarget(silent.url);
      const code = await w.sim.cards.take({ openid: personas()[1]!, cardId: card.wxCardId });
      expect(code.ok).toBe(true);
      await w.sim.cards.settle();
    } finally {
      await silent.close();
    }
    expect(await w.db.cardCode.count()).toBe(0);
    const restarted = new CardPushStore(testMessageStore(database()), { db: w.db, appId: APP_ID, now: w.clock.now });
    expect(await resumePendingEvents({ store: restarted, now: w.clock.now })).toBe(1);
    expect(await resumePendingEvents({ store: restarted, now: w.clock.now })).toBe(0);
    expect(await w.db.cardCode.count({ where: { state: "NORMAL", openid: personas()[1]! } })).toBe(1);
    const event = await w.db.weChatEvent.findFirstOrThrow({ where: { event: "user_get_card" } });
    expect(event.status).toBe("done");
    expect(event.userId).not.toBeNull();
  });

  it("gifts, deletions, views and the helper's consume move the codes; 我的卡券 shows them, topped up when a push was missed", async () => {
    const card = await approvedCard({ getLimit: 5, quantity: 10 });
    const [a, b] = personas();
    const userA = await findOrCreatePersonByOpenid(w.db, APP_ID, a!, w.clock.now());
    const userB = await findOrCreatePersonByOpenid(w.db, APP_ID, b!, w.clock.now());
    const gifted = await take(a!, card.wxCardId);
    const deleted = await take(a!, card.wxCardId);
    const helped = await take(a!, card.wxCardId);
    await w.sim.cards.view(helped);
    const { code: received } = await w.sim.cards.gift(gifted, b!);
    await w.sim.cards.deleteByUser(deleted);
    await w.sim.cards.consumeByHelper(helped);
    await settled();

    // A take whose push never arrived (the endpoint was away).
    w.sim.push.setTarget("http://127.0.0.1:9/unreachable");
    const missed = await w.sim.cards.take({ openid: a!, cardId: card.wxCardId });
    expect(missed.ok).toBe(true);
    w.sim.push.setTarget(endpoint.url);

    const states = async (codes: string[]) =>
      Object.fromEntries(
        (await w.db.cardCode.findMany({ where: { code: { in: codes } } })).map((c) => [c.code, c.state]),
      );
    expect(await states([gifted, deleted, helped, received])).toEqual({
      [gifted]: "GIFTED",
      [deleted]: "DELETED",
      [helped]: "CONSUMED",
      [received]: "NORMAL",
    });
    expect(await w.db.cardCode.findFirstOrThrow({ where: { code: received } })).toMatchObject({
      openid: b,
      fromFriend: true,
      friendOpenid: a,
      oldCode: gifted,
    });

    const mine = await myCards(deps, userA, { topUp: true });
    expect(mine.toppedUp).toBe(1);
    const byCode = new Map(mine.cards.map((c) => [c.code, c]));
    expect(byCode.get(missed.ok ? missed.code : "")).toMatchObject({
      state: "NORMAL",
      stateLabel: "可用",
      usable: true,
    });
    expect(byCode.get(gifted)).toMatchObject({ stateLabel: "已转赠", usable: false });
    expect(byCode.get(deleted)).toMatchObject({ stateLabel: "已删除" });
    expect(byCode.get(helped)).toMatchObject({ stateLabel: "已使用" });
    expect((await myCards(deps, userB)).cards.map((c) => [c.code, c.stateLabel, c.fromFriend])).toEqual([
      [received, "可用", true],
    ]);

    const page = await cardPage(deps, card.id);
    expect(page.counts).toMatchObject({
      taken: 4,
      received: 1,
      redeemed: 1,
      deleted: 1,
      gifted: 1,
      usable: 2,
      views: 1,
    });
    expect(page.daily).toEqual([{ day: "2026-01-15", taken: 4, redeemed: 1, deleted: 1, gifted: 1, viewed: 1 }]);

    // Past the card's end, a usable code shows as 已过期.
    w.clock.advance(8 * 86_400);
    expect((await myCards(deps, userB)).cards[0]).toMatchObject({
      state: "EXPIRED",
      stateLabel: "已过期",
      usable: false,
    });
  });

  it("signs a cardExt the simulator's wx.addCard accepts, up to the person's get_limit, tied to a channel", async () => {
    const card = await approvedCard({ getLimit: 1 });
    const [openid] = personas();
    const userId = await findOrCreatePersonByOpenid(w.db, APP_ID, openid!, w.clock.now());
    const offer = await cardOffer(deps, userId, { cardId: card.id, outerStr: "h5_banner" });
    expect(offer.cardId).toBe(card.wxCardId);
    expect(JSON.parse(offer.cardExt)).toMatchObject({ outer_str: "h5_banner", timestamp: String(NOW_S + 5) });
    const added = await w.sim.cards.addCard({
      openid: openid!,
      cardList: [{ cardId: offer.cardId, cardExt: offer.cardExt }],
    });
    expect(added.errMsg).toBe("addCard:ok");
    await settled();
    expect(await w.db.cardCode.findFirstOrThrow({ where: { openid } })).toMatchObject({ outerStr: "h5_banner" });

    const limit = (await caught(cardOffer(deps, userId, { cardId: card.wxCardId }))) as AppError;
    expect(limit.code).toBe("card_get_limit");
    expect(limit.userMessage).toBe("每人限领 1 张，你已经领过了。");
  });

  it("get_limit under concurrency: requests at once get no more cardExts than places; a cancel or the take's push frees one", async () => {
    const card = await approvedCard({ getLimit: 2 });
    const [openid, other] = personas();
    const userId = await findOrCreatePersonByOpenid(w.db, APP_ID, openid!, w.clock.now());
    const otherId = await findOrCreatePersonByOpenid(w.db, APP_ID, other!, w.clock.now());

    const racing = await Promise.all(
      Array.from({ length: 6 }, () => caught(cardOffer(deps, userId, { cardId: card.id }))),
    );
    const offers = await w.db.cardClaim.findMany({ where: { cardId: card.id, userId }, orderBy: { slot: "asc" } });
    expect(racing.filter((r) => r === undefined)).toHaveLength(2);
    expect(offers.map((c) => c.slot)).toEqual([0, 1]);
    for (const refused of racing.filter((r) => r !== undefined)) {
      expect((refused as AppError).code).toBe("card_claim_pending");
      expect((refused as AppError).userMessage).toMatch(/正在领取/);
    }
    // Somebody else is not held back by this person's places.
    expect((await cardOffer(deps, otherId, { cardId: card.id })).card.taken).toBe(0);

    // A cancel gives its place back (only the person's own).
    expect(await releaseCardClaim(deps, otherId, offers[0]!.id)).toEqual({ released: false });
    expect(await releaseCardClaim(deps, userId, offers[0]!.id)).toEqual({ released: true });
    const offer = await cardOffer(deps, userId, { cardId: card.id });
    // Taken: the push turns the oldest place into a code, the count stays at two.
    const added = await w.sim.cards.addCard({
      openid: openid!,
      cardList: [{ cardId: offer.cardId, cardExt: offer.cardExt }],
    });
    expect(added.errMsg).toBe("addCard:ok");
    await settled();
    expect(await w.db.cardClaim.count({ where: { cardId: card.id, userId } })).toBe(1);
    expect(((await caught(cardOffer(deps, userId, { cardId: card.id }))) as AppError).code).toBe("card_claim_pending");

    // An unanswered cardExt's place lapses with its timestamp; then a taken code and the limit stop it.
    w.clock.advance(CLAIM_SECONDS);
    const again = await cardOffer(deps, userId, { cardId: card.id });
    expect(again.card.taken).toBe(1);
    const second = await w.sim.cards.addCard({
      openid: openid!,
      cardList: [{ cardId: again.cardId, cardExt: again.cardExt }],
    });
    expect(second.errMsg).toBe("addCard:ok");
    await settled();
    const limit = (await caught(cardOffer(deps, userId, { cardId: card.id }))) as AppError;
    expect(limit.code).toBe("card_get_limit");
    expect(limit.userMessage).toBe("每人限领 2 张，你已经领过了。");
    expect(await w.db.cardClaim.count({ where: { cardId: card.id, userId } })).toBe(0);
  });

  it("a QR code tied to a channel QR code carries its scene into the take; delete stops the card everywhere", async () => {
    const card = await approvedCard();
    const channel = await w.db.qrCode.create({
      data: {
        appId: APP_ID,
        name: "地铁海报",
        scene: "metro_2026",
        action: "QR_LIMIT_STR_SCENE",
        ticket: "t",
        url: "http://weixin.qq.com/q/x",
        createdAt: w.clock.now(),
        createdBy: STAFF,
      },
    });
    const qr = await createCardQrCode(deps, card.id, { qrCodeId: channel.id, expireSeconds: 1800 });
    expect(qr).toMatchObject({
      outerStr: "metro_2026",
      channel: { id: channel.id, name: "地铁海报" },
      expireSeconds: 1800,
    });
    const code = await take(personas()[0]!, card.wxCardId, { ticket: qr.ticket });
    expect(await w.db.cardCode.findFirstOrThrow({ where: { code } })).toMatchObject({ outerStr: "metro_2026" });

    const gone = await deleteCard(deps, card.id);
    expect(gone.deleted).toBe(true);
    expect(w.sim.cards.card(card.wxCardId)?.status).toBe("CARD_STATUS_DELETE");
    expect(await deleteCard(deps, card.id)).toMatchObject({ deleted: true });
    expect(calls("/card/delete")).toBe(1);
    const check = await checkCode(deps, code);
    expect(check).toMatchObject({ canConsume: false, status: "UNAVAILABLE", card: { deleted: true } });
    const userId = await findOrCreatePersonByOpenid(w.db, APP_ID, personas()[1]!, w.clock.now());
    expect(((await caught(cardOffer(deps, userId, { cardId: card.id }))) as AppError).code).toBe("card_unavailable");
    expect(((await caught(modifyStock(deps, card.id, 1))) as AppError).code).toBe("card_deleted");
  });
});
