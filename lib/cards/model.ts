// Cards and coupons (卡券), the pure part: our names for a card's review and a code's state with their
// Chinese labels, WeChat's code states mapped to ours, a code's validity from the card's dates, and the
// Beijing day a push counts on. No database, no WeChat: the pages can use it too.
import type { CardDate } from "@/lib/wechat/card/draft";
import type { UserCardStatus } from "@/lib/wechat/card/client";

export const REVIEW_STATUSES = ["NOT_VERIFY", "VERIFY_OK", "VERIFY_FAIL"] as const;
/** NOT_VERIFY until card_pass_check (VERIFY_OK) or card_not_pass_check (VERIFY_FAIL) arrives. */
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export const REVIEW_LABELS: Readonly<Record<ReviewStatus, string>> = Object.freeze({
  NOT_VERIFY: "审核中",
  VERIFY_OK: "已通过",
  VERIFY_FAIL: "未通过",
});

export const CODE_STATES = ["NORMAL", "CONSUMED", "EXPIRED", "GIFTED", "DELETED"] as const;
/** A taken code as we keep it: it only ever moves from NORMAL to one of the others. */
export type CodeState = (typeof CODE_STATES)[number];

export const CODE_STATE_LABELS: Readonly<Record<CodeState, string>> = Object.freeze({
  NORMAL: "可用",
  CONSUMED: "已使用",
  EXPIRED: "已过期",
  GIFTED: "已转赠",
  DELETED: "已删除",
});

export const isReviewStatus = (value: string): value is ReviewStatus =>
  (REVIEW_STATUSES as readonly string[]).includes(value);
export const isCodeState = (value: string): value is CodeState => (CODE_STATES as readonly string[]).includes(value);

/**
 * card/code/get's user_card_status as our state; null when it says nothing we keep (NORMAL, a gift still
 * waiting for the friend, or UNAVAILABLE: the card was deleted, which the card itself records).
 */
export function codeStateOfWeChat(status: UserCardStatus): Exclude<CodeState, "NORMAL"> | null {
  switch (status) {
    case "CONSUMED":
      return "CONSUMED";
    case "EXPIRE":
      return "EXPIRED";
    case "GIFT_SUCC":
      return "GIFTED";
    case "DELETE":
      return "DELETED";
    default:
      return null;
  }
}

/** card/code/get's states as staff read them at the counter. */
export const WECHAT_CODE_STATUS_LABELS: Readonly<Record<UserCardStatus, string>> = Object.freeze({
  NORMAL: "可用",
  CONSUMED: "已核销",
  EXPIRE: "已过期",
  GIFTING: "转赠中",
  GIFT_SUCC: "已转赠",
  GIFT_TIMEOUT: "转赠超时退回中",
  DELETE: "已被用户删除",
  UNAVAILABLE: "卡券已失效（已删除）",
});

const DAY_MS = 86_400_000;
const BEIJING_MS = 8 * 3600_000;

/** The Beijing date (YYYY-MM-DD, UTC+8, no DST) a moment falls on: the day a push counts on. */
export function beijingDay(at: Date): string {
  return new Date(at.getTime() + BEIJING_MS).toISOString().slice(0, 10);
}

/**
 * When a code taken at `takenAt` may be used, as the simulator reckons it (our reading of WeChat's): a
 * fixed range's begin and end; a fixed term `fixedBeginTerm` days after the take, for `fixedTerm` days,
 * cut at the common end time. Milliseconds.
 */
export function codeValidity(date: CardDate, takenAt: Date): { from: number; until: number } {
  if (date.type === "DATE_TYPE_FIX_TIME_RANGE")
    return { from: date.beginTimestamp * 1000, until: date.endTimestamp * 1000 };
  const from = takenAt.getTime() + date.fixedBeginTerm * DAY_MS;
  const end = from + date.fixedTerm * DAY_MS;
  return { from, until: date.endTimestamp === undefined ? end : Math.min(end, date.endTimestamp * 1000) };
}

/** How a code reads to its owner now: its state, or 已过期 for a NORMAL code past its end. */
export function shownState(state: CodeState, validity: { until: number }, nowMs: number): CodeState {
  return state === "NORMAL" && nowMs >= validity.until ? "EXPIRED" : state;
}

/** Per-day counts of a card's pushes, oldest first (days with none are left out). */
export interface CardDay {
  readonly day: string;
  readonly taken: number;
  readonly redeemed: number;
  readonly deleted: number;
  readonly gifted: number;
  readonly viewed: number;
}

const DAY_FIELD: Readonly<Record<string, keyof Omit<CardDay, "day">>> = {
  user_get_card: "taken",
  user_consume_card: "redeemed",
  user_del_card: "deleted",
  user_gifting_card: "gifted",
  user_view_card: "viewed",
};

/**
 * Rows of (day, event, count) as one series. A friend receiving a gift is a user_get_card push too, so a
 * day's `taken` counts codes received, gifts included (the card's counts from its codes tell them apart).
 */
export function dailySeries(rows: readonly { day: string; event: string; count: number }[]): CardDay[] {
  const days = new Map<string, { -readonly [K in keyof CardDay]: CardDay[K] }>();
  for (const row of rows) {
    const field = DAY_FIELD[row.event];
    if (!field) continue;
    let d = days.get(row.day);
    if (!d) days.set(row.day, (d = { day: row.day, taken: 0, redeemed: 0, deleted: 0, gifted: 0, viewed: 0 }));
    d[field] += row.count;
  }
  return [...days.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

/**
 * An amount staff type in yuan ("12", "12.5", "¥12.34") as integer fen (1234), or null when it is not one
 * (letters, more than two decimals, negative). Parsed as text: 0.1 + 0.2 in floating point is not 30 fen.
 */
export function yuanToFen(text: string): number | null {
  const m = /^\s*[¥￥]?\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
}

/**
 * A Beijing calendar date ("2026-12-04", as a date input gives it) as WeChat's seconds: its first second
 * (00:00:00 UTC+8), or with `endOfDay` its last (23:59:59). Null for anything else.
 */
export function beijingDateSeconds(date: string, endOfDay = false): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(utc).toISOString().slice(0, 10) !== date) return null;
  return Math.floor((utc - BEIJING_MS) / 1000) + (endOfDay ? 86_399 : 0);
}

const beijingDate = (seconds: number) => beijingDay(new Date(seconds * 1000));

/** A card's dates for staff: "2026-12-04 至 2027-01-04", "领取后当天生效，30 天内有效（最晚 2027-01-04）". */
export function validityLabel(date: CardDate): string {
  if (date.type === "DATE_TYPE_FIX_TIME_RANGE")
    return `${beijingDate(date.beginTimestamp)} 至 ${beijingDate(date.endTimestamp)}`;
  const begin = date.fixedBeginTerm > 0 ? `领取后第 ${date.fixedBeginTerm} 天生效` : "领取后当天生效";
  const last = date.endTimestamp === undefined ? "" : `（最晚 ${beijingDate(date.endTimestamp)}）`;
  return `${begin}，${date.fixedTerm} 天内有效${last}`;
}
