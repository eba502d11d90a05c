/**
 * Test users of the simulated WeChat (fixtures).
 *
 * Openids and unionids are fixed 28-character strings in WeChat's alphabet ([A-Za-z0-9_-], leading
 * "o"), so tests and e2e runs can assert on them across restarts. Each set of ids was derived once
 * as "o" + base64url(sha256("openid:<key>")).slice(0, 27) and pasted here.
 */

/** Region strings as /sns/userinfo returns them for one `lang`. */
export interface Region {
  readonly province: string;
  readonly city: string;
  readonly country: string;
}

export interface TestUser {
  /** Stable handle for the controls (`selectUser`) and the chooser (`data-testid="sim-user-<key>"`). */
  readonly key: string;
  readonly openid: string;
  /** Only for accounts bound to an Open Platform account; returned only with snsapi_userinfo. */
  readonly unionid?: string;
  readonly nickname: string;
  /** 0 unknown, 1 male, 2 female. */
  readonly sex: 0 | 1 | 2;
  /** Region as returned with lang=zh_CN. */
  readonly province: string;
  readonly city: string;
  readonly country: string;
  /** Empty string when the user has no avatar, as WeChat does. */
  readonly headimgurl: string;
  /** A "snapshot page" user: token responses carry is_snapshotuser: 1 and the ids are virtual. */
  readonly snapshot?: boolean;
  /** Region for lang=zh_TW and lang=en (and for no lang, see README); falls back to the zh_CN strings. */
  readonly regions?: { readonly zh_TW?: Region; readonly en?: Region };
}

export const DEFAULT_USER_KEY = "zhangsan";

/** Where the simulator serves a user's avatar; the default fixtures point their headimgurl here. */
export function avatarUrl(baseUrl: string, key: string): string {
  return `${baseUrl}/__sim/avatar/${encodeURIComponent(key)}.svg`;
}

/** The default fixtures. `baseUrl` is the simulator's own origin, for the avatar URLs. */
export function createDefaultUsers(baseUrl: string): TestUser[] {
  return [
    {
      key: "zhangsan",
      openid: "o85sq3gEX33-MNJ7iyWuOdWl4eLf",
      unionid: "oGW8_Nc6Rm5PYk8dyX8qB-3CKaTP",
      nickname: "张三",
      sex: 1,
      province: "广东",
      city: "深圳",
      country: "中国",
      headimgurl: avatarUrl(baseUrl, "zhangsan"),
      regions: {
        zh_TW: { province: "廣東", city: "深圳", country: "中國" },
        en: { province: "Guangdong", city: "Shenzhen", country: "China" },
      },
    },
    {
      key: "lisi",
      openid: "o81u9s-UhNuO-8vxTPG-IYhghBaw",
      nickname: "李四",
      sex: 1,
      province: "北京",
      city: "朝阳",
      country: "中国",
      headimgurl: avatarUrl(baseUrl, "lisi"),
      regions: {
        zh_TW: { province: "北京", city: "朝陽", country: "中國" },
        en: { province: "Beijing", city: "Chaoyang", country: "China" },
      },
    },
    {
      key: "emoji",
      openid: "om0zlu1X_WZ1eiNZdtnO7YrgrzBl",
      unionid: "oqvS4iVLvy_5nfLaoA2KWCjtm3iO",
      // Emoji, a ZWJ family sequence and a variation selector: length in code units != graphemes.
      nickname: "🌸小花👩‍👩‍👧✌️",
      sex: 2,
      province: "浙江",
      city: "杭州",
      country: "中国",
      headimgurl: avatarUrl(baseUrl, "emoji"),
      regions: {
        zh_TW: { province: "浙江", city: "杭州", country: "中國" },
        en: { province: "Zhejiang", city: "Hangzhou", country: "China" },
      },
    },
    {
      key: "rare",
      openid: "o5owSMcPfH3JseMJE5w96a_zdF5t",
      // 𠮷 and 𪚥 are outside the BMP (surrogate pairs in UTF-16, 4 bytes in UTF-8): breaks utf8mb3.
      nickname: "𠮷野家𪚥龘",
      sex: 0,
      // Users may leave the region empty; WeChat then returns empty strings, not missing fields.
      province: "",
      city: "",
      country: "",
      headimgurl: avatarUrl(baseUrl, "rare"),
    },
    {
      key: "snapshot",
      openid: "o5gVzI3m-pES-jVJ_UvRjy-nM55c",
      unionid: "oZ1_yr_8hDsLEPTXXkmHFIF0dBzh",
      // What WeChat hands out for a snapshot-page visitor: a placeholder name and the grey avatar.
      nickname: "微信用户",
      sex: 0,
      province: "",
      city: "",
      country: "",
      headimgurl: avatarUrl(baseUrl, "snapshot"),
      snapshot: true,
    },
    {
      key: "noavatar",
      openid: "oiiXAg1Mv65muSuAajS15Uzn_LCt",
      unionid: "oSlb3ldJXGbqQblbRNSgLSqCFzYr",
      nickname: "无头像用户",
      sex: 2,
      province: "上海",
      city: "浦东新区",
      country: "中国",
      headimgurl: "",
      regions: {
        zh_TW: { province: "上海", city: "浦東新區", country: "中國" },
        en: { province: "Shanghai", city: "Pudong", country: "China" },
      },
    },
  ];
}
