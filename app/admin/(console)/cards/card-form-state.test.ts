// 新建卡券's values make the draft the server accepts (amounts in fen, Beijing dates in seconds), and the
// problems the form shows are the server's own, on the fields they belong to.
import { describe, expect, it } from "vitest";
import { parseCardDraft } from "@/lib/wechat/card/draft";
import {
  createBody,
  draftOf,
  formProblems,
  initialValues,
  problemsByField,
  type CardFormValues,
} from "./card-form-state";

const NOW = Date.parse("2026-12-04T04:00:00Z");
const LOGO = { id: "logo1", url: "http://mmbiz.qpic.cn/mmbiz_png/abc/0", previewUrl: "/api/admin/card-logos/logo1" };

function values(overrides: Partial<CardFormValues> = {}): CardFormValues {
  return {
    ...initialValues("2026-12-04", "2027-01-04"),
    brandName: "示例咖啡",
    title: "满 100 减 10",
    description: "全场通用，不与其他优惠同享。",
    leastCost: "100",
    reduceCost: "9.9",
    ...overrides,
  };
}

describe("the form's draft", () => {
  it("is what the server accepts: yuan as fen, Beijing days as seconds, our logo by id", () => {
    const body = createBody(values(), LOGO);
    expect(body).toMatchObject({
      type: "CASH",
      logoId: "logo1",
      leastCost: 10_000,
      reduceCost: 990,
      quantity: 100,
      getLimit: 1,
      date: {
        type: "DATE_TYPE_FIX_TIME_RANGE",
        beginTimestamp: Date.parse("2026-12-03T16:00:00Z") / 1000,
        endTimestamp: Date.parse("2027-01-04T15:59:59Z") / 1000,
      },
    });
    expect(body).not.toHaveProperty("logoUrl");
    expect(formProblems(values(), LOGO, NOW)).toEqual({});
    // The server reads the same body with the logo's address in place of its id.
    const { logoId: _logoId, ...rest } = body;
    expect(parseCardDraft({ ...rest, logoUrl: LOGO.url }, NOW).ok).toBe(true);
  });

  it("each type sends its own fields", () => {
    expect(draftOf(values({ type: "DISCOUNT", discount: "30" }), LOGO).draft).toMatchObject({ discount: 30 });
    expect(draftOf(values({ type: "GIFT", gift: "一杯拿铁" }), LOGO).draft).toMatchObject({ gift: "一杯拿铁" });
    const term = draftOf(values({ dateType: "DATE_TYPE_FIX_TERM", fixedTerm: "7", fixedBeginTerm: "1" }), LOGO).draft;
    expect(term.date).toEqual({ type: "DATE_TYPE_FIX_TERM", fixedTerm: 7, fixedBeginTerm: 1 });
    for (const type of ["GROUPON", "GENERAL_COUPON", "GIFT"] as const)
      expect(Object.keys(formProblems(values({ type }), LOGO, NOW))).toEqual([
        type === "GROUPON" ? "dealDetail" : type === "GIFT" ? "gift" : "defaultDetail",
      ]);
  });
});

describe("the form's problems", () => {
  it("are the schema's, on their fields", () => {
    const problems = formProblems(values({ title: "这是一个特别特别长的卡券名称" }), null, NOW);
    expect(problems.title).toMatch(/^卡券名称最多 9 个汉字（27 字节/);
    expect(problems.logo).toBe("请上传 logo。");
    expect(formProblems(values({ leastCost: "5", reduceCost: "10" }), LOGO, NOW).leastCost).toMatch(/不低于减免金额/);
    expect(formProblems(values({ begin: "2026-12-10", end: "2026-12-09" }), LOGO, NOW).end).toBe(
      "结束时间须晚于开始时间。",
    );
    expect(formProblems(values({ type: "DISCOUNT", discount: "100" }), LOGO, NOW).discount).toMatch(/1–99/);
    expect(formProblems(values({ quantity: "" }), LOGO, NOW).quantity).toBe("请填写库存。");
    expect(formProblems(values({ getLimit: "一张" }), LOGO, NOW).getLimit).toBe("每人限领须为数字。");
  });

  it("an amount that is not yuan is said as such, not as the schema's 须为数字", () => {
    expect(formProblems(values({ reduceCost: "9.999" }), LOGO, NOW).reduceCost).toBe(
      "金额按元填写，如 10 或 9.9（最多两位小数）。",
    );
  });

  it("a 422's fields land on the same form fields", () => {
    expect(
      problemsByField([
        { field: "logoUrl", message: "logo 须先上传" },
        { field: "date.endTimestamp", message: "结束时间须在未来。" },
        { field: "title", message: "太长" },
        { field: "title", message: "第二个" },
      ]),
    ).toEqual({ logo: "logo 须先上传", end: "结束时间须在未来。", title: "太长" });
  });
});
