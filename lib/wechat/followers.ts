/**
 * Follower management with the basic access_token: the follower list and details, remarks, tags and
 * the blacklist (cgi-bin/user/*, cgi-bin/tags/*). Calls go through a CgiClient (lib/wechat/cgi.ts),
 * which adds the token; responses are checked with zod at this boundary into readonly values.
 *
 * Every documented limit is checked here BEFORE calling: a request WeChat would refuse is refused
 * with the WeChatApiError (and errcode) WeChat would have answered, and never sent. Its errmsg says
 * it was refused locally, so an operator can tell the two apart.
 */
import { z } from "zod";
import type { CgiClient } from "./cgi";
import { WeChatApiError } from "./errors";
import { storableText, utf8Bytes } from "./text";

export { utf8Bytes };

export const FOLLOWER_PAGE_SIZE = 10_000;
export const BATCHGET_MAX = 100;
export const TAGGING_MAX = 50;
export const BLACKLIST_MAX = 20;
export const MAX_TAGS = 100;
export const MAX_TAGS_PER_USER = 20;
export const TAG_NAME_MAX_BYTES = 30;
/** updateremark: shorter than this many characters (code points). */
export const REMARK_MAX_CHARS = 30;
/** WeChat's own tags: not renamed or deleted (45058). */
export const RESERVED_TAG_IDS: readonly number[] = [0, 1, 2];

export type Lang = "zh_CN" | "zh_TW" | "en";

const OPENID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** A refusal that never reached WeChat: the errcode WeChat would have answered. */
function refuse(errcode: number, endpoint: string, why: string): WeChatApiError {
  return new WeChatApiError({ errcode, errmsg: `refused before calling WeChat: ${why}`, endpoint });
}

const ok = z.object({}).loose();

const openidPage = z
  .object({
    total: z.number().int().nonnegative().optional(),
    count: z.number().int().nonnegative(),
    data: z.object({ openid: z.array(z.string()) }).optional(),
    next_openid: z.string().optional(),
  })
  .transform((b) => ({
    total: b.total ?? null,
    openids: b.data?.openid ?? [],
    nextOpenid: b.next_openid ?? "",
    /**
     * WeChat names a next_openid even on the last page; only a page with nothing in it ends the list.
     * A count/data mismatch ends it too rather than looping forever.
     */
    done: b.count === 0 || !b.data || b.data.openid.length === 0 || !b.next_openid,
  }));

export type OpenidPage = z.output<typeof openidPage>;

const followerInfo = z
  .object({
    subscribe: z.union([z.literal(0), z.literal(1)]),
    openid: z.string(),
    language: z.string().optional(),
    subscribe_time: z.number().int().optional(),
    unionid: z.string().optional(),
    remark: z.string().optional(),
    tagid_list: z.array(z.number().int()).optional(),
    subscribe_scene: z.string().optional(),
    qr_scene: z.number().int().optional(),
    qr_scene_str: z.string().optional(),
  })
  .transform((b) => ({
    subscribed: b.subscribe === 1,
    openid: b.openid,
    unionid: b.unionid || null,
    language: b.language || null,
    subscribedAt: b.subscribe_time ? new Date(b.subscribe_time * 1000) : null,
    remark: b.remark === undefined ? null : storableText(b.remark),
    tagIds: b.tagid_list ?? [],
    scene: b.subscribe_scene || null,
    qrScene: b.qr_scene_str || (b.qr_scene ? String(b.qr_scene) : null),
  }));

export type FollowerInfo = Readonly<z.output<typeof followerInfo>>;

const batchInfo = z.object({ user_info_list: z.array(followerInfo) }).transform((b) => b.user_info_list);

const tagSchema = z.object({ id: z.number().int(), name: z.string(), count: z.number().int().nonnegative() });
export type WeChatTag = Readonly<z.output<typeof tagSchema>>;

const created = z.object({ tag: z.object({ id: z.number().int(), name: z.string() }) }).transform((b) => b.tag);
const tagList = z.object({ tags: z.array(tagSchema) }).transform((b) => b.tags);
const tagIds = z.object({ tagid_list: z.array(z.number().int()) }).transform((b) => b.tagid_list);

/** Throws the errcode WeChat would answer to this tag name (45158), or returns the trimmed name. */
export function checkTagName(name: string, endpoint = "/cgi-bin/tags/create"): string {
  const trimmed = name.trim();
  if (trimmed === "") throw refuse(45158, endpoint, "tag name is empty");
  if (utf8Bytes(trimmed) > TAG_NAME_MAX_BYTES)
    throw refuse(45158, endpoint, `tag name is ${utf8Bytes(trimmed)} bytes (at most ${TAG_NAME_MAX_BYTES})`);
  return trimmed;
}

/** 45058 for WeChat's reserved tags 0/1/2. */
export function checkTagEditable(id: number, endpoint: string): void {
  if (!Number.isInteger(id) || id < 0) throw refuse(45159, endpoint, `invalid tag id ${id}`);
  if (RESERVED_TAG_IDS.includes(id)) throw refuse(45058, endpoint, `tag ${id} is reserved`);
}

/** 45056 when the account already has MAX_TAGS tags of its own; 45157 for a duplicate name. */
export function checkCanCreateTag(existing: readonly { id: number; name: string }[], name: string): string {
  const trimmed = checkTagName(name);
  const own = existing.filter((t) => !RESERVED_TAG_IDS.includes(t.id));
  if (own.length >= MAX_TAGS) throw refuse(45056, "/cgi-bin/tags/create", `the account has ${own.length} tags`);
  if (existing.some((t) => t.name === trimmed)) throw refuse(45157, "/cgi-bin/tags/create", "duplicate tag name");
  return trimmed;
}

/** 45059 when tagging would give someone more than MAX_TAGS_PER_USER tags (`current`: tag ids per openid). */
export function checkTagsPerUser(tagid: number, current: ReadonlyMap<string, readonly number[]>): void {
  for (const [openid, ids] of current) {
    if (!ids.includes(tagid) && ids.length >= MAX_TAGS_PER_USER) {
      throw refuse(45059, "/cgi-bin/tags/members/batchtagging", `${openid} already has ${ids.length} tags`);
    }
  }
}

/** Remark under REMARK_MAX_CHARS characters; the errcode the simulator (and WeChat) answer is 47001. */
export function checkRemark(remark: string): string {
  const trimmed = remark.trim();
  const chars = [...trimmed].length;
  if (chars >= REMARK_MAX_CHARS)
    throw refuse(47001, "/cgi-bin/user/info/updateremark", `remark is ${chars} characters (under ${REMARK_MAX_CHARS})`);
  return trimmed;
}

function checkOpenids(openids: readonly string[], max: number, endpoint: string): string[] {
  if (openids.length === 0) throw refuse(40032, endpoint, "empty openid list");
  if (openids.length > max) throw refuse(40032, endpoint, `${openids.length} openids (at most ${max})`);
  for (const openid of openids) if (!OPENID_RE.test(openid)) throw refuse(40003, endpoint, "malformed openid");
  if (new Set(openids).size !== openids.length) throw refuse(40032, endpoint, "duplicate openids");
  return [...openids];
}

/** One Official Account's follower APIs. */
export class WeChatFollowers {
  constructor(private readonly cgi: CgiClient) {}

  /** One page of cgi-bin/user/get: up to 10,000 openids after `nextOpenid` ("" = from the start). */
  listFollowers(nextOpenid = ""): Promise<OpenidPage> {
    return this.cgi.call({
      method: "GET",
      path: "/cgi-bin/user/get",
      query: nextOpenid ? { next_openid: nextOpenid } : {},
      schema: openidPage,
      idempotent: true,
    });
  }

  getFollower(openid: string, lang: Lang = "zh_CN"): Promise<FollowerInfo> {
    checkOpenids([openid], 1, "/cgi-bin/user/info");
    return this.cgi.call({
      method: "GET",
      path: "/cgi-bin/user/info",
      query: { openid, lang },
      schema: followerInfo,
      idempotent: true,
    });
  }

  /** Details of up to 100 followers in one call, in the order asked. */
  async getFollowers(openids: readonly string[], lang: Lang = "zh_CN"): Promise<FollowerInfo[]> {
    const list = checkOpenids(openids, BATCHGET_MAX, "/cgi-bin/user/info/batchget");
    return this.cgi.call({
      method: "POST",
      path: "/cgi-bin/user/info/batchget",
      body: { user_list: list.map((openid) => ({ openid, lang })) },
      schema: batchInfo,
      idempotent: true,
    });
  }

  /** Sets (or with "" clears) the account's remark for a follower. */
  async updateRemark(openid: string, remark: string): Promise<string> {
    checkOpenids([openid], 1, "/cgi-bin/user/info/updateremark");
    const value = checkRemark(remark);
    await this.cgi.call({
      method: "POST",
      path: "/cgi-bin/user/info/updateremark",
      body: { openid, remark: value },
      schema: ok,
      idempotent: true,
    });
    return value;
  }

  listTags(): Promise<WeChatTag[]> {
    return this.cgi.call({ method: "GET", path: "/cgi-bin/tags/get", schema: tagList, idempotent: true });
  }

  /** `existing`: the account's tags as last listed, for the 100-tag and duplicate checks. */
  async createTag(
    name: string,
    existing: readonly { id: number; name: string }[],
  ): Promise<{ id: number; name: string }> {
    const value = checkCanCreateTag(existing, name);
    // Not idempotent: a retried create after a lost answer would make a second tag (or 45157).
    return this.cgi.call({
      method: "POST",
      path: "/cgi-bin/tags/create",
      body: { tag: { name: value } },
      schema: created,
      idempotent: false,
    });
  }

  async renameTag(id: number, name: string): Promise<string> {
    checkTagEditable(id, "/cgi-bin/tags/update");
    const value = checkTagName(name, "/cgi-bin/tags/update");
    await this.cgi.call({
      method: "POST",
      path: "/cgi-bin/tags/update",
      body: { tag: { id, name: value } },
      schema: ok,
      idempotent: true,
    });
    return value;
  }

  async deleteTag(id: number): Promise<void> {
    checkTagEditable(id, "/cgi-bin/tags/delete");
    await this.cgi.call({
      method: "POST",
      path: "/cgi-bin/tags/delete",
      body: { tag: { id } },
      schema: ok,
      idempotent: true,
    });
  }

  /**
   * Tags up to 50 followers. `current` (tag ids each openid already has, from our mirror) lets the
   * 20-tags-per-user limit be checked first; WeChat checks it again.
   */
  async tagFollowers(
    tagid: number,
    openids: readonly string[],
    current: ReadonlyMap<string, readonly number[]> = new Map(),
  ): Promise<void> {
    const list = checkOpenids(openids, TAGGING_MAX, "/cgi-bin/tags/members/batchtagging");
    if (!Number.isInteger(tagid) || tagid < 0) throw refuse(45159, "/cgi-bin/tags/members/batchtagging", "tag id");
    checkTagsPerUser(tagid, current);
    await this.cgi.call({
      method: "POST",
      path: "/cgi-bin/tags/members/batchtagging",
      body: { openid_list: list, tagid },
      schema: ok,
      idempotent: true,
    });
  }

  async untagFollowers(tagid: number, openids: readonly string[]): Promise<void> {
    const list = checkOpenids(openids, TAGGING_MAX, "/cgi-bin/tags/members/batchuntagging");
    if (!Number.isInteger(tagid) || tagid < 0) throw refuse(45159, "/cgi-bin/tags/members/batchuntagging", "tag id");
    await this.cgi.call({
      method: "POST",
      path: "/cgi-bin/tags/members/batchuntagging",
      body: { openid_list: list, tagid },
      schema: ok,
      idempotent: true,
    });
  }

  followerTagIds(openid: string): Promise<number[]> {
    checkOpenids([openid], 1, "/cgi-bin/tags/getidlist");
    return this.cgi.call({
      method: "POST",
      path: "/cgi-bin/tags/getidlist",
      body: { openid },
      schema: tagIds,
      idempotent: true,
    });
  }

  /** One page (10,000) of a tag's fans. */
  listTagFollowers(tagid: number, nextOpenid = ""): Promise<OpenidPage> {
    return this.cgi.call({
      method: "POST",
      path: "/cgi-bin/user/tag/get",
      body: { tagid, next_openid: nextOpenid },
      schema: openidPage,
      idempotent: true,
    });
  }

  /** One page (10,000) of the blacklist after `beginOpenid`. */
  listBlacklist(beginOpenid = ""): Promise<OpenidPage> {
    return this.cgi.call({
      method: "POST",
      path: "/cgi-bin/tags/members/getblacklist",
      body: { begin_openid: beginOpenid },
      schema: openidPage,
      idempotent: true,
    });
  }

  async blacklist(openids: readonly string[]): Promise<void> {
    const list = checkOpenids(openids, BLACKLIST_MAX, "/cgi-bin/tags/members/batchblacklist");
    await this.cgi.call({
      method: "POST",
      path: "/cgi-bin/tags/members/batchblacklist",
      body: { openid_list: list },
      schema: ok,
      idempotent: true,
    });
  }

  async unblacklist(openids: readonly string[]): Promise<void> {
    const list = checkOpenids(openids, BLACKLIST_MAX, "/cgi-bin/tags/members/batchunblacklist");
    await this.cgi.call({
      method: "POST",
      path: "/cgi-bin/tags/members/batchunblacklist",
      body: { openid_list: list },
      schema: ok,
      idempotent: true,
    });
  }
}
