import { describe, expect, it } from "vitest";
import {
  beijingDay,
  beijingDateSeconds,
  codeStateOfWeChat,
  codeValidity,
  dailySeries,
  isCodeState,
  isReviewStatus,
  shownState,
  validityLabel,
  yuanToFen,
  CODE_STATE_LABELS,
} from "./model";

const DAY = 86_400_000;

describe("beijingDay", () => {
  it("counts a moment on its Beijing date (UTC+8), not the server's", () => {
    expect(beijingDay(new Date("2026-01-15T15:59:59.999Z"))).toBe("2026-01-15");
    expect(beijingDay(new Date("2026-01-15T16:00:00.000Z"))).toBe("2026-01-16");
    expect(beijingDay(new Date("2026-12-31T16:00:00.000Z"))).toBe("2027-01-01");
  });
});

describe("codeValidity", () => {
  const takenAt = new Date("2026-01-15T08:00:00.000Z");

  it("a fixed range is its begin and end", () => {
    expect(
      codeValidity(
        { type: "DATE_TYPE_FIX_TIME_RANGE", beginTimestamp: 1_768_000_000, endTimestamp: 1_769_000_000 },
        takenAt,
      ),
    ).toEqual({ from: 1_768_000_000_000, until: 1_769_000_000_000 });
  });

  it("a fixed term starts fixedBeginTerm days after the take and lasts fixedTerm days", () => {
    expect(codeValidity({ type: "DATE_TYPE_FIX_TERM", fixedTerm: 30, fixedBeginTerm: 0 }, takenAt)).toEqual({
      from: takenAt.getTime(),
      until: takenAt.getTime() + 30 * DAY,
    });
    expect(codeValidity({ type: "DATE_TYPE_FIX_TERM", fixedTerm: 7, fixedBeginTerm: 2 }, takenAt)).toEqual({
      from: takenAt.getTime() + 2 * DAY,
      until: takenAt.getTime() + 9 * DAY,
    });
  });

  it("a fixed term is cut at the common end time", () => {
    const end = takenAt.getTime() / 1000 + 3 * 86_400;
    expect(
      codeValidity({ type: "DATE_TYPE_FIX_TERM", fixedTerm: 30, fixedBeginTerm: 0, endTimestamp: end }, takenAt).until,
    ).toBe(end * 1000);
  });
});

describe("states", () => {
  it("maps card/code/get's states to ours, and keeps nothing for the ones a code passes through", () => {
    expect(codeStateOfWeChat("CONSUMED")).toBe("CONSUMED");
    expect(codeStateOfWeChat("EXPIRE")).toBe("EXPIRED");
    expect(codeStateOfWeChat("DELETE")).toBe("DELETED");
    expect(codeStateOfWeChat("GIFT_SUCC")).toBe("GIFTED");
    for (const s of ["NORMAL", "GIFTING", "GIFT_TIMEOUT", "UNAVAILABLE"] as const)
      expect(codeStateOfWeChat(s)).toBeNull();
  });

  it("labels the five states as the person reads them", () => {
    expect(CODE_STATE_LABELS).toEqual({
      NORMAL: "可用",
      CONSUMED: "已使用",
      EXPIRED: "已过期",
      GIFTED: "已转赠",
      DELETED: "已删除",
    });
    expect(isCodeState("GIFTED")).toBe(true);
    expect(isCodeState("GIFTING")).toBe(false);
    expect(isReviewStatus("VERIFY_OK")).toBe(true);
    expect(isReviewStatus("CARD_STATUS_VERIFY_OK")).toBe(false);
  });

  it("shows a usable code past its end as 已过期, and any other state as it is", () => {
    expect(shownState("NORMAL", { until: 1000 }, 999)).toBe("NORMAL");
    expect(shownState("NORMAL", { until: 1000 }, 1000)).toBe("EXPIRED");
    expect(shownState("CONSUMED", { until: 1000 }, 5000)).toBe("CONSUMED");
  });
});

describe("dailySeries", () => {
  it("puts each push on its day and field, oldest day first, and ignores the reviews", () => {
    expect(
      dailySeries([
        { day: "2026-01-16", event: "user_get_card", count: 2 },
        { day: "2026-01-15", event: "user_get_card", count: 5 },
        { day: "2026-01-15", event: "user_consume_card", count: 1 },
        { day: "2026-01-16", event: "user_view_card", count: 7 },
        { day: "2026-01-16", event: "user_del_card", count: 1 },
        { day: "2026-01-16", event: "user_gifting_card", count: 1 },
        { day: "2026-01-14", event: "card_pass_check", count: 1 },
      ]),
    ).toEqual([
      { day: "2026-01-15", taken: 5, redeemed: 1, deleted: 0, gifted: 0, viewed: 0 },
      { day: "2026-01-16", taken: 2, redeemed: 0, deleted: 1, gifted: 1, viewed: 7 },
    ]);
  });
});

describe("yuanToFen", () => {
  it("reads yuan as integer fen, exactly", () => {
    expect(yuanToFen("12")).toBe(1200);
    expect(yuanToFen("12.5")).toBe(1250);
    expect(yuanToFen("¥12.34")).toBe(1234);
    expect(yuanToFen(" 0.3 ")).toBe(30);
    expect(yuanToFen("0.07")).toBe(7);
    expect(yuanToFen("0")).toBe(0);
  });

  it("refuses what is not an amount of yuan", () => {
    for (const bad of ["", " ", "abc", "1.234", "-1", "1,000", "1e3", ".5", "12.", "1234567890"])
      expect(yuanToFen(bad), bad).toBeNull();
  });
});

describe("beijingDateSeconds", () => {
  it("is the day's first or last second in Beijing (UTC+8)", () => {
    expect(beijingDateSeconds("2026-12-04")).toBe(Date.parse("2026-12-03T16:00:00Z") / 1000);
    expect(beijingDateSeconds("2026-12-04", true)).toBe(Date.parse("2026-12-04T15:59:59Z") / 1000);
  });

  it("refuses what is not a calendar date", () => {
    for (const bad of ["", "2026-02-30", "2026-13-01", "04/12/2026", "2026-12-4"])
      expect(beijingDateSeconds(bad), bad).toBeNull();
  });
});

describe("validityLabel", () => {
  it("says a range by its Beijing dates, a term by its days", () => {
    expect(
      validityLabel({
        type: "DATE_TYPE_FIX_TIME_RANGE",
        beginTimestamp: Date.parse("2026-12-03T16:00:00Z") / 1000,
        endTimestamp: Date.parse("2027-01-04T15:59:59Z") / 1000,
      }),
    ).toBe("2026-12-04 至 2027-01-04");
    expect(validityLabel({ type: "DATE_TYPE_FIX_TERM", fixedTerm: 30, fixedBeginTerm: 0 })).toBe(
      "领取后当天生效，30 天内有效",
    );
    expect(
      validityLabel({
        type: "DATE_TYPE_FIX_TERM",
        fixedTerm: 7,
        fixedBeginTerm: 1,
        endTimestamp: Date.parse("2027-01-04T15:59:59Z") / 1000,
      }),
    ).toBe("领取后第 1 天生效，7 天内有效（最晚 2027-01-04）");
  });
});
