/** Tags: cgi-bin/tags/* (create, get, update, delete, tagging, getidlist) and user/tag/get (a tag's fans). */
import type { ApiBody } from "../errors";
import type { Route } from "../http/router";
import {
  MAX_TAGS,
  MAX_TAGS_PER_USER,
  RESERVED_TAG_IDS,
  TAG_DELETE_MAX_FANS,
  TAG_NAME_MAX_BYTES,
  TAGGING_MAX,
  type Followers,
  type SimTag,
} from "./followers";
import type { CgiRoutes } from "./guard";

export function tagRoutes(f: Followers, { get, post }: CgiRoutes): Route[] {
  return [
    post("/cgi-bin/tags/create", (b) => tagCreate(f, b)),
    get("/cgi-bin/tags/get", () => f.tagList()),
    post("/cgi-bin/tags/update", (b) => tagUpdate(f, b)),
    post("/cgi-bin/tags/delete", (b) => tagDelete(f, b)),
    post("/cgi-bin/tags/members/batchtagging", (b) => tagging(f, b, true)),
    post("/cgi-bin/tags/members/batchuntagging", (b) => tagging(f, b, false)),
    post("/cgi-bin/tags/getidlist", (b) => tagIdList(f, b)),
    post("/cgi-bin/user/tag/get", (b) => tagFans(f, b), true),
  ];
}

/** User-created tags (not the reserved ones). */
function userTagCount(f: Followers): number {
  return [...f.tags.keys()].filter((id) => !RESERVED_TAG_IDS.includes(id)).length;
}

function checkName(f: Followers, name: unknown): ApiBody | null {
  if (typeof name !== "string") return f.err(47001);
  if (name === "" || Buffer.byteLength(name, "utf8") > TAG_NAME_MAX_BYTES) return f.err(45158);
  if ([...f.tags.values()].some((t) => t.name === name)) return f.err(45157);
  return null;
}

function tagCreate(f: Followers, body: Record<string, unknown>): ApiBody {
  const name = (body.tag as { name?: unknown } | undefined)?.name;
  const bad = checkName(f, name);
  if (bad) return bad;
  if (userTagCount(f) >= MAX_TAGS) return f.err(45056);
  const id = f.nextTagId++;
  f.tags.set(id, { id, name: name as string, members: new Set(), extraCount: 0 });
  return { tag: { id, name } };
}

function tagFromBody(f: Followers, body: Record<string, unknown>): { tag?: SimTag; error?: ApiBody } {
  const id = (body.tag as { id?: unknown } | undefined)?.id;
  if (typeof id !== "number" || !Number.isInteger(id)) return { error: f.err(47001) };
  if (RESERVED_TAG_IDS.includes(id)) return { error: f.err(45058) };
  const tag = f.tags.get(id);
  return tag ? { tag } : { error: f.err(45159) };
}

function tagUpdate(f: Followers, body: Record<string, unknown>): ApiBody {
  const { tag, error } = tagFromBody(f, body);
  if (!tag) return error ?? f.err(45159);
  const name = (body.tag as { name?: unknown }).name;
  if (name === tag.name) return { errcode: 0, errmsg: "ok" };
  const bad = checkName(f, name);
  if (bad) return bad;
  tag.name = name as string;
  return { errcode: 0, errmsg: "ok" };
}

function tagDelete(f: Followers, body: Record<string, unknown>): ApiBody {
  const { tag, error } = tagFromBody(f, body);
  if (!tag) return error ?? f.err(45159);
  if (tag.members.size + tag.extraCount > TAG_DELETE_MAX_FANS) return f.err(45057);
  for (const index of tag.members) f.userTags.get(index)?.delete(tag.id);
  f.tags.delete(tag.id);
  return { errcode: 0, errmsg: "ok" };
}

function tagging(f: Followers, body: Record<string, unknown>, add: boolean): ApiBody {
  const tagid = body.tagid;
  if (typeof tagid !== "number" || !Number.isInteger(tagid)) return f.err(47001);
  const { indexes, error } = f.openidList(body, TAGGING_MAX);
  if (!indexes) return error ?? f.err(40032);
  const tag = f.tags.get(tagid);
  if (!tag) return f.err(45159);
  if (add) {
    // All or nothing, as WeChat: one user over the limit fails the call.
    for (const index of indexes) {
      const mine = f.userTags.get(index);
      if (mine && !mine.has(tagid) && mine.size >= MAX_TAGS_PER_USER) return f.err(45059);
    }
    for (const index of indexes) {
      const mine = f.userTags.get(index) ?? new Set<number>();
      mine.add(tagid);
      f.userTags.set(index, mine);
      tag.members.add(index);
    }
  } else {
    for (const index of indexes) {
      f.userTags.get(index)?.delete(tagid);
      tag.members.delete(index);
    }
  }
  return { errcode: 0, errmsg: "ok" };
}

function tagIdList(f: Followers, body: Record<string, unknown>): ApiBody {
  const openid = body.openid;
  if (typeof openid !== "string") return f.err(47001);
  const index = f.indexOf(openid);
  if (index === undefined) return f.err(40003);
  return { tagid_list: [...(f.userTags.get(index) ?? [])].sort((a, b) => a - b) };
}

function tagFans(f: Followers, body: Record<string, unknown>): ApiBody {
  const tag = typeof body.tagid === "number" ? f.tags.get(body.tagid) : undefined;
  if (!tag) return f.err(45159);
  const { total: _total, ...page } = f.sortedPage(tag.members, body.next_openid, tag.members.size);
  return page;
}
