// A person as the admin console reads them, on SQLite and PostgreSQL: every identity with whether its
// web token can still be refreshed (never the token), the latest 50 logins newest first.
import { beforeAll, describe, expect, it } from "vitest";
import { formatShanghai, getUserDetail, LOGIN_HISTORY_LIMIT, summarizeUserAgent, type UserDetail } from "./user-detail";
import { forEachDatabase } from "@/test/support/db";

const NOW = new Date("2026-03-01T00:00:00.000Z");
const FUTURE = new Date("2026-03-20T00:00:00.000Z");
const PAST = new Date("2026-02-28T23:59:59.000Z");
const SEALED = ["v1.sealed-access-A", "v1.sealed-refresh-A", "v1.sealed-access-B", "v1.sealed-refresh-C"];

forEachDatabase((_kind, database) => {
  describe("getUserDetail", () => {
    let detail: UserDetail | null;

    beforeAll(async () => {
      const { db } = database();
      await db.user.create({
        data: {
          id: "u1",
          unionid: "union-1",
          nickname: "张三",
          headimgurl: "https://thirdwx.qlogo.cn/mmopen/x/132",
          sex: 1,
          province: "广东",
          city: "深圳",
          country: "中国",
          scope: "snsapi_userinfo",
          userinfoAt: new Date("2026-01-05T02:00:00.000Z"),
          subscribed: true,
          subscribedAt: new Date("2026-01-06T02:00:00.000Z"),
          remark: "VIP",
          snapshotAttempts: 2,
          createdAt: new Date("2026-01-01T00:00:00.000Z"),
          lastLoginAt: new Date("2026-02-27T00:00:00.000Z"),
          identities: {
            create: [
              // Refreshable: a stored refresh token that expires later.
              {
                appid: "wx-a",
                openid: "openid-a",
                scope: "snsapi_userinfo",
                accessTokenEnc: SEALED[0],
                refreshTokenEnc: SEALED[1],
                accessTokenExpiresAt: PAST,
                refreshTokenExpiresAt: FUTURE,
                createdAt: new Date("2026-01-01T00:00:00.000Z"),
              },
              // Expired refresh token.
              {
                appid: "wx-b",
                openid: "openid-b",
                accessTokenEnc: SEALED[2],
                refreshTokenEnc: "v1.sealed-refresh-B",
                refreshTokenExpiresAt: PAST,
                createdAt: new Date("2026-01-02T00:00:00.000Z"),
              },
              // An expiry in the future but no token stored (cleared after a revocation).
              {
                appid: "wx-c",
                openid: "openid-c",
                refreshTokenEnc: null,
                refreshTokenExpiresAt: FUTURE,
                createdAt: new Date("2026-01-03T00:00:00.000Z"),
              },
            ],
          },
        },
      });
      await db.user.create({ data: { id: "u2" } });
      // 55 logins a minute apart, plus one of another person.
      await db.loginEvent.createMany({
        data: [
          ...Array.from({ length: 55 }, (_, i) => ({
            id: `l${String(i).padStart(3, "0")}`,
            userId: "u1",
            appid: "wx-a",
            scope: i % 2 ? "snsapi_userinfo" : "snsapi_base",
            userAgent: `UA ${i}`,
            ip: `10.0.0.${i}`,
            createdAt: new Date(Date.UTC(2026, 1, 1, 0, i)),
          })),
          { id: "other", userId: "u2", appid: "wx-a", scope: "snsapi_base", createdAt: NOW },
        ],
      });
      detail = await getUserDetail({ db, now: () => NOW }, "u1");
    });

    it("returns the profile", () => {
      expect(detail).toMatchObject({
        id: "u1",
        unionid: "union-1",
        nickname: "张三",
        sex: 1,
        scope: "snsapi_userinfo",
        userinfoAt: new Date("2026-01-05T02:00:00.000Z"),
        subscribed: true,
        remark: "VIP",
        snapshotAttempts: 2,
      });
    });

    it("lists every identity with its refreshability, oldest first", () => {
      expect(detail?.identities.map((i) => [i.appid, i.openid, i.refreshable])).toEqual([
        ["wx-a", "openid-a", true],
        ["wx-b", "openid-b", false],
        ["wx-c", "openid-c", false],
      ]);
      expect(detail?.identities[0]?.refreshTokenExpiresAt).toEqual(FUTURE);
    });

    it("never carries a token or a token column", () => {
      const json = JSON.stringify(detail);
      expect(json).not.toMatch(/TokenEnc|sealed|v1\./);
      for (const sealed of SEALED) expect(json).not.toContain(sealed);
      for (const identity of detail?.identities ?? []) {
        expect(Object.keys(identity).sort()).toEqual([
          "accessTokenExpiresAt",
          "appid",
          "createdAt",
          "lastLoginAt",
          "openid",
          "refreshTokenExpiresAt",
          "refreshable",
          "scope",
        ]);
      }
    });

    it("shows the latest 50 logins, newest first, of this person only", () => {
      expect(detail?.logins).toHaveLength(LOGIN_HISTORY_LIMIT);
      expect(detail?.logins[0]).toEqual({
        id: "l054",
        createdAt: new Date(Date.UTC(2026, 1, 1, 0, 54)),
        appid: "wx-a",
        scope: "snsapi_base",
        userAgent: "UA 54",
        ip: "10.0.0.54",
      });
      expect(detail?.logins.at(-1)?.id).toBe("l005");
      const times = detail?.logins.map((l) => l.createdAt.getTime()) ?? [];
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    it("is null for an unknown id", async () => {
      const { db } = database();
      expect(await getUserDetail({ db, now: () => NOW }, "nobody")).toBeNull();
    });

    it("never hands out an avatar from a host other than WeChat's (a tracking pixel for staff)", async () => {
      const { db } = database();
      await db.user.create({ data: { id: "u3", headimgurl: "https://tracker.example.com/pixel.gif" } });
      expect((await getUserDetail({ db, now: () => NOW }, "u3"))?.headimgurl).toBeNull();
      await db.user.delete({ where: { id: "u3" } });
    });

    it("shows a person with nothing but an id", async () => {
      const { db } = database();
      const bare = await getUserDetail({ db, now: () => NOW }, "u2");
      expect(bare).toMatchObject({ id: "u2", nickname: null, subscribed: null, identities: [] });
      expect(bare?.logins.map((l) => l.id)).toEqual(["other"]);
    });
  });
});

describe("formatShanghai", () => {
  it("shows UTC+8 whatever the server's zone", () => {
    expect(formatShanghai(new Date("2026-01-01T16:30:05.123Z"))).toBe("2026-01-02 00:30:05");
  });
});

describe("summarizeUserAgent", () => {
  it.each([
    [
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323c) NetType/WIFI Language/zh_CN",
      "iPhone 微信 8.0.50",
    ],
    [
      "Mozilla/5.0 (Linux; Android 14; 23127PN0CC Build/UKQ1.230804.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.188 Mobile Safari/537.36 XWEB/1260117 MMWEBSDK/20240801 MMWEBID/1234 MicroMessenger/8.0.49.2600(0x28003133) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64",
      "Android 微信 8.0.49",
    ],
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.138 Safari/537.36 NetType/WIFI MicroMessenger/7.0.20.1781(0x6700143B) WindowsWechat(0x63090a13) XWEB/8555 Flue",
      "Windows 微信 7.0.20",
    ],
    [
      "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/53.0.2785.116 Safari/537.36 QBCore/4.0.1326.400 QQBrowser/9.0.2524.400 Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/53.0.2875.116 Safari/537.36 NetType/WIFI MicroMessenger/7.0.20.1781(0x6700143B) WindowsWechat(0x63010200) wxwork/4.1.22 (MicroMessenger/6.2) WeChat/2.0.4",
      "Windows 企业微信 4.1.22",
    ],
    [
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
      "Mac Chrome 126",
    ],
    [
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
      "Mac Safari 17",
    ],
    ["curl/8.5.0", "curl/8.5.0"],
    [null, "未知"],
  ])("%s → %s", (ua, summary) => {
    expect(summarizeUserAgent(ua)).toBe(summary);
  });
});
