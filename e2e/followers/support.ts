// The follower specs' helpers: empty what they write beyond people (fixtures.ts empties people), look
// people up by openid in the app's database, drive the simulator's follower controls, and sign in an
// admin on a desktop-sized page.
import Database from "better-sqlite3";
import pg from "pg";
import { devices, expect, type Browser, type Page } from "@playwright/test";
import { isPostgres, sqliteFile } from "../support/database";
import { SIM_URL } from "../support/env";
import { STAFF, createStaffAccounts } from "../admin/staff";

export { createStaffAccounts };

const TABLES = ["UserTag", "Tag", "SyncRun", "Lease"] as const;

async function withDb<T>(
  url: string,
  run: (query: (sql: string, params?: unknown[]) => Promise<unknown[]>) => Promise<T>,
) {
  if (isPostgres(url)) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await run(async (sql, params = []) => {
        let i = 0;
        return (
          await client.query(
            sql.replace(/\?/g, () => `$${++i}`),
            params,
          )
        ).rows;
      });
    } finally {
      await client.end();
    }
  }
  const db = new Database(sqliteFile(url));
  db.pragma("busy_timeout = 5000");
  try {
    return await run(async (sql, params = []) => {
      const statement = db.prepare(sql);
      return statement.reader ? statement.all(...params) : (statement.run(...params), []);
    });
  } finally {
    db.close();
  }
}

/** Tags, sync runs and leases: fixtures.ts empties people, not these. */
export async function emptyFollowerTables(url: string): Promise<void> {
  await withDb(url, async (query) => {
    for (const table of TABLES) await query(`DELETE FROM "${table}"`);
  });
}

/** The user id of the person the app knows by `openid`. */
export async function userIdOf(url: string, openid: string): Promise<string> {
  const rows = (await withDb(url, (query) => query(`SELECT "userId" FROM "Identity" WHERE openid = ?`, [openid]))) as {
    userId: string;
  }[];
  const id = rows[0]?.userId;
  if (!id) throw new Error(`no person with openid ${openid}`);
  return id;
}

/** The simulator's follower controls (simulator/README.md, "Followers"). */
export const simFollowers = {
  async configure(config: { count?: number; fixtures?: boolean; pageSize?: number }): Promise<void> {
    const res = await fetch(`${SIM_URL}/__sim/followers/configure`, { method: "POST", body: JSON.stringify(config) });
    if (!res.ok) throw new Error(`configure: ${res.status} ${await res.text()}`);
  },
  /** user/get past the first page waits until releaseList(): a sync is seen midway, then goes on. */
  async holdList(): Promise<void> {
    const res = await fetch(`${SIM_URL}/__sim/followers/hold-list`, { method: "POST" });
    if (!res.ok) throw new Error(`hold-list: ${res.status} ${await res.text()}`);
  },
  async releaseList(): Promise<number> {
    const res = await fetch(`${SIM_URL}/__sim/followers/release-list`, { method: "POST" });
    if (!res.ok) throw new Error(`release-list: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { released: number }).released;
  },
  async state(): Promise<{ total: number; tags: { id: number; name: string; count: number }[]; blacklist: string[] }> {
    return (await (await fetch(`${SIM_URL}/__sim/followers`)).json()) as never;
  },
};

/** An admin signed in on a desktop-sized page (the console is not made for the phone the WeChat specs use). */
export async function signInAdmin(browser: Browser, appOrigin: string): Promise<Page> {
  const context = await browser.newContext({ ...devices["Desktop Chrome"], locale: "zh-CN", baseURL: appOrigin });
  const page = await context.newPage();
  await page.goto("/admin/signin");
  await page.getByLabel("邮箱").fill(STAFF.admin.email);
  await page.getByLabel("密码").fill(STAFF.admin.password);
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForURL((url) => url.pathname.startsWith("/admin") && url.pathname !== "/admin/signin");
  return page;
}

/** Starts a follower sync through the API and waits until the console reports it done. */
export async function syncFollowers(page: Page): Promise<void> {
  const started = await page.request.post("/api/admin/followers/sync", {
    headers: { origin: new URL(page.url()).origin },
  });
  expect(started.status()).toBe(202);
  await expect
    .poll(
      async () =>
        // The sync is a queued job: its run may appear a moment after the 202.
        (
          (await (await page.request.get("/api/admin/followers/sync")).json()) as {
            followers: { status: string } | null;
          }
        ).followers?.status,
      {
        timeout: 60_000,
      },
    )
    .toBe("done");
}
