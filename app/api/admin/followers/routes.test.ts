// The follower routes with Request objects, as a signed-in admin, against the in-process simulator
// through the central token service's CgiClient: the sync (202, then its status), tags, members,
// blacklist and remark; WeChat's refusals answer 422 with the errcode and say why, in Chinese.
import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { makeStaff, staffCookie } from "@/test/support/admin";
import { clearFollowerTables } from "@/test/support/followers/clients";
import { generatedOpenid } from "@/simulator/cgi/followers";
import { startSimulator, type Simulator } from "@/simulator/server";

const APP = "http://localhost:3000";
type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Module = Record<string, Handler>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- read loosely: the assertions say what it must be
type Answer = Record<string, any>;
const KEYS = ["APP_URL", "DATABASE_URL", "WECHAT_API_BASE", "WECHAT_API_BACKUP_BASE", "WECHAT_OAUTH_BASE"] as const;

forEachDatabase((_kind, database) => {
  type Globals = { wcucDb?: unknown };
  const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
  let sim: Simulator;
  let cookie = "";
  let viewer = "";
  const routes: Record<string, Module> = {};

  beforeAll(async () => {
    sim = await startSimulator();
    const { db, url } = database();
    Object.assign(process.env, {
      APP_URL: APP,
      DATABASE_URL: url,
      WECHAT_API_BASE: sim.url,
      WECHAT_API_BACKUP_BASE: sim.url,
      WECHAT_OAUTH_BASE: sim.url,
    });
    vi.resetModules();
    (globalThis as Globals).wcucDb = db;
    cookie = await staffCookie(await makeStaff(db, "admin"));
    viewer = await staffCookie(await makeStaff(db, "viewer"));
    routes.sync = (await import("./sync/route")) as unknown as Module;
    routes.tags = (await import("../tags/route")) as unknown as Module;
    routes.tag = (await import("../tags/[id]/route")) as unknown as Module;
    routes.members = (await import("../tags/[id]/members/route")) as unknown as Module;
    routes.blacklist = (await import("../blacklist/route")) as unknown as Module;
    routes.blacklistSync = (await import("../blacklist/sync/route")) as unknown as Module;
    routes.remark = (await import("../users/[id]/remark/route")) as unknown as Module;
    routes.jobs = (await import("../jobs/route")) as unknown as Module;
  });
  beforeEach(async () => {
    const { db } = database();
    sim.followers.reset();
    await clearFollowerTables(db);
    await db.identity.deleteMany();
    await db.user.deleteMany();
  });
  afterAll(async () => {
    await sim.close();
    delete (globalThis as Globals).wcucDb;
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  async function call(
    module: string,
    method: string,
    path: string,
    options: { body?: unknown; params?: Record<string, string>; as?: string } = {},
  ) {
    const handler = routes[module]?.[method];
    if (!handler) throw new Error(`${module} has no ${method}`);
    const request = new Request(`${APP}${path}`, {
      method,
      headers: { cookie: options.as ?? cookie, origin: APP, "content-type": "application/json" },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const response = await handler(request, { params: Promise.resolve(options.params ?? {}) });
    return { status: response.status, body: (await response.json()) as Answer };
  }

  /** Starts a sync, waits for it (the process's background run), and reads its status. */
  async function syncToTheEnd(): Promise<Answer> {
    const started = await call("sync", "POST", "/api/admin/followers/sync");
    expect(started.status).toBe(202);
    const { backgroundSync } = await import("@/lib/followers/console");
    await backgroundSync();
    return (await call("sync", "GET", "/api/admin/followers/sync")).body.followers;
  }

  it("POST /api/admin/followers/sync starts the sync; GET reports it live, then done", async () => {
    sim.followers.configure({ count: 40, pageSize: 10 });
    const run = await syncToTheEnd();
    expect(run).toMatchObject({ status: "done", total: 45, listed: 45, upserted: 45, percent: 100, error: null });
    expect(await database().db.user.count({ where: { subscribed: true } })).toBe(45);
  });

  it("GET /api/admin/jobs lists the sync as a job, with its state and progress", async () => {
    sim.followers.configure({ count: 3, fixtures: false });
    await syncToTheEnd();
    const listed = await call("jobs", "GET", "/api/admin/jobs", { as: viewer });
    expect(listed.status).toBe(200);
    expect(listed.body.jobs[0]).toMatchObject({
      name: "followers.sync",
      key: "followers",
      state: "done",
      attempts: 1,
      progress: { status: "done", listed: 3, upserted: 3 },
      error: null,
    });
  });

  it("a second start while one runs is a 409 in Chinese", async () => {
    await database().db.lease.create({
      data: {
        name: "sync:followers",
        holder: "elsewhere",
        leaseUntil: new Date(Date.now() + 60_000),
        acquiredAt: new Date(),
      },
    });
    const busy = await call("sync", "POST", "/api/admin/followers/sync");
    expect(busy.status).toBe(409);
    expect(busy.body.error).toMatchObject({ code: "sync_running", message: "同步正在进行中，请等待当前同步结束。" });
  });

  it("creates, renames and deletes tags; a refusal is a 422 with the errcode, before calling WeChat", async () => {
    const created = await call("tags", "POST", "/api/admin/tags", { body: { name: "重要客户" } });
    expect(created.status).toBe(201);
    const id = String(created.body.tag.id);
    expect((await call("tags", "GET", "/api/admin/tags")).body.tags).toContainEqual({
      id: Number(id),
      name: "重要客户",
      count: 0,
      reserved: false,
    });

    sim.clearRequests();
    const long = await call("tag", "PATCH", `/api/admin/tags/${id}`, {
      body: { name: "这是一个超过三十个字节的标签名" },
      params: { id },
    });
    expect(long.status).toBe(422);
    expect(long.body.error).toMatchObject({ code: "wechat_rejected", errcode: 45158 });
    expect(long.body.error.message).toContain("标签名称过长");
    expect(sim.requests().filter((r) => r.path === "/cgi-bin/tags/update")).toEqual([]);

    const reserved = await call("tag", "DELETE", "/api/admin/tags/2", { params: { id: "2" } });
    expect(reserved.body.error).toMatchObject({ code: "wechat_rejected", errcode: 45058 });

    expect(
      (await call("tag", "PATCH", `/api/admin/tags/${id}`, { body: { name: "VIP" }, params: { id } })).status,
    ).toBe(200);
    expect((await call("tag", "DELETE", `/api/admin/tags/${id}`, { params: { id } })).status).toBe(200);
    expect((await call("tag", "DELETE", `/api/admin/tags/${id}`, { params: { id } })).body.error.code).toBe(
      "tag_not_found",
    );
  });

  it("tags and blocks people from the list, and updates a remark", async () => {
    sim.followers.configure({ count: 3, fixtures: false });
    await syncToTheEnd();
    const users = await database().db.identity.findMany({ orderBy: { openid: "asc" } });
    const userIds = users.map((u) => u.userId);
    const tag = (await call("tags", "POST", "/api/admin/tags", { body: { name: "北京" } })).body.tag as { id: number };
    const tagged = await call("members", "POST", `/api/admin/tags/${tag.id}/members`, {
      body: { userIds, action: "add" },
      params: { id: String(tag.id) },
    });
    expect(tagged).toEqual({ status: 200, body: { applied: 3 } });
    expect(sim.followers.tagsOf(generatedOpenid(2))).toEqual([tag.id]);

    expect(
      (await call("blacklist", "POST", "/api/admin/blacklist", { body: { userIds, action: "block" } })).status,
    ).toBe(200);
    const listed = await call("blacklist", "GET", "/api/admin/blacklist");
    expect(listed.body.rows).toHaveLength(3);
    sim.followers.configure({ count: 3, fixtures: false });
    const synced = await call("blacklistSync", "POST", "/api/admin/blacklist/sync");
    expect(synced.body).toMatchObject({ listed: 0, removed: 3 });

    const remark = await call("remark", "PUT", `/api/admin/users/${userIds[0]}/remark`, {
      body: { remark: "老朋友" },
      params: { id: userIds[0]! },
    });
    expect(remark).toEqual({ status: 200, body: { remark: "老朋友" } });
    expect(sim.followers.remarkOf(generatedOpenid(0))).toBe("老朋友");
    const tooLong = await call("remark", "PUT", `/api/admin/users/${userIds[0]}/remark`, {
      body: { remark: "备".repeat(30) },
      params: { id: userIds[0]! },
    });
    expect(tooLong.body.error).toMatchObject({ code: "wechat_rejected", errcode: 47001 });
  });

  it("answers 400 to a bad body and 404 to someone who is not a follower", async () => {
    const bad = await call("blacklist", "POST", "/api/admin/blacklist", { body: { userIds: [], action: "block" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("bad_request");
    const nobody = await call("remark", "PUT", "/api/admin/users/nobody/remark", {
      body: { remark: "x" },
      params: { id: "nobody" },
    });
    expect(nobody.status).toBe(404);
    expect(nobody.body.error.code).toBe("follower_not_found");
  });

  it("a viewer reads the status but cannot start a sync", async () => {
    expect((await call("sync", "GET", "/api/admin/followers/sync", { as: viewer })).status).toBe(200);
    expect((await call("sync", "POST", "/api/admin/followers/sync", { as: viewer })).status).toBe(403);
  });
});
