// The message stores on both databases: one turn's pushes recorded together without one push's retry
// undoing another's record, a batch of events applied in one go. And SQLite's own connection: a write
// that meets another connection's lock waits without blocking the event loop (the lock's holder may
// need that very loop to finish).
import { beforeEach, expect, it } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { testMessageStore } from "@/test/support/messages";
import type { EventRow, MessageStore } from "./store";

const T0 = new Date(Date.UTC(2026, 0, 15, 8, 0, 0));

const event = (n: number, extra: Partial<EventRow> = {}): EventRow => ({
  dedupeKey: `key-${n}`,
  openid: `o_store_${n}`,
  msgType: "event",
  event: "subscribe",
  eventKey: null,
  content: null,
  payload: "<xml/>",
  createdAt: T0,
  receivedAt: T0,
  reply: `<xml>reply ${n}</xml>`,
  ...extra,
});
const nonce = (key: string) => ({ key, expiresAt: new Date(T0.getTime() + 300_000) });

forEachDatabase((kind, database) => {
  let store: MessageStore;
  beforeEach(async () => {
    const { db } = database();
    await db.weChatEvent.deleteMany();
    await db.pushNonce.deleteMany();
    await db.identity.deleteMany();
    await db.user.deleteMany();
    store = testMessageStore(database());
  });

  it("one turn's pushes in one transaction: retries in the same batch replay, a stolen nonce is refused", async () => {
    const firsts = Array.from({ length: 100 }, (_, n) => store.record(nonce(`n-${n}`), event(n)));
    // WeChat's retry of each, with a fresh signed query, in the same turn of the loop.
    const retries = Array.from({ length: 100 }, (_, n) => store.record(nonce(`r-${n}`), event(n)));
    // A captured query (nonce n-0) re-used with another message.
    const stolen = store.record(nonce("n-0"), event(1000));
    const [a, b, c] = await Promise.all([Promise.all(firsts), Promise.all(retries), stolen]);
    expect(a.every((r) => r.kind === "recorded")).toBe(true);
    b.forEach((r, n) => {
      expect(r).toEqual({ kind: "duplicate", id: (a[n] as { id: string }).id, reply: `<xml>reply ${n}</xml>` });
    });
    expect(c).toEqual({ kind: "replayed" });
    expect(await database().db.weChatEvent.count()).toBe(100);
    // Every signed query is used up, the retries' too: none can carry another message later.
    expect(await database().db.pushNonce.count()).toBe(200);
    expect(await store.record(nonce("r-7"), event(2000))).toEqual({ kind: "replayed" });
    expect(await database().db.weChatEvent.count()).toBe(100);
  });

  it("one push the database cannot store fails alone: the other pushes of its batch are recorded", async () => {
    const pushes = Array.from({ length: 40 }, (_, n) =>
      store.record(nonce(`b-${n}`), event(n, n === 17 ? { createdAt: new Date(Number.NaN) } : {})),
    );
    const outcomes = await Promise.allSettled(pushes);
    expect(outcomes.filter((o) => o.status === "rejected")).toHaveLength(1);
    expect(outcomes[17]?.status).toBe("rejected");
    expect(outcomes.filter((o) => o.status === "fulfilled" && o.value.kind === "recorded")).toHaveLength(39);
    expect(await database().db.weChatEvent.count()).toBe(39);
  });

  it("applies a batch in one go: new people, subscriptions, the claim; again is a no-op", async () => {
    const recorded = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        store.record(nonce(`a-${n}`), event(n, { eventKey: n % 2 === 0 ? `qrscene_poster${n}` : null })),
      ),
    );
    const ids = recorded.map((r) => (r as { id: string }).id);
    const now = new Date(T0.getTime() + 1000);
    expect((await store.apply(ids, now)).map((r) => r.result)).toEqual(ids.map(() => "done"));
    expect((await store.apply(ids, now)).map((r) => r.result)).toEqual(ids.map(() => "skipped"));
    expect(await database().db.user.count({ where: { subscribed: true, subscribedAt: T0 } })).toBe(50);
    const person = await database().db.identity.findFirstOrThrow({
      where: { openid: "o_store_4" },
      include: { user: true },
    });
    expect(person.user).toMatchObject({ subscribeScene: "ADD_SCENE_QR_CODE", qrScene: "poster4", updatedAt: now });
    expect(await database().db.weChatEvent.count({ where: { status: "done", userId: { not: null } } })).toBe(50);
  });

  if (kind === "sqlite") {
    it("waits for Prisma's open write transaction without blocking the event loop, then records", async () => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let insideTransaction!: () => void;
      const inside = new Promise<void>((resolve) => (insideTransaction = resolve));
      // An interactive transaction holds SQLite's write lock across awaits, as the app's logins do.
      const holder = database().db.$transaction(
        async (tx) => {
          await tx.user.create({ data: { createdAt: T0, lastLoginAt: T0 } });
          insideTransaction();
          await held;
        },
        { timeout: 20_000 },
      );
      await inside;
      let settled = false;
      const recording = store.record(nonce("n-busy"), event(1)).finally(() => (settled = true));
      // The loop keeps turning while the record waits (a blocking busy wait would freeze it for the
      // whole busy_timeout, seconds): these turns come at once, and the record is still waiting.
      const turning = performance.now();
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(performance.now() - turning).toBeLessThan(1000);
      expect(settled).toBe(false);
      release();
      await holder;
      expect(await recording).toMatchObject({ kind: "recorded" });
      expect(await database().db.weChatEvent.count()).toBe(1);
      expect(await database().db.user.count()).toBe(1);
    });
  }
});
