// Pending events are retried by the clock, not by traffic: an event whose first application failed is
// applied by the once-a-minute job with no further push. Driven by the runner's tick on an injected clock.
import { afterEach, beforeEach, expect, it } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import type { JobDefinition, JobRunner } from "@/lib/jobs";
import { clearJobs, testRunner } from "@/test/support/jobs";
import { receivePush } from "./endpoint";
import { processEvent, pendingEventsJob } from "./process";
import { MovableClock, pushXml, signPush, testMessageDeps, testProcessDeps } from "@/test/support/messages";

forEachDatabase((_kind, database) => {
  let clock: MovableClock;
  let runner: JobRunner | undefined;

  beforeEach(async () => {
    const { db } = database();
    await db.weChatEvent.deleteMany();
    await db.pushNonce.deleteMany();
    await db.identity.deleteMany();
    await db.user.deleteMany();
    await clearJobs(database());
    clock = new MovableClock();
  });
  afterEach(async () => {
    await runner?.stop();
  });

  it("an event left pending by a failure is applied within the minute, without another push", async () => {
    const { db } = database();
    const signed = signPush(pushXml({ event: "subscribe" }), { timestamp: Math.floor(clock.ms / 1000) });
    const outcome = await receivePush(testMessageDeps(database(), clock), signed.params, signed.body);
    // Its first application fails (the database briefly away): it stays pending.
    const broken = testProcessDeps(database(), () => new Date(Number.NaN));
    expect((await processEvent(broken, outcome.eventId)).result).toBe("retry");

    runner = testRunner(database(), clock.now, [
      pendingEventsJob(() => testProcessDeps(database(), clock.now)),
    ] as unknown as JobDefinition<never>[]);
    await runner.tick();
    // Too fresh for the retry (it may still be in the endpoint's queue).
    expect(await db.weChatEvent.count({ where: { status: "pending" } })).toBe(1);
    clock.advance(60);
    await runner.tick();
    expect(await db.weChatEvent.findUniqueOrThrow({ where: { id: outcome.eventId } })).toMatchObject({
      status: "done",
    });
    expect(await db.user.count({ where: { subscribed: true } })).toBe(1);
  });
});
