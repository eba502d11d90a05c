// The message endpoint's work on both databases: verification, the three modes, hardening, record-first
// with de-duplication of WeChat's retries, applying events (person, subscription, timeline), auto-replies,
// and resuming after a restart.
import { beforeEach, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { MessageCrypto } from "@/lib/wechat/message-crypto";
import { checkMsgSignature } from "@/lib/wechat/message-signature";
import { parseXmlFields } from "@/lib/wechat/message-xml";
import { forEachDatabase } from "@/test/support/db";
import { recordLogin } from "@/lib/users";
import { createAuthDeps } from "@/lib/auth/deps";
import { parseEnv } from "@/lib/env";
import { AutoReplyCache, createAutoReply, deleteAutoReply, listAutoReplies, updateAutoReply } from "./auto-replies";
import { NonceSweeper, TIMESTAMP_WINDOW_SECONDS, receivePush, verifyUrl, type MessageDeps } from "./endpoint";
import { processEvent, resumePendingEvents, MAX_ATTEMPTS } from "./process";
import { listTimeline } from "./timeline";
import {
  MovableClock,
  T0,
  TEST_AES_KEY,
  TEST_APP_ID,
  TEST_TOKEN,
  pushXml,
  signPush,
  signVerification,
  testMessageDeps,
  testProcessDeps,
  type Mode,
} from "@/test/support/messages";

const refusal = async (run: Promise<unknown>): Promise<string> => {
  try {
    await run;
    return "accepted";
  } catch (err) {
    if (err instanceof AppError) return `${err.code}:${err.message}`;
    throw err;
  }
};

const sec = (ms: number) => Math.floor(ms / 1000);

forEachDatabase((_kind, database) => {
  let clock: MovableClock;
  let deps: MessageDeps;

  beforeEach(async () => {
    const { db } = database();
    await db.weChatEvent.deleteMany();
    await db.pushNonce.deleteMany();
    await db.autoReply.deleteMany();
    await db.identity.deleteMany();
    await db.user.deleteMany();
    clock = new MovableClock();
    deps = testMessageDeps(database(), clock);
  });

  const pd = () => testProcessDeps(database(), clock.now);
  const push = (xml: string, options: Parameters<typeof signPush>[1] = {}) => {
    const signed = signPush(xml, { timestamp: sec(clock.ms), ...options });
    return receivePush(deps, signed.params, signed.body);
  };

  describe("GET verification", () => {
    it("echoes echostr when the signature holds", async () => {
      expect(await verifyUrl(deps, signVerification({ echostr: "hello123" }))).toBe("hello123");
    });

    it("refuses a forged, a stale and a replayed query, echoing nothing", async () => {
      expect(await refusal(verifyUrl(deps, signVerification({ token: "wrongtoken" })))).toBe("push_refused:signature");
      const stale = signVerification({ timestamp: sec(T0) - TIMESTAMP_WINDOW_SECONDS - 1 });
      expect(await refusal(verifyUrl(deps, stale))).toBe("push_refused:stale");
      const future = signVerification({ timestamp: sec(T0) + TIMESTAMP_WINDOW_SECONDS + 1 });
      expect(await refusal(verifyUrl(deps, future))).toBe("push_refused:stale");
      const once = signVerification({ nonce: "77" });
      expect(await verifyUrl(deps, once)).toBe("4075181314397890557");
      expect(await refusal(verifyUrl(deps, once))).toBe("push_refused:replayed");
      const noSignature = signVerification();
      noSignature.delete("signature");
      expect(await refusal(verifyUrl(deps, noSignature))).toBe("push_refused:signature");
      const noEcho = signVerification();
      noEcho.delete("echostr");
      expect(await refusal(verifyUrl(deps, noEcho))).toBe("push_refused:echostr");
    });
  });

  describe.each<Mode>(["plaintext", "compatible", "aes"])("a push in %s mode", (mode) => {
    it("records a subscribe first, answers success, then creates the person with the QR scene", async () => {
      const { db } = database();
      const outcome = await push(pushXml({ event: "subscribe", eventKey: "qrscene_spring2026" }), { mode });
      expect(outcome).toMatchObject({
        body: "success",
        recorded: true,
        mode: mode === "plaintext" ? "plaintext" : "aes",
      });
      const recorded = await db.weChatEvent.findUniqueOrThrow({ where: { id: outcome.eventId } });
      expect(recorded).toMatchObject({ status: "pending", openid: "o_test_user_1", event: "subscribe", userId: null });
      expect(await db.user.count()).toBe(0);

      expect((await processEvent(pd(), outcome.eventId)).result).toBe("done");
      const identity = await db.identity.findUniqueOrThrow({
        where: { appid_openid: { appid: TEST_APP_ID, openid: "o_test_user_1" } },
        include: { user: true },
      });
      expect(identity.user).toMatchObject({
        subscribed: true,
        subscribedAt: new Date(T0),
        subscribeScene: "ADD_SCENE_QR_CODE",
        qrScene: "spring2026",
      });
      expect(await db.weChatEvent.findUniqueOrThrow({ where: { id: outcome.eventId } })).toMatchObject({
        status: "done",
        userId: identity.userId,
        attempts: 1,
      });
    });

    it("answers a keyword with the passive reply, encrypted when the push was", async () => {
      const { db } = database();
      await createAutoReply(db, {
        kind: "keyword",
        keyword: "帮助",
        match: "contains",
        reply: "回复 1 查看菜单",
        enabled: true,
      });
      const outcome = await push(pushXml({ content: "我需要帮助", msgId: "1001" }), { mode });
      let replyXml = outcome.body;
      if (mode !== "plaintext") {
        const envelope = parseXmlFields(outcome.body);
        expect(
          checkMsgSignature(
            TEST_TOKEN,
            { msgSignature: envelope.MsgSignature, timestamp: envelope.TimeStamp ?? "", nonce: envelope.Nonce ?? "" },
            envelope.Encrypt ?? "",
          ),
        ).toBe(true);
        replyXml = new MessageCrypto(TEST_AES_KEY, TEST_APP_ID).decrypt(envelope.Encrypt ?? "");
      }
      expect(parseXmlFields(replyXml)).toMatchObject({
        ToUserName: "o_test_user_1",
        MsgType: "text",
        Content: "回复 1 查看菜单",
      });
    });
  });

  describe("WeChat's retries", () => {
    it("three retries (same signed query, or fresh ones) make one event and replay the first reply", async () => {
      const { db } = database();
      await createAutoReply(db, { kind: "subscribe", keyword: "", match: "exact", reply: "欢迎关注", enabled: true });
      const signed = signPush(pushXml({ event: "subscribe" }), { mode: "aes", timestamp: sec(clock.ms) });
      const first = await receivePush(deps, signed.params, signed.body);
      const firstReply = new MessageCrypto(TEST_AES_KEY, TEST_APP_ID).decrypt(parseXmlFields(first.body).Encrypt ?? "");
      // The rule changes between the tries: the retries still get what the first try got.
      await db.autoReply.updateMany({ data: { reply: "changed" } });
      deps.autoReplies.clear();
      clock.advance(5);
      const sameQuery = await receivePush(deps, signed.params, signed.body);
      clock.advance(5);
      const fresh = signPush(pushXml({ event: "subscribe" }), { mode: "aes", timestamp: sec(clock.ms) });
      const freshQuery = await receivePush(deps, fresh.params, fresh.body);
      clock.advance(5);
      const third = await push(pushXml({ event: "subscribe" }), { mode: "plaintext" });
      for (const retry of [sameQuery, freshQuery, third]) {
        expect(retry).toMatchObject({ recorded: false, eventId: first.eventId });
      }
      const decrypt = (body: string) =>
        new MessageCrypto(TEST_AES_KEY, TEST_APP_ID).decrypt(parseXmlFields(body).Encrypt ?? "");
      expect(decrypt(sameQuery.body)).toBe(firstReply);
      expect(decrypt(freshQuery.body)).toBe(firstReply);
      expect(third.body).toBe(firstReply);
      expect(parseXmlFields(firstReply).Content).toBe("欢迎关注");
      expect(await db.weChatEvent.count()).toBe(1);
    });

    it("concurrent tries of one message: one event, every answer the same", async () => {
      const { db } = database();
      await createAutoReply(db, { kind: "keyword", keyword: "hi", match: "exact", reply: "hello", enabled: true });
      const xml = pushXml({ content: "hi", msgId: "9001" });
      const outcomes = await Promise.all([1, 2, 3, 4].map(() => push(xml)));
      expect(new Set(outcomes.map((o) => o.eventId)).size).toBe(1);
      expect(outcomes.filter((o) => o.recorded)).toHaveLength(1);
      expect(new Set(outcomes.map((o) => o.body)).size).toBe(1);
      expect(await db.weChatEvent.count()).toBe(1);
    });
  });

  describe("hardening", () => {
    it("a forged signature, msg_signature or appid is refused, and nothing is recorded", async () => {
      const { db } = database();
      expect(await refusal(push(pushXml({ event: "subscribe" }), { token: "forgedtoken" }))).toBe(
        "push_refused:signature",
      );
      const signed = signPush(pushXml({ event: "subscribe" }), { mode: "aes", timestamp: sec(clock.ms) });
      signed.params.set("msg_signature", "0".repeat(40));
      expect(await refusal(receivePush(deps, signed.params, signed.body))).toBe("push_refused:msg_signature");
      expect(await refusal(push(pushXml({ event: "subscribe" }), { mode: "aes", appId: "wxsomeoneelse0001" }))).toBe(
        "push_refused:appid",
      );
      expect(await db.weChatEvent.count()).toBe(0);
    });

    it("a stale or far-future timestamp is refused; the window is wider than the retry window", async () => {
      expect(TIMESTAMP_WINDOW_SECONDS).toBeGreaterThanOrEqual(4 * 15);
      expect(await refusal(push(pushXml({ event: "subscribe" }), { timestamp: sec(clock.ms) - 301 }))).toBe(
        "push_refused:stale",
      );
      expect(await refusal(push(pushXml({ event: "subscribe" }), { timestamp: sec(clock.ms) + 301 }))).toBe(
        "push_refused:stale",
      );
      expect(await refusal(push(pushXml({ event: "subscribe" }), { timestamp: sec(clock.ms) - 60 }))).toBe("accepted");
    });

    it("a captured signed query re-used with another body is refused (plaintext signs the query only)", async () => {
      const { db } = database();
      const signed = signPush(pushXml({ content: "a", msgId: "1" }), { timestamp: sec(clock.ms) });
      await receivePush(deps, signed.params, signed.body);
      expect(await refusal(receivePush(deps, signed.params, pushXml({ content: "b", msgId: "2" })))).toBe(
        "push_refused:replayed",
      );
      expect(await db.weChatEvent.count()).toBe(1);
    });

    it("DOCTYPE and entity payloads are refused, plain or encrypted", async () => {
      const evil = `<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><ToUserName>gh</ToUserName><FromUserName>&x;</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>`;
      expect(await refusal(push(evil))).toBe("push_invalid:xml declaration");
      expect(await refusal(push(evil, { mode: "aes" }))).toBe("push_invalid:xml declaration");
      expect(await refusal(push(`<xml><A>1</A>`))).toBe("push_invalid:xml malformed");
    });

    it("a database too slow to record in time: 503 at the deadline; WeChat's retry then gets the reply", async () => {
      const { db } = database();
      await createAutoReply(db, { kind: "keyword", keyword: "慢", match: "exact", reply: "来了", enabled: true });
      const signed = signPush(pushXml({ content: "慢", msgId: "4242" }), { timestamp: sec(clock.ms) });
      const slow = { ...deps, recordDeadline: () => Promise.resolve() };
      expect(await refusal(receivePush(slow, signed.params, signed.body))).toBe("push_unavailable:record deadline");
      // The insert carries on and commits.
      while ((await db.weChatEvent.count()) === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const retry = await receivePush(deps, signed.params, signed.body);
      expect(retry).toMatchObject({ recorded: false });
      expect(parseXmlFields(retry.body).Content).toBe("来了");
    });

    it("safe mode without an EncodingAESKey is a 503, not a guess", async () => {
      deps = { ...deps, crypto: null };
      expect(await refusal(push(pushXml({ event: "subscribe" }), { mode: "aes" }))).toMatch(/^push_unavailable/);
    });

    it("expired nonces are swept, at most once per period", async () => {
      const { db } = database();
      await push(pushXml({ event: "subscribe" }));
      const sweeper = new NonceSweeper(db, 600_000);
      expect(await sweeper.maybeSweep(clock.now())).toBe(0);
      clock.advance(TIMESTAMP_WINDOW_SECONDS + 1);
      // Expired, but the last sweep was less than a period ago.
      expect(await sweeper.maybeSweep(clock.now())).toBe(0);
      expect(await db.pushNonce.count()).toBe(1);
      clock.advance(300);
      expect(await sweeper.maybeSweep(clock.now())).toBe(1);
      expect(await db.pushNonce.count()).toBe(0);
    });
  });

  describe("applying events", () => {
    it("unsubscribe after subscribe; an older subscribe arriving late changes nothing", async () => {
      const { db } = database();
      const t = sec(clock.ms);
      const sub = await push(pushXml({ event: "subscribe", createTime: t }));
      const unsub = await push(pushXml({ event: "unsubscribe", createTime: t + 60 }));
      await processEvent(pd(), unsub.eventId);
      await processEvent(pd(), sub.eventId);
      const user = await db.user.findFirstOrThrow();
      expect(user).toMatchObject({ subscribed: false, unsubscribedAt: new Date((t + 60) * 1000), subscribedAt: null });
      expect(await db.user.count()).toBe(1);
    });

    it("a later login of the same openid is the same person, and a subscribe after a login updates that person", async () => {
      const { db, url } = database();
      const auth = createAuthDeps(parseEnv({ DATABASE_URL: url, WECHAT_APP_ID: TEST_APP_ID }, false), db, {
        now: clock.now,
      });
      const login = (openid: string) =>
        recordLogin(auth, {
          token: {
            accessToken: "at",
            expiresIn: 7200,
            refreshToken: "rt",
            openid,
            scopes: ["snsapi_base"],
            isSnapshotUser: false,
            unionid: null,
          },
          profile: null,
          userAgent: "test",
          ip: null,
        });

      // Subscribe first, log in later.
      const subscribed = await push(pushXml({ event: "subscribe", openid: "o_push_first" }));
      await processEvent(pd(), subscribed.eventId);
      const byPush = (await db.weChatEvent.findUniqueOrThrow({ where: { id: subscribed.eventId } })).userId;
      expect(await login("o_push_first")).toBe(byPush);

      // Log in first, subscribe later.
      const byLogin = await login("o_login_first");
      clock.advance(1);
      const later = await push(pushXml({ event: "subscribe", openid: "o_login_first", createTime: sec(clock.ms) }));
      await processEvent(pd(), later.eventId);
      expect((await db.weChatEvent.findUniqueOrThrow({ where: { id: later.eventId } })).userId).toBe(byLogin);
      expect(await db.user.findUniqueOrThrow({ where: { id: byLogin } })).toMatchObject({ subscribed: true });
      expect(await db.user.count()).toBe(2);
      expect(await db.identity.count()).toBe(2);
    });

    it("SCAN, CLICK, VIEW, LOCATION and text land on the person's timeline, newest first", async () => {
      const t = sec(clock.ms);
      const pushes = [
        pushXml({ event: "SCAN", eventKey: "123", createTime: t }),
        pushXml({ event: "CLICK", eventKey: "MENU_HELP", createTime: t + 1 }),
        pushXml({ event: "VIEW", eventKey: "https://example.com/a", createTime: t + 2 }),
        pushXml({
          event: "LOCATION",
          createTime: t + 3,
          extra: "<Latitude>23.1</Latitude><Longitude>113.3</Longitude><Precision>65</Precision>",
        }),
        pushXml({ content: "你好 👋", msgId: "555", createTime: t + 4 }),
      ];
      for (const xml of pushes) await processEvent(pd(), (await push(xml)).eventId);
      const { db } = database();
      const user = await db.user.findFirstOrThrow();
      const timeline = await listTimeline(db, user.id);
      expect(timeline.map((e) => [e.msgType, e.event, e.eventKey, e.content])).toEqual([
        ["text", null, null, "你好 👋"],
        ["event", "LOCATION", null, "23.1,113.3 ±65"],
        ["event", "VIEW", "https://example.com/a", null],
        ["event", "CLICK", "MENU_HELP", null],
        ["event", "SCAN", "123", null],
      ]);
      expect(user.subscribed).toBeNull();
    });

    it("first subscribes of one new openid, applied concurrently, make one person", async () => {
      const { db } = database();
      const t = sec(clock.ms);
      const ids = await Promise.all(
        [0, 1, 2].map(
          async (i) =>
            (
              await push(
                pushXml({
                  event: i === 0 ? "subscribe" : "CLICK",
                  eventKey: `k${i}`,
                  openid: "o_race",
                  createTime: t + i,
                }),
              )
            ).eventId,
        ),
      );
      const results = await Promise.all(ids.map((id) => processEvent(pd(), id)));
      expect(results.map((r) => r.result)).toEqual(["done", "done", "done"]);
      expect(await db.user.count()).toBe(1);
      expect(await db.identity.count()).toBe(1);
    });

    it("an event is applied once, whoever tries", async () => {
      const outcome = await push(pushXml({ event: "subscribe" }));
      const results = await Promise.all([processEvent(pd(), outcome.eventId), processEvent(pd(), outcome.eventId)]);
      expect(results.map((r) => r.result).sort()).toEqual(["done", "skipped"]);
      expect((await database().db.weChatEvent.findUniqueOrThrow({ where: { id: outcome.eventId } })).attempts).toBe(1);
    });

    it("a restart: events recorded but never applied are applied at start-up, oldest first", async () => {
      const { db } = database();
      const t = sec(clock.ms);
      await push(pushXml({ event: "subscribe", createTime: t }));
      clock.advance(1);
      await push(pushXml({ event: "unsubscribe", createTime: t + 1 }));
      await push(pushXml({ event: "subscribe", openid: "o_other", createTime: t + 1 }));
      expect(await db.weChatEvent.count({ where: { status: "pending" } })).toBe(3);
      // A new process: nothing shared with the one that recorded them but the database.
      expect(await resumePendingEvents(pd(), 2)).toBe(3);
      expect(await db.weChatEvent.count({ where: { status: "pending" } })).toBe(0);
      expect(await db.user.findMany({ orderBy: { createdAt: "asc" }, select: { subscribed: true } })).toHaveLength(2);
      const first = await db.identity.findUniqueOrThrow({
        where: { appid_openid: { appid: TEST_APP_ID, openid: "o_test_user_1" } },
        include: { user: true },
      });
      expect(first.user.subscribed).toBe(false);
    });

    it("the periodic retry takes only events received before the given time", async () => {
      const { db } = database();
      await push(pushXml({ event: "subscribe", openid: "o_old" }));
      clock.advance(60);
      await push(pushXml({ event: "subscribe", openid: "o_new" }));
      const deps2 = pd();
      expect(await resumePendingEvents(deps2, 100, { receivedBefore: new Date(clock.ms - 30_000) })).toBe(1);
      expect(await db.weChatEvent.findMany({ where: { status: "pending" }, select: { openid: true } })).toEqual([
        { openid: "o_new" },
      ]);
    });

    it("a failing event is retried, then marked failed after MAX_ATTEMPTS", async () => {
      const { db } = database();
      const outcome = await push(pushXml({ event: "subscribe" }));
      const broken = testProcessDeps(database(), () => new Date(Number.NaN));
      for (let i = 1; i < MAX_ATTEMPTS; i++) expect((await processEvent(broken, outcome.eventId)).result).toBe("retry");
      expect((await processEvent(broken, outcome.eventId)).result).toBe("failed");
      expect(await db.weChatEvent.findUniqueOrThrow({ where: { id: outcome.eventId } })).toMatchObject({
        status: "failed",
        attempts: MAX_ATTEMPTS,
      });
    });
  });

  describe("auto-replies", () => {
    it("exact beats contains, the longest contained keyword wins, disabled rules are ignored", async () => {
      const { db } = database();
      await createAutoReply(db, { kind: "keyword", keyword: "价格", match: "contains", reply: "A", enabled: true });
      await createAutoReply(db, { kind: "keyword", keyword: "价格表", match: "contains", reply: "B", enabled: true });
      await createAutoReply(db, { kind: "keyword", keyword: "问价格", match: "exact", reply: "C", enabled: true });
      const off = await createAutoReply(db, {
        kind: "keyword",
        keyword: "价",
        match: "contains",
        reply: "D",
        enabled: false,
      });
      const replyTo = async (content: string, id: string) => {
        const o = await push(pushXml({ content, msgId: id }));
        return o.body === "success" ? null : parseXmlFields(o.body).Content;
      };
      expect(await replyTo("问价格", "1")).toBe("C");
      expect(await replyTo("请发价格表", "2")).toBe("B");
      expect(await replyTo("价格多少", "3")).toBe("A");
      expect(await replyTo("价", "4")).toBeNull();
      await updateAutoReply(db, off.id, { kind: "keyword", keyword: "价", match: "exact", reply: "D", enabled: true });
      expect(await replyTo("价", "5")).toBe("D");
    });

    it("the cache: an edit while a load is in flight is seen by the next read, and rules expire after 5 s", async () => {
      const { db } = database();
      const cache = new AutoReplyCache(db, () => clock.ms);
      const inFlight = cache.rules();
      await db.autoReply.create({ data: { kind: "subscribe", keyword: "", reply: "新的" } });
      cache.clear();
      expect((await cache.rules()).map((r) => r.reply)).toEqual(["新的"]);
      await inFlight;
      expect((await cache.rules()).map((r) => r.reply)).toEqual(["新的"]);
      await db.autoReply.updateMany({ data: { reply: "改了" } });
      expect((await cache.rules()).map((r) => r.reply)).toEqual(["新的"]);
      clock.advance(5);
      expect((await cache.rules()).map((r) => r.reply)).toEqual(["改了"]);
    });

    it("one rule per (kind, keyword); edits and deletes", async () => {
      const { db } = database();
      const rule = await createAutoReply(db, {
        kind: "subscribe",
        keyword: "",
        match: "exact",
        reply: "欢迎",
        enabled: true,
      });
      expect(
        await refusal(
          createAutoReply(db, { kind: "subscribe", keyword: "", match: "exact", reply: "again", enabled: true }),
        ),
      ).toMatch(/^auto_reply_exists/);
      expect(
        await updateAutoReply(db, rule.id, {
          kind: "subscribe",
          keyword: "",
          match: "exact",
          reply: "欢迎！",
          enabled: false,
        }),
      ).toMatchObject({ reply: "欢迎！", enabled: false });
      expect(await deleteAutoReply(db, rule.id)).toBe(true);
      expect(await deleteAutoReply(db, rule.id)).toBe(false);
      expect(
        await updateAutoReply(db, rule.id, {
          kind: "subscribe",
          keyword: "",
          match: "exact",
          reply: "x",
          enabled: true,
        }),
      ).toBeNull();
      expect(await listAutoReplies(db)).toEqual([]);
    });
  });
});
