// The job mechanism on both backends (the Job table on SQLite, pg-boss on PostgreSQL), driven by hand:
// the runner's clock is injected and `tick()` is one round, so nothing here waits. pg-boss keeps time
// by the database's clock; where a test needs that time to pass it moves the job's own times instead.
import { afterEach, beforeEach, expect, it } from "vitest";
import { z } from "zod";
import { forEachDatabase } from "@/test/support/db";
import { clearJobs, pgbossSql, testJobBackend } from "@/test/support/jobs";
import { HEARTBEAT_MS, JobRunner } from "./runner";
import { defineJob, type JobBackend, type JobDefinition, type Json } from "./types";

const START = Date.UTC(2026, 0, 15, 8, 0, 30);

forEachDatabase((kind, database) => {
  let ms = START;
  const now = () => new Date(ms);
  const advance = (seconds: number) => (ms += seconds * 1000);
  const backends: JobBackend[] = [];

  function backend(): JobBackend {
    const made = testJobBackend(database(), now);
    backends.push(made);
    return made;
  }
  function runner(jobs: JobDefinition<never>[], holder = "runner-a", b = backend()): JobRunner {
    return new JobRunner({ backend: b, db: database().db, now, holder }, jobs);
  }
  const pgboss = (sql: string) => pgbossSql(database(), sql);
  /** Time passes until retries are due. */
  async function retriesDue(seconds: number): Promise<void> {
    advance(seconds);
    if (kind === "postgresql") await pgboss(`UPDATE $schema.job SET start_after = now() - interval '1 second'`);
  }
  /** Time passes until an active job's heartbeat is over, and the supervisor notices. */
  async function heartbeatOver(b: JobBackend): Promise<void> {
    advance(HEARTBEAT_MS / 1000 + 1);
    if (kind === "postgresql") await pgboss(`UPDATE $schema.job SET expire_in = interval '0' WHERE state = 'active'`);
    await b.maintain();
    await retriesDue(0);
  }

  beforeEach(async () => {
    ms = START;
    await clearJobs(database());
    await database().db.lease.deleteMany();
  });
  afterEach(async () => {
    await Promise.all(backends.splice(0).map((b) => b.close()));
  });

  const echo = (seen: unknown[]) =>
    defineJob({
      name: "test.echo",
      payload: z.object({ n: z.number().int() }),
      run: async (payload) => {
        seen.push(payload);
        return { doubled: payload.n * 2 };
      },
    });

  it("runs a queued job with its checked payload, and lists it done with its output", async () => {
    const seen: unknown[] = [];
    const r = runner([echo(seen)] as JobDefinition<never>[]);
    await expect(r.enqueue("test.echo", { n: "one" })).rejects.toThrow(/job test.echo/);
    const id = await r.enqueue("test.echo", { n: 21 });
    expect(await r.tick()).toBe(1);
    expect(seen).toEqual([{ n: 21 }]);
    expect(await r.tick()).toBe(0);
    const [job] = await r.list();
    expect(job).toMatchObject({ id, name: "test.echo", state: "done", attempts: 1, progress: { doubled: 42 } });
  });

  it("a fresh database: the first tick of many job names at once makes each name's queue, in every runner", async () => {
    // pg-boss makes a queue by attaching a table to its own; two made at once deadlocked, and the
    // failure was remembered, so that name's jobs never ran again in that process.
    const seen: unknown[] = [];
    const names = Array.from({ length: 8 }, (_, i) => `test.many${i}`);
    const jobs = names.map((name) =>
      defineJob({ name, payload: z.object({}), run: async () => void seen.push(name) }),
    ) as JobDefinition<never>[];
    const runners = [runner(jobs, "runner-a"), runner(jobs, "runner-b")];
    await Promise.all(runners.flatMap((r) => names.map((name) => r.enqueue(name, {}))));
    const ran = await Promise.all(runners.map((r) => r.tick()));
    expect(ran[0]! + ran[1]!).toBe(16);
    expect(seen.toSorted()).toEqual([...names, ...names].toSorted());
  });

  it("keeps one waiting job per key", async () => {
    const seen: unknown[] = [];
    const r = runner([echo(seen)] as JobDefinition<never>[]);
    expect(await r.enqueue("test.echo", { n: 1 }, { key: "k" })).toEqual(expect.any(String));
    expect(await r.enqueue("test.echo", { n: 2 }, { key: "k" })).toBeNull();
    expect(await r.enqueue("test.echo", { n: 3 }, { key: "other" })).toEqual(expect.any(String));
    await r.tick();
    expect(seen).toHaveLength(2);
    // Once it has run, the key is free again.
    expect(await r.enqueue("test.echo", { n: 4 }, { key: "k" })).toEqual(expect.any(String));
  });

  it("retries a failed attempt after a backoff, then gives up after its attempts", async () => {
    let calls = 0;
    const flaky = defineJob({
      name: "test.flaky",
      payload: z.object({}),
      attempts: 2,
      retryDelayMs: 10_000,
      run: async () => {
        calls++;
        throw new Error(`boom ${calls}`);
      },
    });
    const r = runner([flaky] as JobDefinition<never>[]);
    await r.enqueue("test.flaky", {});
    await r.tick();
    expect(calls).toBe(1);
    const [waiting] = await r.list();
    expect(waiting).toMatchObject({ state: "queued", error: "boom 1" });
    expect(waiting!.runAfter.getTime()).toBeGreaterThan(kind === "sqlite" ? ms : Date.now());
    // Not before its time.
    await r.tick();
    expect(calls).toBe(1);
    await retriesDue(30);
    await r.tick();
    expect(calls).toBe(2);
    expect((await r.list())[0]).toMatchObject({ state: "failed", error: "boom 2" });
    await retriesDue(3600);
    await r.tick();
    expect(calls).toBe(2);
  });

  it("runs a job now (the CLI) even while an earlier failed one waits for its retry", async () => {
    let fail = true;
    const now = defineJob({
      name: "test.now",
      payload: z.object({}),
      retryDelayMs: 60_000,
      run: async () => {
        if (fail) throw new Error("first");
        return { ok: true };
      },
    });
    const r = runner([now] as JobDefinition<never>[]);
    await expect(r.runNow("test.now", {})).rejects.toThrow("first");
    fail = false;
    await expect(r.runNow("test.now", {})).resolves.toEqual({ ok: true });
    expect((await r.list()).map((job) => [job.state, job.key])).toEqual([
      ["done", null],
      ["queued", null],
    ]);
  });

  it("enqueues a schedule once per period, however many runners tick", async () => {
    let runs = 0;
    const every = defineJob({
      name: "test.every",
      payload: z.object({}),
      every: { seconds: 60, payload: {} },
      run: async () => {
        runs++;
      },
    });
    const a = runner([every] as JobDefinition<never>[], "a");
    const b = runner([every] as JobDefinition<never>[], "b");
    await a.tick();
    await b.tick();
    await a.tick();
    expect(runs).toBe(1);
    advance(20);
    await b.tick();
    expect(runs).toBe(1);
    // 08:01:00, the next period.
    advance(10);
    await b.tick();
    await a.tick();
    expect(runs).toBe(2);
  });

  it("a long job does not hold up another job's schedule", async () => {
    let release: () => void = () => {};
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => (started = resolve));
    const long = defineJob({
      name: "test.long",
      payload: z.object({}),
      run: () =>
        new Promise<void>((resolve) => {
          release = resolve;
          started();
        }),
    });
    let beats = 0;
    const minute = defineJob({
      name: "test.minute",
      payload: z.object({}),
      every: { seconds: 60, payload: {} },
      run: async () => {
        beats++;
      },
    });
    const r = runner([long, minute] as JobDefinition<never>[]);
    expect(await r.tick()).toBe(1);
    await r.enqueue("test.long", {});
    const first = r.drain("test.long");
    await running;
    advance(60);
    // The long job still runs; the next minute's run does not wait for it.
    expect(await r.tick()).toBe(1);
    expect(beats).toBe(2);
    release();
    expect(await first).toBe(1);
  });

  it("shows a job's progress, and resumes a killed job from its checkpoint", async () => {
    const done: number[] = [];
    const kill = new AbortController();
    const steps = defineJob({
      name: "test.steps",
      payload: z.object({ upTo: z.number() }),
      run: async ({ upTo }, ctx) => {
        const from = ((ctx.checkpoint as { next?: number } | null)?.next ?? 0) as number;
        for (let i = from; i < upTo; i++) {
          if (ctx.signal.aborted) throw ctx.signal.reason;
          done.push(i);
          await ctx.progress({ next: i + 1 } as Json, { checkpoint: true });
          if (i === 2) kill.abort(new Error("killed"));
        }
        return { attempt: ctx.attempt };
      },
    });
    const first = backend();
    await expect(
      runner([steps] as JobDefinition<never>[], "killed", first).runNow(
        "test.steps",
        { upTo: 6 },
        { signal: kill.signal },
      ),
    ).rejects.toThrow("killed");
    const [killed] = await runner([steps] as JobDefinition<never>[], "reader").list();
    expect(killed).toMatchObject({ state: "active", progress: { next: 3 } });

    // Another runner takes it up once the dead one's heartbeat is over, from the checkpoint.
    const second = backend();
    const next = runner([steps] as JobDefinition<never>[], "next", second);
    expect(await next.tick()).toBe(0);
    await heartbeatOver(second);
    expect(await next.tick()).toBe(1);
    expect(done).toEqual([0, 1, 2, 3, 4, 5]);
    expect((await next.list())[0]).toMatchObject({ state: "done", progress: { attempt: 2 } });
  });

  it("holds a job's lock while it runs: a second runner is refused with the job's own error", async () => {
    let release: () => void = () => {};
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => (started = resolve));
    const locked = defineJob({
      name: "test.locked",
      payload: z.object({}),
      lock: { name: "test:lock", ttlMs: 60_000, busy: (holder) => new Error(`held by ${holder}`) },
      run: () =>
        new Promise<void>((resolve) => {
          release = resolve;
          started();
        }),
    });
    const a = runner([locked] as JobDefinition<never>[], "a");
    const b = runner([locked] as JobDefinition<never>[], "b");
    const first = a.runNow("test.locked", {});
    await running;
    await expect(b.runNow("test.locked", {})).rejects.toThrow("held by a");
    release();
    await first;
    await expect(b.assertFree("test.locked")).resolves.toBeUndefined();
  });
});
