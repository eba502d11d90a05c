// The user list's query, both ways: URL search params → a validated UserQuery (zod), and a UserQuery →
// the shortest URL that means the same (defaults left out). Every view of /admin/users, the JSON API and
// the CSV export read the same parameters, so a view can be shared and the back button just works.
// No Prisma, no Next.js, no Node built-ins here: the routes and the tests use it on the server, and the
// list page (a static shell) parses and canonicalises its URL with it in the browser.
import { z } from "zod";

export const USER_SCOPES = ["snsapi_base", "snsapi_userinfo"] as const;
export const SORT_KEYS = ["created", "login"] as const;
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = "desc" | "asc";

/** A position in the list: the sort column's value and the id that breaks ties. */
export interface Cursor {
  readonly value: Date;
  readonly id: string;
}

export interface UserQuery {
  readonly q?: string;
  readonly scope?: (typeof USER_SCOPES)[number];
  readonly unionid?: "yes" | "no";
  readonly subscribed?: "yes" | "no" | "unknown";
  readonly snapshot?: "yes";
  /** WeChat's tag id: people who carry that tag (a UserTag row). */
  readonly tag?: number;
  /** 来源二维码: people who followed through the channel QR code with this scene (User.qrScene). */
  readonly qrScene?: string;
  /** Calendar days in Asia/Shanghai, YYYY-MM-DD, both ends inclusive. */
  readonly createdFrom?: string;
  readonly createdTo?: string;
  readonly loginFrom?: string;
  readonly loginTo?: string;
  readonly sort: SortKey;
  readonly dir: SortDir;
  readonly after?: Cursor;
  readonly before?: Cursor;
  readonly limit: number;
}

// ---------------------------------------------------------------------------------------------- cursors

// base64url of the UTF-8 JSON, by hand rather than with Buffer, which browsers lack; the same text as
// Buffer's "base64url" (no padding), so cursors in shared URLs keep working.
function toBase64Url(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): string {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

export function encodeCursor(cursor: Cursor): string {
  return toBase64Url(JSON.stringify([cursor.value.toISOString(), cursor.id]));
}

export function decodeCursor(text: string): Cursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(text)) return undefined;
  try {
    const parsed: unknown = JSON.parse(fromBase64Url(text));
    if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
    const [iso, id] = parsed as unknown[];
    if (typeof iso !== "string" || typeof id !== "string" || id.length === 0 || id.length > 100) return undefined;
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(iso)) return undefined;
    const value = new Date(iso);
    return Number.isNaN(value.getTime()) ? undefined : { value, id };
  } catch {
    return undefined;
  }
}

// ----------------------------------------------------------------------------------------------- dates

const SHANGHAI_OFFSET = "+08:00"; // China has had no daylight saving time since 1991

const day = (label: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${label}应为 YYYY-MM-DD 格式的日期`)
    .refine((v) => {
      const d = new Date(`${v}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v);
    }, `${label}不是有效的日期`);

/** The first instant of a calendar day in Asia/Shanghai. */
export function shanghaiDayStart(dayText: string): Date {
  return new Date(`${dayText}T00:00:00${SHANGHAI_OFFSET}`);
}

/** The first instant after a calendar day in Asia/Shanghai (ranges are inclusive of their last day). */
export function shanghaiDayEnd(dayText: string): Date {
  return new Date(shanghaiDayStart(dayText).getTime() + 86_400_000);
}

// ---------------------------------------------------------------------------------------------- schema

const cursor = z.string().transform((text, ctx) => {
  const decoded = decodeCursor(text);
  if (!decoded) {
    ctx.addIssue({ code: "custom", message: "分页位置无效，请回到第一页" });
    return z.NEVER;
  }
  return decoded;
});

const schema = z
  .object({
    q: z
      .string()
      .transform((v) => v.trim())
      .pipe(z.string().max(100, "搜索内容最多 100 个字符"))
      .optional(),
    scope: z.enum(USER_SCOPES, "授权范围只能是 snsapi_base 或 snsapi_userinfo").optional(),
    unionid: z.enum(["yes", "no"], "unionid 筛选只能是 yes 或 no").optional(),
    subscribed: z.enum(["yes", "no", "unknown"], "关注筛选只能是 yes、no 或 unknown").optional(),
    snapshot: z.enum(["yes"], "快照筛选只能是 yes").optional(),
    // WeChat's tag ids are small non-negative integers (0–2 are its own); digits only, so "1e3" or " 7"
    // are refused rather than read as some other tag.
    tag: z
      .string()
      .regex(/^\d{1,10}$/, "标签应为标签编号（数字）")
      .transform(Number)
      .pipe(z.number().max(2_147_483_647, "标签编号过大"))
      .optional(),
    // 来源二维码: the scene of the channel QR code a person followed through (User.qrScene).
    qrScene: z.string().max(64, "二维码场景值最多 64 个字符").optional(),
    createdFrom: day("注册开始日期").optional(),
    createdTo: day("注册结束日期").optional(),
    loginFrom: day("登录开始日期").optional(),
    loginTo: day("登录结束日期").optional(),
    sort: z.enum(SORT_KEYS, "排序只能是 created 或 login").default("created"),
    dir: z.enum(["desc", "asc"], "顺序只能是 desc 或 asc").default("desc"),
    after: cursor.optional(),
    before: cursor.optional(),
    limit: z.coerce
      .number("每页条数应为数字")
      .int("每页条数应为整数")
      .min(1, "每页至少 1 条")
      .max(MAX_LIMIT, `每页最多 ${MAX_LIMIT} 条`)
      .default(DEFAULT_LIMIT),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.after && v.before)
      ctx.addIssue({ code: "custom", path: ["before"], message: "after 与 before 不能同时使用" });
    if (v.createdFrom && v.createdTo && v.createdFrom > v.createdTo)
      ctx.addIssue({ code: "custom", path: ["createdTo"], message: "注册开始日期不能晚于结束日期" });
    if (v.loginFrom && v.loginTo && v.loginFrom > v.loginTo)
      ctx.addIssue({ code: "custom", path: ["loginTo"], message: "登录开始日期不能晚于结束日期" });
  });

export type UserQueryResult = { ok: true; query: UserQuery } | { ok: false; issues: string[] };

type ParamSource = URLSearchParams | Record<string, string | string[] | undefined>;

/**
 * Parses the list's query. Empty values count as absent (an untouched GET form sends `scope=`), a
 * parameter given twice is an error, unknown parameters are errors (a typo must not silently show
 * everyone). Issues are Chinese, for the page and the API's 400.
 */
export function parseUserQuery(source: ParamSource): UserQueryResult {
  const raw: Record<string, string> = {};
  const issues: string[] = [];
  const entries: [string, string][] =
    source instanceof URLSearchParams
      ? [...source.entries()]
      : Object.entries(source).flatMap(([k, v]) =>
          v === undefined ? [] : Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v]],
        );
  for (const [key, value] of entries) {
    if (value === "") continue;
    if (key in raw) issues.push(`参数 ${key} 重复`);
    raw[key] = value;
  }
  if (raw.q !== undefined && raw.q.trim() === "") delete raw.q;
  const result = schema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === "unrecognized_keys") issues.push(`未知参数：${issue.keys.join(", ")}`);
      else issues.push(issue.message);
    }
  }
  if (issues.length > 0 || !result.success) return { ok: false, issues };
  const { q, ...rest } = result.data;
  return { ok: true, query: { ...rest, ...(q ? { q } : {}) } as UserQuery };
}

const FILTER_KEYS = [
  "q",
  "scope",
  "unionid",
  "subscribed",
  "snapshot",
  "tag",
  "qrScene",
  "createdFrom",
  "createdTo",
  "loginFrom",
  "loginTo",
] as const;

/** The shortest search params for a query: defaults are left out, keys in a fixed order. */
export function userQueryToSearchParams(
  query: Partial<UserQuery>,
  options: { cursors?: boolean } = {},
): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = query[key];
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  if (query.sort && query.sort !== "created") params.set("sort", query.sort);
  if (query.dir && query.dir !== "desc") params.set("dir", query.dir);
  if (options.cursors !== false) {
    if (query.after) params.set("after", encodeCursor(query.after));
    if (query.before) params.set("before", encodeCursor(query.before));
  }
  if (query.limit !== undefined && query.limit !== DEFAULT_LIMIT) params.set("limit", String(query.limit));
  return params;
}

/** `path` plus the query string, or `path` alone when the query is all defaults. */
export function userQueryHref(path: string, query: Partial<UserQuery>, options: { cursors?: boolean } = {}): string {
  const search = userQueryToSearchParams(query, options).toString();
  return search ? `${path}?${search}` : path;
}

/** True when any filter or search narrows the list (the estimated total then does not apply). */
export function isFiltered(query: UserQuery): boolean {
  return FILTER_KEYS.some((key) => query[key] !== undefined);
}

/** Which kind of search `q` is: WeChat ids are matched exactly, anything else as a substring. */
export function searchKind(q: string): "wechat_id" | "text" {
  return /^o[A-Za-z0-9_-]{20,40}$/.test(q) ? "wechat_id" : "text";
}

/** "2026-11-21 16:10:42" in Asia/Shanghai (fixed +08:00; cheaper than Intl for a million CSV cells). */
export function formatShanghaiTime(date: Date, precision: "second" | "minute" = "second"): string {
  const text = new Date(date.getTime() + 8 * 3_600_000).toISOString().replace("T", " ");
  return text.slice(0, precision === "second" ? 19 : 16);
}

/** Today's date in Asia/Shanghai, YYYY-MM-DD (export file names). */
export function shanghaiToday(now: Date = new Date()): string {
  return formatShanghaiTime(now).slice(0, 10);
}
