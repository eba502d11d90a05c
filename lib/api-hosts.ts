// One ApiHosts per process and API base: the token service's cgi-bin calls and the login's sns calls
// share what they learn of api.weixin.qq.com's health, so a failover seen by one moves the other too.
import { ApiHosts } from "@/lib/wechat/hosts";
import type { Env } from "@/lib/env";

const shared = new Map<string, ApiHosts>();

export function processApiHosts(e: Pick<Env, "WECHAT_API_BASE" | "WECHAT_API_BACKUP_BASE">): ApiHosts {
  const key = `${e.WECHAT_API_BASE} ${e.WECHAT_API_BACKUP_BASE ?? ""}`;
  let hosts = shared.get(key);
  if (!hosts) {
    hosts = new ApiHosts({ primary: e.WECHAT_API_BASE, backup: e.WECHAT_API_BACKUP_BASE });
    shared.set(key, hosts);
  }
  return hosts;
}
