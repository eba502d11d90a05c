// The user list's URL ↔ query mapping: defaults left out, round trips, cursors, and refusals in Chinese.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  decodeCursor,
  encodeCursor,
  formatShanghaiTime,
  isFiltered,
  parseUserQuery,
  searchKind,
  shanghaiDayEnd,
  shanghaiDayStart,
  userQueryHref,
  userQueryToSearchParams,
  type UserQuery,
} from "./user-query";

function parse(search: string): UserQuery {
  const result = parseUserQuery(new URLSearchParams(search));
  if (!result.ok) throw new Error(result.issues.join("; "));
  return result.query;
}

function issues(search: string): string[] {
  const result = parseUserQuery(new URLSearchParams(search));
  if (result.ok) throw new Error(`expected ${search} to be refused`);
  return result.issues;
}

describe("parseUserQuery", () => {
  it("gives the defaults for an empty query, and an empty query back", () => {
    const query = parse("");
    expect(query).toEqual({ sort: "created", dir: "desc", limit: 50 });
    expect(userQueryToSearchParams(query).toString()).toBe("");
    expect(userQueryHref("/admin/users", query)).toBe("/admin/users");
  });

  it("treats the empty fields of an untouched GET form as absent", () => {
    expect(parse("q=&scope=&unionid=&subscribed=&createdFrom=&sort=created&dir=desc")).toEqual(parse(""));
    expect(parse("q=%20%20")).toEqual(parse(""));
  });

  it("round-trips every parameter through the URL", () => {
    const cursor = { value: new Date("2026-03-04T05:06:07.089Z"), id: "cmabc123" };
    const query: UserQuery = {
      q: "王 😀",
      scope: "snsapi_userinfo",
      unionid: "yes",
      subscribed: "unknown",
      snapshot: "yes",
      tag: 101,
      createdFrom: "2025-01-01",
      createdTo: "2025-12-31",
      loginFrom: "2026-02-01",
      loginTo: "2026-02-28",
      sort: "login",
      dir: "asc",
      after: cursor,
      limit: 120,
    };
    const search = userQueryToSearchParams(query).toString();
    expect(parse(search)).toEqual(query);
    const backwards = { ...query, after: undefined, before: cursor };
    expect(parse(userQueryToSearchParams(backwards).toString())).toEqual({
      ...query,
      after: undefined,
      before: cursor,
    });
  });

  it("reads a tag id as a number, and counts it as a filter", () => {
    const query = parse("tag=101");
    expect(query.tag).toBe(101);
    expect(isFiltered(query)).toBe(true);
    expect(userQueryToSearchParams(query).toString()).toBe("tag=101");
    // WeChat's own tags start at 0.
    expect(parse("tag=0").tag).toBe(0);
    expect(userQueryHref("/admin/users", parse("tag=0"))).toBe("/admin/users?tag=0");
    expect(parse("tag=").tag).toBeUndefined();
  });

  it("trims the search and keeps emoji and rare CJK intact", () => {
    expect(parse(`q=${encodeURIComponent("  👨‍👩‍👧𠮷 ")}`).q).toBe("👨‍👩‍👧𠮷");
  });

  it("leaves cursors out of the export link", () => {
    const query = parse(`scope=snsapi_base&after=${encodeCursor({ value: new Date(0), id: "x" })}`);
    expect(userQueryHref("/api/admin/users/export", query, { cursors: false })).toBe(
      "/api/admin/users/export?scope=snsapi_base",
    );
  });

  it.each([
    ["scope=snsapi_login", "授权范围"],
    ["unionid=maybe", "unionid"],
    ["subscribed=1", "关注"],
    ["snapshot=no", "快照"],
    ["tag=vip", "标签"],
    ["tag=-1", "标签"],
    ["tag=1.5", "标签"],
    ["tag=1e3", "标签"],
    ["tag=99999999999", "标签"],
    ["tag=2147483648", "标签编号过大"],
    ["createdFrom=2025-13-01", "注册开始日期"],
    ["createdFrom=2025-02-30", "注册开始日期"],
    ["loginTo=yesterday", "登录结束日期"],
    ["createdFrom=2025-02-01&createdTo=2025-01-01", "不能晚于"],
    ["sort=nickname", "排序"],
    ["dir=up", "顺序"],
    ["limit=500", "最多 200"],
    ["limit=0", "至少 1"],
    ["limit=ten", "数字"],
    ["after=not-a-cursor", "分页位置无效"],
    [`after=${Buffer.from('["2026-01-01","x"]').toString("base64url")}`, "分页位置无效"],
    [`q=${"长".repeat(101)}`, "100 个字符"],
    ["nickname=王", "未知参数"],
    ["scope=snsapi_base&scope=snsapi_userinfo", "重复"],
  ])("refuses %s with a Chinese reason", (search, reason) => {
    expect(issues(search).join(" ")).toContain(reason);
  });

  it("refuses after and before together", () => {
    const c = encodeCursor({ value: new Date(0), id: "x" });
    expect(issues(`after=${c}&before=${c}`).join()).toContain("不能同时使用");
  });

  it("reads Next.js searchParams objects as well", () => {
    const result = parseUserQuery({ q: "王", scope: ["snsapi_base"], dir: undefined });
    expect(result).toEqual({
      ok: true,
      query: { q: "王", scope: "snsapi_base", sort: "created", dir: "desc", limit: 50 },
    });
  });
});

describe("cursors", () => {
  it("decode what they encode and nothing else", () => {
    const cursor = { value: new Date("2026-11-21T16:10:42.123Z"), id: "cmwq480qd24yxaf1eohk5zm5g" };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor("")).toBeUndefined();
    expect(decodeCursor("!!!")).toBeUndefined();
    expect(decodeCursor(Buffer.from("[1,2]").toString("base64url"))).toBeUndefined();
    expect(decodeCursor(Buffer.from('["2026-11-21T16:10:42.123Z",""]').toString("base64url"))).toBeUndefined();
  });

  // The browser encodes them now (no Buffer there): the text must stay what Node's base64url made, so that
  // cursors in URLs shared before still work, for any id, multi-byte ones included.
  it("are Node's base64url of the JSON, byte for byte, both ways", () => {
    for (const id of ["cmwq480qd24yxaf1eohk5zm5g", "e2e-119", "用户👨‍👩‍👧?&/+", "a"]) {
      const cursor = { value: new Date("2026-01-01T00:00:00.000Z"), id };
      const node = Buffer.from(JSON.stringify([cursor.value.toISOString(), id]), "utf8").toString("base64url");
      expect(encodeCursor(cursor)).toBe(node);
      expect(decodeCursor(node)).toEqual(cursor);
    }
  });

  it("come from a module the browser can load: zod and nothing else", () => {
    const source = fs.readFileSync(path.join(import.meta.dirname, "user-query.ts"), "utf8");
    expect([...source.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1])).toEqual(["zod"]);
    const code = source.replace(/^\s*\/\/.*$/gm, "");
    expect(code).not.toMatch(/\bBuffer\b|\bprocess\.|server-only/);
  });
});

describe("dates in Asia/Shanghai", () => {
  it("turn a calendar day into [its midnight, the next midnight) at +08:00", () => {
    expect(shanghaiDayStart("2026-01-02").toISOString()).toBe("2026-01-01T16:00:00.000Z");
    expect(shanghaiDayEnd("2026-01-02").toISOString()).toBe("2026-01-02T16:00:00.000Z");
  });

  it("format instants as Beijing time", () => {
    expect(formatShanghaiTime(new Date("2026-01-01T16:30:05.000Z"))).toBe("2026-01-02 00:30:05");
    expect(formatShanghaiTime(new Date("2026-01-01T16:30:05.000Z"), "minute")).toBe("2026-01-02 00:30");
  });
});

describe("searchKind", () => {
  it("recognises WeChat ids and treats everything else as text", () => {
    expect(searchKind("oLVPpjqs9BhvzwPj5A-vTYAX3GLc")).toBe("wechat_id");
    expect(searchKind("o6_bmasdasdsad6_2sgVt7hMZOPfL")).toBe("wechat_id");
    expect(searchKind("oliver")).toBe("text");
    expect(searchKind("王小明")).toBe("text");
  });
});
