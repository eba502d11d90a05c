// Retention as a scheduled job, on both databases: expired login states go an hour after expiry, push
// nonces once past their window; periods come from the env. Driven by the runner's tick, no waiting.
import { afterEach, beforeEach, expect, it } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { parseEnv } from "@/lib/env";
import type { JobDefinition, JobRunner } from "@/lib/jobs";
import { clearJobs, testRunner } from "@/test/support/jobs";
import { retentionJob, type RetentionDeps } from "./retention";

const T0 = Date.UTC(2026, 0, 15, 8, 0, 0);
const minutes = (n: number) => new Date(T0 + n * 60_000);

it("reads the retention periods from the env, with defaults", () => {
  expect(parseEnv({}, false)).toMatchObject({
    RETAIN_LOGIN_STATE_SECONDS: 3600,
    RETAIN_PUSH_NONCE_SECONDS: 0,
    RETAIN_JOBS_SECONDS: 604800,
    RETAIN_SIGNIN_ATTEMPT_SECONDS: 30 * 24 * 3600,
    RETAIN_CREDENTIAL_FETCH_SECONDS: 30 * 24 * 3600,
    RETAIN_EVENT_SECONDS: 90 * 24 * 3600,
    RETENTION_EVERY_SECONDS: 600,
  });
  // The token card counts today's fetches and the backoff reads the last one: two days at the least.
  expect(() => parseEnv({ RETAIN_CREDENTIAL_FETCH_SECONDS: "3600" }, false)).toThrow(/RETAIN_CREDENTIAL_FETCH_SECONDS/);
  expect(parseEnv({ RETAIN_LOGIN_STATE_SECONDS: "7200", RETENTION_EVERY_SECONDS: "60" }, false)).toMatchObject({
    RETAIN_LOGIN_STATE_SECONDS: 7200,
    RETENTION_EVERY_SECONDS: 60,
  });
  expect(() => parseEnv({ RETENTION_EVERY_SECONDS: "5" }, false)).toThrow(/RETENTION_EVERY_SECONDS/);
});

forEachDatabase((kind, database) => {
  let ms = T0;
  const now = () => new Date(ms);
  let runner: JobRunner | undefined;

  beforeEach(async () => {
    ms = T0;
    const { db } = database();
    await db.loginState.deleteMany();
    await db.pushNonce.deleteMany();
    await clearJobs(database());
  });
  afterEach(async () => {
    await runner?.stop();
  });

  /** The default periods, on the test clock. */
  const retentionDeps = (db: RetentionDeps["db"]): RetentionDeps => ({
    db,
    now,
    RETAIN_LOGIN_STATE_SECONDS: 3600,
    RETAIN_PUSH_NONCE_SECONDS: 0,
    RETAIN_JOBS_SECONDS: 7 * 24 * 3600,
    RETAIN_SIGNIN_ATTEMPT_SECONDS: 30 * 24 * 3600,
    RETAIN_CREDENTIAL_FETCH_SECONDS: 30 * 24 * 3600,
    RETAIN_EVENT_SECONDS: 90 * 24 * 3600,
    RETENTION_EVERY_SECONDS: 600,
  });

  const state = (name: string, expiresAt: Date) => ({
    state: name,
    bindingHash: "h",
    scope: "snsapi_base",
    returnTo: "/",
    createdAt: new Date(expiresAt.getTime() - 600_000),
    expiresAt,
  });

  it("deletes login states an hour past expiry and nonces past their window, on its schedule", async () => {
    const { db } = database();
    await db.loginState.createMany({
      data: [state("long-gone", minutes(-61)), state("just-expired", minutes(-5)), state("live", minutes(5))],
    });
    await db.qrLogin.deleteMany();
    const qrLogin = (id: string, expiresAt: Date) => ({
      id,
      appId: "wx0",
      scene: `login_${id}`,
      bindingHash: "h",
      url: "http://weixin.qq.com/q/x",
      expiresAt,
      createdAt: new Date(expiresAt.getTime() - 300_000),
    });
    await db.qrLogin.createMany({ data: [qrLogin("gone", minutes(-61)), qrLogin("recent", minutes(-5))] });
    await db.pushNonce.createMany({
      data: [
        { key: "old", expiresAt: minutes(-1) },
        { key: "live", expiresAt: minutes(1) },
      ],
    });
    const deps = retentionDeps(db);
    runner = testRunner(database(), now, [retentionJob(deps)] as unknown as JobDefinition<never>[]);
    await runner.tick();
    const left = async () => ({
      states: (await db.loginState.findMany({ orderBy: { state: "asc" } })).map((s) => s.state),
      nonces: (await db.pushNonce.findMany({ orderBy: { key: "asc" } })).map((n) => n.key),
    });
    expect(await left()).toEqual({ states: ["just-expired", "live"], nonces: ["live"] });
    expect((await runner.list())[0]).toMatchObject({
      name: "retention",
      state: "done",
      progress: { loginStates: 1, qrLogins: 1, pushNonces: 1, jobs: 0 },
    });

    // Not again within its period; in the next one, what has aged out since.
    ms += 5 * 60_000;
    await runner.tick();
    expect(await runner.list()).toHaveLength(1);
    ms += 5 * 60_000;
    await runner.tick();
    expect(await left()).toEqual({ states: ["just-expired", "live"], nonces: [] });
    ms += 50 * 60_000;
    await runner.tick();
    expect(await left()).toEqual({ states: ["live"], nonces: [] });

    // A week on, the SQLite runner's finished jobs go too (pg-boss archives its own; our table stays empty).
    const finished = await db.job.count();
    ms += 7 * 24 * 3600_000 + 60_000;
    await runner.tick();
    expect(await db.job.count({ where: { state: "done" } })).toBe(kind === "sqlite" ? 1 : 0);
    expect(finished).toBe(kind === "sqlite" ? 3 : 0);
  });

  it("deletes sign-in attempts, token fetch logs and handled pushes past their periods, in batches, keeping pending pushes", async () => {
    const { db } = database();
    await db.signInAttempt.deleteMany();
    await db.credentialFetch.deleteMany();
    await db.weChatEvent.deleteMany();
    const days = (n: number) => new Date(T0 - n * 24 * 3600_000);
    // 2,500 old attempts (five batches) and two recent ones.
    await db.signInAttempt.createMany({
      data: [
        ...Array.from({ length: 2500 }, (_, i) => ({
          email: `s${i}@x.test`,
          ip: "unknown",
          success: false,
          createdAt: days(31),
        })),
        { email: "boss@x.test", ip: "unknown", success: true, createdAt: days(29) },
        { email: "boss@x.test", ip: "unknown", success: false, createdAt: minutes(-1) },
      ],
    });
    const fetch = (createdAt: Date, ok: boolean) => ({
      appid: "wx1",
      kind: "access_token",
      api: "stable",
      ok,
      durationMs: 20,
      instance: "i",
      createdAt,
    });
    await db.credentialFetch.createMany({
      data: [fetch(days(40), false), fetch(days(1), true), fetch(minutes(-5), true)],
    });
    const event = (id: string, status: string, receivedAt: Date, event = "subscribe", eventKey?: string) => ({
      id,
      dedupeKey: id,
      openid: "o1",
      msgType: "event",
      event,
      eventKey,
      payload: "<xml/>",
      createdAt: receivedAt,
      receivedAt,
      status,
    });
    await db.weChatEvent.createMany({
      data: [
        event("old-done", "done", days(91)),
        event("old-failed", "failed", days(91)),
        event("old-pending", "pending", days(91)),
        event("recent-done", "done", days(10)),
        event("old-qr-follow", "done", days(91), "subscribe", "qrscene_poster"),
        event("old-qr-scan", "done", days(91), "SCAN", "poster"),
        event("old-click", "done", days(91), "CLICK", "TODAY"),
        event("old-plain-follow", "done", days(91), "subscribe", ""),
      ],
    });
    const deps = retentionDeps(db);
    runner = testRunner(database(), now, [retentionJob(deps)] as unknown as JobDefinition<never>[]);
    await runner.tick();
    expect((await runner.list())[0]?.error ?? null).toBeNull();
    expect((await runner.list())[0]).toMatchObject({
      state: "done",
      progress: { signInAttempts: 2500, credentialFetches: 1, events: 4 },
    });
    expect(await db.signInAttempt.count()).toBe(2);
    expect((await db.credentialFetch.findMany({ orderBy: { createdAt: "asc" } })).map((f) => f.createdAt)).toEqual([
      days(1),
      minutes(-5),
    ]);
    // A pending push is kept however old: it has not been applied yet; so is a scan through a channel
    // QR code, which is that code's record.
    expect((await db.weChatEvent.findMany({ orderBy: { id: "asc" } })).map((e) => e.id)).toEqual([
      "old-pending",
      "old-qr-follow",
      "old-qr-scan",
      "recent-done",
    ]);
  });
});
