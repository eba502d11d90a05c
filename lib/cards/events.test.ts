// CardPushStore when a card push cannot be applied (the database away for its transaction), on SQLite and
// PostgreSQL: the event stays pending, counted like the store's own failures, the store does not apply it
// without its card part, the minute's retry applies it once the database is back, and after MAX_ATTEMPTS
// it is failed and left for an operator. Other pushes pass straight through.
import { beforeEach, expect, it } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { MovableClock, pushXml, TEST_APP_ID, testMessageStore } from "@/test/support/messages";
import type { Db } from "@/lib/db";
import { resumePendingEvents } from "@/lib/messages/process";
import { MAX_ATTEMPTS, type EventRow } from "@/lib/messages/store";
import { CardPushStore } from "./events";

forEachDatabase((_kind, database) => {
  let clock: MovableClock;

  beforeEach(async () => {
    const { db } = database();
    for (const table of ["cardEvent", "cardCode", "card", "weChatEvent", "pushNonce"] as const)
      await (db[table] as { deleteMany(): Promise<unknown> }).deleteMany();
    clock = new MovableClock();
    await db.card.create({
      data: {
        appId: TEST_APP_ID,
        wxCardId: "pCardForTheStoreTest000000001",
        type: "GIFT",
        title: "兑换券",
        brandName: "微信",
        draft: "{}",
        reviewStatus: "VERIFY_OK",
        quantity: 5,
        totalQuantity: 5,
        getLimit: 1,
        createdAt: clock.now(),
        createdBy: "admin@example.com",
        updatedAt: clock.now(),
      },
    });
  });

  /** The database, with every interactive transaction failing while `away.is` holds. */
  const flaky = (db: Db, away: { is: boolean }) =>
    new Proxy(db, {
      get: (target, key, receiver) =>
        key === "$transaction" && away.is
          ? () => Promise.reject(new Error("database away"))
          : (Reflect.get(target, key, receiver) as unknown),
    });

  const row = (n: number, xml: string, event: string | null): EventRow => ({
    dedupeKey: `card:store-test-${n}`,
    openid: "oStoreTest",
    msgType: "event",
    event,
    eventKey: null,
    content: null,
    payload: xml,
    createdAt: clock.now(),
    receivedAt: clock.now(),
    reply: null,
  });
  const take = (code: string) =>
    pushXml({
      openid: "oStoreTest",
      event: "user_get_card",
      extra: `<CardId><![CDATA[pCardForTheStoreTest000000001]]></CardId><UserCardCode><![CDATA[${code}]]></UserCardCode><IsGiveByFriend>0</IsGiveByFriend>`,
    });

  it("leaves a card push whose card part failed pending, applies it on the retry, fails it after MAX_ATTEMPTS", async () => {
    const { db } = database();
    const away = { is: true };
    const store = new CardPushStore(testMessageStore(database()), {
      db: flaky(db, away),
      appId: TEST_APP_ID,
      now: clock.now,
    });
    const nonce = (n: number) => ({
      key: `store-test-nonce-${n}-${Math.random()}`,
      expiresAt: new Date(clock.ms + 300_000),
    });

    const first = await store.record(nonce(1), row(1, take("100000000001"), "user_get_card"));
    const other = await store.record(
      nonce(2),
      row(2, pushXml({ openid: "oStoreTest", event: "CLICK", eventKey: "k" }), "CLICK"),
    );
    if (first.kind !== "recorded" || other.kind !== "recorded") throw new Error("not recorded");
    const results = await store.apply([first.id, other.id], clock.now());
    expect(results.map((r) => r.result)).toEqual(["retry", "done"]);
    expect(await db.weChatEvent.findUniqueOrThrow({ where: { id: first.id } })).toMatchObject({
      status: "pending",
      attempts: 1,
      error: "database away",
      userId: null,
    });
    expect(await db.cardCode.count()).toBe(0);

    // The database is back: the minute's retry (a fresh process's store knows it from the pending list).
    away.is = false;
    const later = new CardPushStore(testMessageStore(database()), { db, appId: TEST_APP_ID, now: clock.now });
    expect(await resumePendingEvents({ store: later, now: clock.now })).toBe(1);
    expect(await db.cardCode.count({ where: { code: "100000000001", state: "NORMAL" } })).toBe(1);
    expect((await db.card.findFirstOrThrow()).quantity).toBe(4);
    expect((await db.weChatEvent.findUniqueOrThrow({ where: { id: first.id } })).status).toBe("done");

    // A push whose card part keeps failing is failed after MAX_ATTEMPTS, never applied without it.
    away.is = true;
    const stuck = await store.record(nonce(3), row(3, take("100000000002"), "user_get_card"));
    if (stuck.kind !== "recorded") throw new Error("not recorded");
    const outcomes: string[] = [];
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      await resumePendingEvents({ store, now: clock.now });
      outcomes.push((await db.weChatEvent.findUniqueOrThrow({ where: { id: stuck.id } })).status);
    }
    expect(outcomes).toEqual([...Array<string>(MAX_ATTEMPTS - 1).fill("pending"), "failed"]);
    expect(await db.cardCode.count({ where: { code: "100000000002" } })).toBe(0);
  });
});
