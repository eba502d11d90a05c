import { describe, expect, it } from "vitest";
import {
  CARD_COLOR_NAMES,
  CARD_TYPES,
  cardCreateBody,
  cardDraftProblems,
  formatDiscount,
  formatFen,
  parseCardDraft,
  utf8Bytes,
  type CardDraftInput,
} from "./draft";

const NOW = Date.UTC(2026, 0, 1); // 1767225600 s
const NOW_S = NOW / 1000;
const DAY = 86_400;

const base = {
  logoUrl: "http://mmbiz.qpic.cn/mmbiz/iaL1LJM1mF9aRKPZ/0",
  brandName: "微信餐厅",
  title: "132元双人火锅套餐",
  color: "Color010",
  notice: "使用时向服务员出示此券",
  description: "不可与其他优惠同享\n仅限堂食",
  codeType: "CODE_TYPE_QRCODE",
  quantity: 500_000,
  getLimit: 3,
  canShare: true,
  canGiveFriend: false,
  date: { type: "DATE_TYPE_FIX_TIME_RANGE", beginTimestamp: NOW_S, endTimestamp: NOW_S + 30 * DAY },
} as const;

const drafts: Record<(typeof CARD_TYPES)[number], CardDraftInput> = {
  GROUPON: { type: "GROUPON", ...base, dealDetail: "以下锅底2选1" },
  CASH: { type: "CASH", ...base, leastCost: 10_000, reduceCost: 1_000 },
  DISCOUNT: { type: "DISCOUNT", ...base, discount: 30 },
  GIFT: { type: "GIFT", ...base, gift: "可兑换音乐木盒一个" },
  GENERAL_COUPON: { type: "GENERAL_COUPON", ...base, defaultDetail: "音乐木盒" },
};

const problems = (draft: unknown) => cardDraftProblems(draft, NOW);
const only = (draft: unknown) => {
  const found = problems(draft);
  expect(found, JSON.stringify(found)).toHaveLength(1);
  return found[0]!;
};

describe("parseCardDraft: the five types", () => {
  it.each(CARD_TYPES)("a complete %s passes", (type) => {
    expect(problems(drafts[type])).toEqual([]);
  });

  it("builds card/create's body with the type's key in lower case and WeChat's field names", () => {
    const parsed = parseCardDraft({ ...drafts.GENERAL_COUPON, servicePhone: "020-88888888" }, NOW);
    if (!parsed.ok) throw new Error("expected a draft");
    expect(cardCreateBody(parsed.draft)).toEqual({
      card: {
        card_type: "GENERAL_COUPON",
        general_coupon: {
          base_info: {
            logo_url: base.logoUrl,
            brand_name: "微信餐厅",
            code_type: "CODE_TYPE_QRCODE",
            title: "132元双人火锅套餐",
            color: "Color010",
            notice: "使用时向服务员出示此券",
            description: "不可与其他优惠同享\n仅限堂食",
            date_info: { type: "DATE_TYPE_FIX_TIME_RANGE", begin_timestamp: NOW_S, end_timestamp: NOW_S + 30 * DAY },
            sku: { quantity: 500_000 },
            get_limit: 3,
            use_custom_code: false,
            bind_openid: false,
            can_share: true,
            can_give_friend: false,
            service_phone: "020-88888888",
          },
          default_detail: "音乐木盒",
        },
      },
    });
    const cash = parseCardDraft(drafts.CASH, NOW);
    if (!cash.ok) throw new Error("expected a draft");
    expect(cardCreateBody(cash.draft).card.cash).toMatchObject({ least_cost: 10_000, reduce_cost: 1_000 });
    const term = parseCardDraft(
      { ...drafts.DISCOUNT, date: { type: "DATE_TYPE_FIX_TERM", fixedTerm: 30, fixedBeginTerm: 0 } },
      NOW,
    );
    if (!term.ok) throw new Error("expected a draft");
    expect(cardCreateBody(term.draft).card.discount).toMatchObject({
      discount: 30,
      base_info: { date_info: { type: "DATE_TYPE_FIX_TERM", fixed_term: 30, fixed_begin_term: 0 } },
    });
  });

  it("an unknown type is 40071; a draft that is not an object says so", () => {
    expect(only({ ...drafts.GIFT, type: "MEMBER_CARD" })).toMatchObject({ field: "type", errcode: 40071 });
    expect(only("x")).toMatchObject({ field: "", errcode: 41011 });
  });

  it("reports every problem at once, each on its field, missing ones as 41011", () => {
    const { title: _t, notice: _n, ...rest } = drafts.GIFT as Record<string, unknown>;
    const found = problems({ ...rest, color: "Color999", gift: " " });
    expect(found.map((p) => [p.field, p.errcode])).toEqual(
      expect.arrayContaining([
        ["title", 41011],
        ["notice", 41011],
        ["color", 40076],
        ["gift", 41011],
      ]),
    );
    expect(found.find((p) => p.field === "title")?.message).toBe("请填写卡券名称。");
  });
});

describe("lengths are UTF-8 bytes (WeChat's string(27) = 9 汉字)", () => {
  it.each([
    ["title", 27, 9],
    ["brandName", 36, 12],
    ["notice", 48, 16],
    ["description", 3072, 1024],
  ] as const)("%s: %i bytes pass, one more is 45021", (field, bytes, cjk) => {
    expect(problems({ ...drafts.CASH, [field]: "券".repeat(cjk) })).toEqual([]);
    expect(problems({ ...drafts.CASH, [field]: "a".repeat(bytes) })).toEqual([]);
    const found = only({ ...drafts.CASH, [field]: `${"a".repeat(bytes - 2)}券` });
    expect(found).toMatchObject({ field, errcode: 45021 });
    expect(found.message).toContain(`${cjk} 个汉字`);
    expect(found.message).toContain(`现在 ${bytes + 1} 字节`);
  });

  it("an emoji counts 4 bytes", () => {
    expect(utf8Bytes("🎁")).toBe(4);
    expect(problems({ ...drafts.CASH, title: "券券券券券券券🎁" })).toEqual([]);
    expect(only({ ...drafts.CASH, title: "券券券券券券券券🎁" })).toMatchObject({ field: "title", errcode: 45021 });
  });

  it("the per-type texts take 1024 汉字", () => {
    expect(problems({ ...drafts.GROUPON, dealDetail: "团".repeat(1024) })).toEqual([]);
    expect(only({ ...drafts.GROUPON, dealDetail: "团".repeat(1025) })).toMatchObject({
      field: "dealDetail",
      errcode: 45021,
    });
  });
});

describe("the other rules", () => {
  it("color: WeChat's 14 names only", () => {
    expect(CARD_COLOR_NAMES).toHaveLength(14);
    for (const color of CARD_COLOR_NAMES) expect(problems({ ...drafts.CASH, color })).toEqual([]);
    expect(only({ ...drafts.CASH, color: "#63b359" })).toMatchObject({ field: "color", errcode: 40076 });
    expect(only({ ...drafts.CASH, color: "Color011" }).errcode).toBe(40076);
  });

  it("logo: an http(s) mmbiz.qpic.cn address of at most 128 bytes (40141)", () => {
    expect(problems({ ...drafts.CASH, logoUrl: "https://mmbiz.qpic.cn/x/0" })).toEqual([]);
    expect(only({ ...drafts.CASH, logoUrl: "https://example.com/logo.png" })).toMatchObject({
      field: "logoUrl",
      errcode: 40141,
    });
    expect(only({ ...drafts.CASH, logoUrl: `http://mmbiz.qpic.cn/${"a".repeat(108)}` }).errcode).toBe(40141);
    expect(only({ ...drafts.CASH, logoUrl: "mmbiz.qpic.cn/x" }).errcode).toBe(40141);
  });

  it("a fixed range: begin before end, end in the future (40079)", () => {
    const range = (beginTimestamp: number, endTimestamp: number) => ({
      ...drafts.CASH,
      date: { type: "DATE_TYPE_FIX_TIME_RANGE", beginTimestamp, endTimestamp },
    });
    expect(problems(range(NOW_S - 10 * DAY, NOW_S + 1))).toEqual([]);
    expect(only(range(NOW_S + 5, NOW_S + 5))).toMatchObject({
      field: "date.endTimestamp",
      errcode: 40079,
      message: "结束时间须晚于开始时间。",
    });
    expect(only(range(NOW_S - 10 * DAY, NOW_S))).toMatchObject({ errcode: 40079, message: "结束时间须在未来。" });
    expect(only(range(1.5, NOW_S + DAY))).toMatchObject({ field: "date.beginTimestamp", errcode: 40079 });
  });

  it("a fixed term: at least 1 day, starting 0 or more days after the take; a common end in the future", () => {
    const term = (date: Record<string, unknown>) => ({ ...drafts.CASH, date: { type: "DATE_TYPE_FIX_TERM", ...date } });
    expect(problems(term({ fixedTerm: 1, fixedBeginTerm: 0 }))).toEqual([]);
    expect(problems(term({ fixedTerm: 7, fixedBeginTerm: 1, endTimestamp: NOW_S + DAY }))).toEqual([]);
    expect(only(term({ fixedTerm: 0, fixedBeginTerm: 0 }))).toMatchObject({ field: "date.fixedTerm", errcode: 40079 });
    expect(only(term({ fixedTerm: 3, fixedBeginTerm: -1 }))).toMatchObject({ field: "date.fixedBeginTerm" });
    expect(only(term({ fixedTerm: 3, fixedBeginTerm: 0, endTimestamp: NOW_S }))).toMatchObject({
      field: "date.endTimestamp",
      errcode: 40079,
    });
    expect(only({ ...drafts.CASH, date: { type: "DATE_TYPE_PERMANENT" } })).toMatchObject({ field: "date.type" });
  });

  it("stock: 0 to 100,000,000 (40122); get_limit at least 1", () => {
    expect(problems({ ...drafts.CASH, quantity: 100_000_000 })).toEqual([]);
    expect(problems({ ...drafts.CASH, quantity: 0 })).toEqual([]);
    expect(only({ ...drafts.CASH, quantity: 100_000_001 })).toMatchObject({ field: "quantity", errcode: 40122 });
    expect(only({ ...drafts.CASH, quantity: 2.5 }).errcode).toBe(40122);
    expect(only({ ...drafts.CASH, quantity: "100" })).toMatchObject({ field: "quantity", message: "库存须为数字。" });
    expect(only({ ...drafts.CASH, getLimit: 0 })).toMatchObject({ field: "getLimit", errcode: 40097 });
  });

  it("CASH: amounts in whole fen, something off, and a threshold of 0 or at least the reduction", () => {
    expect(problems({ ...drafts.CASH, leastCost: 0, reduceCost: 500 })).toEqual([]);
    expect(problems({ ...drafts.CASH, leastCost: 500, reduceCost: 500 })).toEqual([]);
    expect(only({ ...drafts.CASH, reduceCost: 0 })).toMatchObject({ field: "reduceCost", errcode: 40097 });
    expect(only({ ...drafts.CASH, reduceCost: 9.99 })).toMatchObject({ field: "reduceCost" });
    expect(only({ ...drafts.CASH, leastCost: 499, reduceCost: 500 })).toMatchObject({
      field: "leastCost",
      errcode: 40097,
    });
    expect(only({ ...drafts.CASH, leastCost: -1 })).toMatchObject({ field: "leastCost" });
  });

  it("DISCOUNT: 1 to 99 percent off", () => {
    expect(problems({ ...drafts.DISCOUNT, discount: 1 })).toEqual([]);
    expect(problems({ ...drafts.DISCOUNT, discount: 99 })).toEqual([]);
    expect(only({ ...drafts.DISCOUNT, discount: 0 })).toMatchObject({ field: "discount", errcode: 40097 });
    expect(only({ ...drafts.DISCOUNT, discount: 100 })).toMatchObject({ field: "discount" });
  });

  it("service phone: optional, at most 24 of digits + - and spaces", () => {
    expect(problems({ ...drafts.CASH, servicePhone: "+86 20-8888 8888" })).toEqual([]);
    expect(only({ ...drafts.CASH, servicePhone: "1".repeat(25) })).toMatchObject({ field: "servicePhone" });
    expect(only({ ...drafts.CASH, servicePhone: "call me" })).toMatchObject({ field: "servicePhone" });
  });
});

describe("display helpers", () => {
  it("fen as yuan, percent off as 折", () => {
    expect([formatFen(1234), formatFen(500), formatFen(1), formatFen(10), formatFen(0)]).toEqual([
      "12.34",
      "5",
      "0.01",
      "0.1",
      "0",
    ]);
    expect([formatDiscount(30), formatDiscount(15), formatDiscount(1), formatDiscount(99)]).toEqual([
      "7折",
      "8.5折",
      "9.9折",
      "0.1折",
    ]);
  });
});
