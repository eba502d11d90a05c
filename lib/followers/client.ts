import "server-only";
// The running app's follower services, wired to the central token service's CgiClient (lib/token/app.ts):
// every cgi-bin call carries the one shared access_token and fails over between hosts there.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { cgiClient } from "@/lib/token/app";
import { WeChatFollowers } from "@/lib/wechat/followers";
import type { FollowerDeps } from "./deps";

/** This process, as a lease holder: host, pid and a random tag (a restarted process is someone else). */
export const INSTANCE = `${hostname()}/${process.pid}/${randomBytes(3).toString("hex")}`;

let deps: (FollowerDeps & { holder: string }) | undefined;

export function followerDeps(): FollowerDeps & { holder: string } {
  deps ??= {
    db: db(),
    wechat: new WeChatFollowers(cgiClient()),
    appId: env().WECHAT_APP_ID,
    now: () => new Date(),
    holder: INSTANCE,
  };
  return deps;
}
