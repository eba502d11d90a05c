/** The follower list and details: cgi-bin/user/get, user/info, user/info/batchget, user/info/updateremark. */
import type { ApiBody } from "../errors";
import type { Route, UpstreamRequest } from "../http/router";
import { BATCHGET_MAX, REMARK_MAX_CHARS, type Followers } from "./followers";
import type { CgiRoutes } from "./guard";

export function userRoutes(f: Followers, { get, post }: CgiRoutes): Route[] {
  return [
    get("/cgi-bin/user/get", (req) => userGet(f, req)),
    get("/cgi-bin/user/info", (req) => userInfo(f, req)),
    post("/cgi-bin/user/info/batchget", (b) => batchGet(f, b)),
    post("/cgi-bin/user/info/updateremark", (b) => updateRemark(f, b)),
  ];
}

async function userGet(f: Followers, req: UpstreamRequest): Promise<ApiBody> {
  const next = req.query.get("next_openid") ?? "";
  await f.listMayAnswer(next);
  let from = 0;
  if (next !== "") {
    const index = f.indexOf(next);
    if (index === undefined) return f.err(40003);
    from = index + 1;
  }
  return f.page(from, (i) => f.isSubscribed(i), f.total());
}

function userInfo(f: Followers, req: UpstreamRequest): ApiBody {
  const openid = req.query.get("openid");
  if (!openid) return f.err(41009);
  const index = f.indexOf(openid);
  if (index === undefined) return f.err(40003);
  return f.info(index, req.query.get("lang") ?? "zh_CN");
}

function batchGet(f: Followers, body: Record<string, unknown>): ApiBody {
  const list = body.user_list;
  if (!Array.isArray(list) || list.length === 0) return f.err(47001);
  if (list.length > BATCHGET_MAX) return f.err(47001, "data format error: user_list size exceeds the limit of 100");
  const infos: ApiBody[] = [];
  for (const item of list as unknown[]) {
    const openid = (item as { openid?: unknown } | null)?.openid;
    const lang = (item as { lang?: unknown } | null)?.lang;
    if (typeof openid !== "string") return f.err(47001);
    const index = f.indexOf(openid);
    if (index === undefined) return f.err(40003);
    infos.push(f.info(index, typeof lang === "string" ? lang : "zh_CN"));
  }
  return { user_info_list: infos };
}

function updateRemark(f: Followers, body: Record<string, unknown>): ApiBody {
  const { openid, remark } = body;
  if (typeof openid !== "string" || typeof remark !== "string") return f.err(47001);
  const index = f.indexOf(openid);
  if (index === undefined) return f.err(40003);
  if ([...remark].length >= REMARK_MAX_CHARS) return f.err(47001, "data format error: remark too long");
  if (remark === "") f.remarks.delete(index);
  else f.remarks.set(index, remark);
  return { errcode: 0, errmsg: "ok" };
}
