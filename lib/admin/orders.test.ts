// The console's order list on SQLite and PostgreSQL: every filter (state with 部分退款, Beijing days at
// their edges, amounts in fen, a person by id / openid / unionid / nickname, an order number), keyset
// pages both ways without skipping or repeating, the CSV export (BOM, yuan, Beijing time, every row), and
// one order's timeline merged from its events, refunds, webhook attempts and incidents, newest last.
import { beforeAll, describe, expect, it } from "vitest";
import { dialectOf, type Db } from "@/lib/db";
import { forEachDatabase } from "@/test/support/db";
import { BOM } from "./csv";
import { getOrderDetail, resolveIncident } from "./order-detail";
import { parseOrderQuery, type OrderQuery } from "./order-query";
import { eachOrder, exportOrdersCsv, listOrders, type OrderListDeps } from "./orders";

const APP_ID = "wx5e1f0c0de0000001";
// 2026-01-10 00:00 in Beijing is 2026-01-09 16:00 UTC.
const DAY_START = Date.parse("2026-01-09T16:00:00.000Z");

function query(search: string): OrderQuery {
  const parsed = parseOrderQuery(new URLSearchParams(search));
  if (!parsed.ok) throw new Error(parsed.issues.join("; "));
  return parsed.query;
}

async function seed(db: Db) {
  await db.user.createMany({
    data: [
      {
        id: "u_ming",
        nickname: "小明🍵",
        unionid: "union_ming",
        createdAt: new Date(DAY_START),
        lastLoginAt: new Date(DAY_START),
      },
      { id: "u_hong", nickname: "Red 小红", createdAt: new Date(DAY_START), lastLoginAt: new Date(DAY_START) },
    ],
  });
  await db.identity.createMany({
    data: [
      { appid: APP_ID, openid: "o_ming_openid_000000000001", userId: "u_ming" },
      { appid: APP_ID, openid: "o_hong_openid_000000000002", userId: "u_hong" },
    ],
  });
  // 30 orders, one every hour from 2026-01-09 12:00 Beijing; amounts 100, 200, …; states in a cycle.
  const states = ["unpaid", "paid", "paid", "refunded", "closed"] as const;
  await db.payOrder.createMany({
    data: Array.from({ length: 30 }, (_, i) => {
      const state = states[i % states.length]!;
      const createdAt = new Date(DAY_START - 12 * 3600_000 + i * 3600_000);
      const paid = state === "paid" || state === "refunded";
      const ming = i % 2 === 0;
      return {
        id: `ord${String(i).padStart(2, "0")}`,
        appId: APP_ID,
        mchid: "1900000001",
        outTradeNo: `T2026${String(i).padStart(4, "0")}`,
        userId: ming ? "u_ming" : "u_hong",
        openid: ming ? "o_ming_openid_000000000001" : "o_hong_openid_000000000002",
        description: i === 7 ? '=HYPERLINK("x"),"会员"' : `商品${i}`,
        amount: (i + 1) * 100,
        state,
        transactionId: paid ? `4200000000202601${String(i).padStart(16, "0")}` : null,
        paidAt: paid ? new Date(createdAt.getTime() + 60_000) : null,
        // ord02 (paid) was partly refunded; ord03 wholly.
        refundedAmount: i === 2 ? 100 : state === "refunded" ? (i + 1) * 100 : 0,
        refundReserved: i === 2 ? 100 : state === "refunded" ? (i + 1) * 100 : 0,
        caller: "internal",
        expiresAt: new Date(createdAt.getTime() + 1800_000),
        createdAt,
        updatedAt: createdAt,
      };
    }),
  });
}

forEachDatabase((_kind, database) => {
  let deps: OrderListDeps;
  beforeAll(async () => {
    const { db } = database();
    deps = { db, dialect: dialectOf(db) };
    await seed(db);
  });

  const ids = async (search: string) => (await listOrders(deps, query(search))).rows.map((r) => r.id);

  describe("listOrders", () => {
    it("lists newest first, a page at a time, both ways without gaps or repeats", async () => {
      const first = await listOrders(deps, query("limit=12"));
      expect(first.rows.map((r) => r.id)).toEqual(Array.from({ length: 12 }, (_, i) => `ord${29 - i}`));
      expect(first.prev).toBeUndefined();
      const seen = [...first.rows.map((r) => r.id)];
      let page = first;
      while (page.next) {
        page = await listOrders(deps, { ...query("limit=12"), after: page.next });
        seen.push(...page.rows.map((r) => r.id));
      }
      expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `ord${String(29 - i).padStart(2, "0")}`));
      const back = await listOrders(deps, { ...query("limit=12"), before: page.prev! });
      expect(back.rows.map((r) => r.id)).toEqual(
        Array.from({ length: 12 }, (_, i) => `ord${String(17 - i).padStart(2, "0")}`),
      );
      expect(first.rows[0]).toMatchObject({ nickname: "Red 小红", amount: 3000, state: "closed", paidAt: null });
    });

    it("filters by state, 部分退款 apart from 已支付", async () => {
      expect(await ids("state=partial")).toEqual(["ord02"]);
      const paid = await ids("state=paid");
      expect(paid).not.toContain("ord02");
      expect(paid).toEqual([
        "ord27",
        "ord26",
        "ord22",
        "ord21",
        "ord17",
        "ord16",
        "ord12",
        "ord11",
        "ord07",
        "ord06",
        "ord01",
      ]);
      expect(await ids("state=refunded")).toEqual(["ord28", "ord23", "ord18", "ord13", "ord08", "ord03"]);
    });

    it("filters by Beijing calendar days, both ends included", async () => {
      // ord12 is 2026-01-10 00:00 Beijing, ord11 23:00 the day before.
      const today = await ids("from=2026-01-10&to=2026-01-10");
      expect(today.at(-1)).toBe("ord12");
      expect(today[0]).toBe("ord29");
      const yesterday = await ids("to=2026-01-09");
      expect(yesterday[0]).toBe("ord11");
      expect(yesterday).toHaveLength(12);
    });

    it("filters by amount in fen, both ends included", async () => {
      expect(await ids("minAmount=500&maxAmount=700")).toEqual(["ord06", "ord05", "ord04"]);
    });

    it("finds a person by user id, openid, unionid or nickname", async () => {
      const ming = Array.from({ length: 15 }, (_, i) => `ord${String(28 - 2 * i).padStart(2, "0")}`);
      expect(await ids("q=u_ming")).toEqual(ming);
      expect(await ids("q=o_ming_openid_000000000001")).toEqual(ming);
      expect(await ids("q=union_ming")).toEqual(ming);
      expect(await ids(`q=${encodeURIComponent("明🍵")}`)).toEqual(ming);
      // ASCII letters fold on both databases.
      expect((await ids("q=red")).length).toBe(15);
      expect(await ids("q=nobody")).toEqual([]);
      expect(await ids("q=u_ming&state=refunded")).toEqual(["ord28", "ord18", "ord08"]);
    });

    it("finds an order by out_trade_no or transaction_id, exactly", async () => {
      expect(await ids("no=T20260005")).toEqual(["ord05"]);
      expect(await ids("no=42000000002026010000000000000006")).toEqual(["ord06"]);
      expect(await ids("no=T2026000")).toEqual([]);
    });
  });

  describe("CSV export", () => {
    it("streams every matching order: BOM, yuan with two decimals, Beijing time, formulas defused", async () => {
      const bytes = new Uint8Array(await new Response(exportOrdersCsv(deps, query("state=paid"), 4)).arrayBuffer());
      const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
      expect(text.startsWith(BOM)).toBe(true);
      const lines = text.slice(1).split("\r\n");
      expect(lines[0]).toBe(
        "订单ID,商户订单号,微信支付订单号,状态,金额（元）,已退款（元）,商品描述,用户ID,openid,昵称,下单时间（北京时间）,支付时间（北京时间）",
      );
      expect(lines.at(-1)).toBe("");
      const rows = lines.slice(1, -1);
      // 11 paid orders in pages of 4: every one, once.
      expect(rows).toHaveLength(11);
      expect(rows.at(-1)).toBe(
        "ord01,T20260001,42000000002026010000000000000001,已支付,2.00,0.00,商品1,u_hong,o_hong_openid_000000000002,Red 小红,2026-01-09 13:00:00,2026-01-09 13:01:00",
      );
      expect(rows.find((r) => r.startsWith("ord07"))).toContain(`"'=HYPERLINK(""x""),""会员"""`);
    });

    it("walks the whole filter by keyset, a page at a time", async () => {
      const pages: number[] = [];
      for await (const page of eachOrder(deps, query(""), 7)) pages.push(page.length);
      expect(pages).toEqual([7, 7, 7, 7, 2]);
    });
  });

  describe("getOrderDetail", () => {
    it("merges events, refunds, webhook attempts and incidents into one timeline, newest last", async () => {
      const { db } = database();
      const t = (minutes: number) => new Date(DAY_START + minutes * 60_000);
      await db.payOrderEvent.createMany({
        data: [
          { orderId: "ord02", kind: "created", at: t(0), detail: JSON.stringify({ caller: "internal", amount: 300 }) },
          { orderId: "ord02", kind: "paid", at: t(2), detail: JSON.stringify({ via: "notification" }) },
        ],
      });
      await db.payRefund.create({
        data: {
          orderId: "ord02",
          outRefundNo: "R2026000201",
          amount: 100,
          reason: "少发一件",
          createdBy: "admin@example.com",
          state: "success",
          createdAt: t(10),
          updatedAt: t(11),
          successAt: t(11),
        },
      });
      const webhook = await db.payWebhook.create({
        data: {
          orderId: "ord02",
          event: "order.paid",
          eventKey: "paid",
          url: "https://shop.example.com/hook",
          body: "{}",
          state: "delivered",
          attempts: 2,
          createdAt: t(2),
        },
      });
      await db.payWebhookAttempt.createMany({
        data: [
          { webhookId: webhook.id, n: 1, at: t(3), status: 500, error: null, ms: 12 },
          { webhookId: webhook.id, n: 2, at: t(4), status: 200, error: null, ms: 9 },
        ],
      });
      const incident = await db.payIncident.create({
        data: {
          orderId: "ord02",
          outTradeNo: "T20260002",
          kind: "amount_mismatch",
          source: "notification:n1",
          expected: "300",
          received: "1",
          createdAt: t(1),
        },
      });

      const detail = (await getOrderDetail(db, "ord02"))!;
      expect(detail.order).toMatchObject({ displayState: "partial", refundable: 200, nickname: "小明🍵" });
      expect(detail.timeline.map((e) => e.title)).toEqual([
        "创建订单",
        "异常：金额不符",
        "支付成功",
        "Webhook order.paid 第 1 次投递：HTTP 500",
        "Webhook order.paid 第 2 次投递：HTTP 200",
        "申请退款 ¥1.00",
        "退款成功 ¥1.00",
      ]);
      expect(detail.timeline.filter((e) => e.bad).map((e) => e.kind)).toEqual(["incident", "webhook_attempt"]);
      expect(detail.webhooks[0]?.attempts.map((a) => a.status)).toEqual([500, 200]);
      expect(await getOrderDetail(db, "nope")).toBeNull();

      // Resolved once, by whoever was first; the timeline says so, last.
      const now = () => t(20);
      const [a, b] = await Promise.all([
        resolveIncident({ db, now }, "ord02", incident.id, "a@example.com"),
        resolveIncident({ db, now }, "ord02", incident.id, "b@example.com"),
      ]);
      expect([a.resolved, b.resolved].sort()).toEqual([false, true]);
      expect(a.resolvedBy).toBe(b.resolvedBy);
      const after = (await getOrderDetail(db, "ord02"))!;
      expect(after.timeline.at(-1)).toMatchObject({ title: "异常已处理", detail: a.resolvedBy });
      // Another order's incident is not this one's.
      await expect(resolveIncident({ db, now }, "ord01", incident.id, "a@example.com")).rejects.toMatchObject({
        code: "pay_incident_not_found",
      });
    });
  });
});
