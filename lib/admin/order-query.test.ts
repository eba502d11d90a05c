// The order list's query: what staff type (¥ amounts, Beijing days, a person, an order number) becomes a
// query the SQL reads, every mistake named in Chinese, and back to the shortest URL.
import { describe, expect, it } from "vitest";
import {
  decodeCursor,
  displayState,
  fenToYuan,
  formatYuan,
  orderQueryHref,
  parseOrderQuery,
  yuanToFen,
} from "./order-query";

const parse = (search: string) => parseOrderQuery(new URLSearchParams(search));

describe("yuanToFen / fenToYuan", () => {
  it("reads what staff type in a ¥ box, in whole fen", () => {
    expect(yuanToFen("12.3")).toBe(1230);
    expect(yuanToFen("12.30")).toBe(1230);
    expect(yuanToFen("¥0.01")).toBe(1);
    expect(yuanToFen(" ￥ 5 ")).toBe(500);
    // 0.29 * 100 is 28.999999999999996 in floating point: never a float here.
    expect(yuanToFen("0.29")).toBe(29);
    expect(yuanToFen("19.99")).toBe(1999);
  });

  it("refuses what is not an amount of yuan", () => {
    for (const text of ["", "abc", "1.234", "-1", "1e3", "1,000", "0x10", "1."])
      expect(yuanToFen(text)).toBeUndefined();
  });

  it("writes fen as yuan with two decimals", () => {
    expect(fenToYuan(1)).toBe("0.01");
    expect(fenToYuan(1230)).toBe("12.30");
    expect(fenToYuan(100000)).toBe("1000.00");
    expect(formatYuan(29)).toBe("¥0.29");
  });
});

describe("parseOrderQuery", () => {
  it("reads every filter", () => {
    const result = parse(
      "state=partial&from=2026-01-01&to=2026-01-31&minAmount=100&maxAmount=5000&q=小明&no=PAY123456",
    );
    expect(result).toEqual({
      ok: true,
      query: {
        state: "partial",
        from: "2026-01-01",
        to: "2026-01-31",
        minAmount: 100,
        maxAmount: 5000,
        q: "小明",
        no: "PAY123456",
        limit: 50,
      },
    });
  });

  it("treats empty fields as absent (an untouched form)", () => {
    expect(parse("state=&q=%20%20&no=")).toEqual({ ok: true, query: { limit: 50 } });
  });

  it("names every problem in Chinese", () => {
    const result = parse("state=lost&from=2026-02-30&minAmount=1.5&maxAmount=abc&no=a%20b&limit=999&x=1");
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues;
    expect(issues.join("\n")).toContain("订单状态");
    expect(issues.join("\n")).toContain("开始日期不是有效的日期");
    expect(issues.join("\n")).toContain("最低金额应为整数（单位：分）");
    expect(issues.join("\n")).toContain("最高金额应为整数");
    expect(issues.join("\n")).toContain("订单号");
    expect(issues.join("\n")).toContain("每页最多");
    expect(issues.join("\n")).toContain("未知参数：x");
  });

  it("refuses ranges the wrong way round and a parameter given twice", () => {
    const result = parse("from=2026-02-01&to=2026-01-01&minAmount=500&maxAmount=100&state=paid&state=unpaid");
    expect(result).toEqual({
      ok: false,
      issues: expect.arrayContaining(["参数 state 重复"]) as unknown as string[],
    });
    const ranges = parse("from=2026-02-01&to=2026-01-01&minAmount=500&maxAmount=100");
    expect(ranges.ok ? [] : ranges.issues).toEqual(["开始日期不能晚于结束日期", "最低金额不能高于最高金额"]);
  });
});

describe("orderQueryHref", () => {
  it("writes the shortest URL, and it parses back to the same query", () => {
    const cursor = { value: new Date("2026-01-02T03:04:05.678Z"), id: "ord1" };
    const query = { state: "paid", minAmount: 100, q: "o_abc", after: cursor, limit: 50 } as const;
    const href = orderQueryHref("/admin/orders", query);
    expect(href).toMatch(/^\/admin\/orders\?state=paid&minAmount=100&q=o_abc&after=/);
    const back = parseOrderQuery(new URL(href, "http://x").searchParams);
    expect(back).toEqual({ ok: true, query });
    expect(orderQueryHref("/admin/orders", { limit: 50 })).toBe("/admin/orders");
    expect(orderQueryHref("/e.csv", query, { cursors: false })).toBe("/e.csv?state=paid&minAmount=100&q=o_abc");
    expect(decodeCursor(new URL(href, "http://x").searchParams.get("after") ?? "")).toEqual(cursor);
  });
});

describe("displayState", () => {
  it("tells 部分退款 apart from 已支付", () => {
    expect(displayState({ state: "paid", refundedAmount: 0 })).toBe("paid");
    expect(displayState({ state: "paid", refundedAmount: 1 })).toBe("partial");
    expect(displayState({ state: "refunded", refundedAmount: 100 })).toBe("refunded");
  });
});
