import { describe, expect, it } from "vitest";
import { processApiHosts } from "./api-hosts";

describe("processApiHosts", () => {
  it("is one ApiHosts per API base and backup, so the login and the token service share host health", () => {
    const e = { WECHAT_API_BASE: "https://api.example.test", WECHAT_API_BACKUP_BASE: "https://api2.example.test" };
    const first = processApiHosts(e);
    expect(processApiHosts({ ...e })).toBe(first);
    first.reportFailure("https://api.example.test");
    expect(processApiHosts(e).base()).toBe("https://api2.example.test");
    expect(processApiHosts({ ...e, WECHAT_API_BACKUP_BASE: "https://api3.example.test" })).not.toBe(first);
  });
});
