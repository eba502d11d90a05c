/** The blacklist: cgi-bin/tags/members/getblacklist, batchblacklist, batchunblacklist. */
import type { ApiBody } from "../errors";
import type { Route } from "../http/router";
import { BLACKLIST_MAX, type Followers } from "./followers";
import type { CgiRoutes } from "./guard";

export function blacklistRoutes(f: Followers, { post }: CgiRoutes): Route[] {
  return [
    post("/cgi-bin/tags/members/getblacklist", (b) => getBlacklist(f, b)),
    post("/cgi-bin/tags/members/batchblacklist", (b) => setBlacklist(f, b, true)),
    post("/cgi-bin/tags/members/batchunblacklist", (b) => setBlacklist(f, b, false)),
  ];
}

function getBlacklist(f: Followers, body: Record<string, unknown>): ApiBody {
  return f.sortedPage(f.blacklist, body.begin_openid, f.blacklist.size);
}

function setBlacklist(f: Followers, body: Record<string, unknown>, add: boolean): ApiBody {
  const { indexes, error } = f.openidList(body, BLACKLIST_MAX);
  if (!indexes) return error ?? f.err(40032);
  for (const index of indexes) {
    if (add) f.blacklist.add(index);
    else f.blacklist.delete(index);
  }
  return { errcode: 0, errmsg: "ok" };
}
