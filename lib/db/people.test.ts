// The callback's one-statement claim (people.claimLoginStateOfBrowser), on both databases: it claims
// only what completeLogin's own checks would let it claim (this browser's state, unexpired, unclaimed),
// once, and says whether the browser has snapshot visits to credit. The rest of people.ts is exercised
// through whole logins (lib/users.test.ts, lib/auth/login.test.ts).
import { beforeEach, expect, it } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { driverReturning, driverStatement } from "./driver";
import { claimLoginStateOfBrowser, insertLoginState } from "./people";

const T0 = new Date(Date.UTC(2026, 0, 15, 8, 0, 0));
const TTL_MS = 10 * 60 * 1000;
const at = (ms: number) => new Date(T0.getTime() + ms);

forEachDatabase((_kind, database) => {
  beforeEach(async () => {
    const { db } = database();
    await db.loginState.deleteMany();
    await db.snapshotAttempt.deleteMany();
  });

  const begin = (state: string, bindingHash: string) =>
    driverStatement(database().db, insertLoginState, {
      state,
      bindingHash,
      scope: "snsapi_base",
      returnTo: "/me",
      attempt: 1,
      now: T0,
      expiresAt: at(TTL_MS),
    });
  const claim = (state: string, bindingHash: string, now: Date, codeHash = "code-hash") =>
    driverReturning(database().db, claimLoginStateOfBrowser, { state, bindingHash, now, codeHash });

  it("claims a fresh state for its own browser, once, and remembers the code", async () => {
    const { db } = database();
    await begin("s1", "browser-a");
    expect(await claim("s1", "browser-b", at(1000))).toEqual([]);
    expect(await claim("s2", "browser-a", at(1000))).toEqual([]);
    expect(await db.loginState.findUniqueOrThrow({ where: { state: "s1" } })).toMatchObject({
      claimedAt: null,
      codeHash: null,
    });

    expect(await claim("s1", "browser-a", at(1000))).toEqual([
      { state: "s1", bindingHash: "browser-a", scope: "snsapi_base", returnTo: "/me", snapshotPending: null },
    ]);
    expect(await claim("s1", "browser-a", at(2000), "another-code")).toEqual([]);
    expect(await db.loginState.findUniqueOrThrow({ where: { state: "s1" } })).toMatchObject({
      claimedAt: at(1000),
      codeHash: "code-hash",
      status: "pending",
    });
  });

  it("claims nothing from the state's expiry on", async () => {
    await begin("late", "browser-a");
    expect(await claim("late", "browser-a", at(TTL_MS))).toEqual([]);
    expect(await claim("late", "browser-a", at(TTL_MS - 1))).toHaveLength(1);
  });

  it("says whether the browser has snapshot visits no one was credited with", async () => {
    const { db } = database();
    await db.snapshotAttempt.create({ data: { bindingHash: "browser-a", createdAt: T0 } });
    await db.snapshotAttempt.create({ data: { bindingHash: "browser-b", createdAt: T0, userId: null } });
    await begin("a", "browser-a");
    await begin("c", "browser-c");
    expect((await claim("a", "browser-a", at(1000)))[0]?.snapshotPending).toBe(1);
    expect((await claim("c", "browser-c", at(1000)))[0]?.snapshotPending).toBeNull();
  });
});
