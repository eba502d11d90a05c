import { afterEach, describe, expect, it, vi } from "vitest";
import { createAuthDeps } from "@/lib/auth/deps";
import type { Db } from "@/lib/db";
import { parseEnv } from "@/lib/env";
import { ApiHosts } from "@/lib/wechat/hosts";

afterEach(() => vi.unstubAllGlobals());

describe("createAuthDeps", () => {
  it("takes the host health it is given, so the login fails over with the token service's cgi-bin calls", async () => {
    const e = parseEnv(
      { WECHAT_API_BASE: "https://api.example.test", WECHAT_API_BACKUP_BASE: "https://api2.example.test" },
      false,
    );
    const hosts = new ApiHosts({ primary: e.WECHAT_API_BASE, backup: e.WECHAT_API_BACKUP_BASE });
    const urls: string[] = [];
    vi.stubGlobal("fetch", async (url: string) => {
      urls.push(url);
      return Response.json({ errcode: 0, errmsg: "ok" });
    });
    const { oauth } = createAuthDeps(e, {} as Db, {}, hosts);

    await oauth.checkToken("token", "openid");
    hosts.reportFailure("https://api.example.test"); // as the token service would, on a failed cgi-bin call
    await oauth.checkToken("token", "openid");

    expect(urls.map((u) => new URL(u).host)).toEqual(["api.example.test", "api2.example.test"]);
  });
});
