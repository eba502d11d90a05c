// For tests: CgiClients that reach the in-process simulator directly (no token service), and a
// scripted one whose answers a test releases by hand, to observe concurrency without sleeping.
import type { Db } from "@/lib/db";
import type { CgiCall, CgiClient } from "@/lib/wechat/cgi";
import { SIM_DEFAULTS, type Simulator } from "@/simulator/server";
import { TokenCgiClient } from "@/lib/token/client";
import { ApiHosts } from "@/lib/wechat/hosts";
import { WeChatTokenClient } from "@/lib/wechat/token";
import { DirectTokenSource } from "./direct-token-source";

/** Takes the basic token from the simulator's cgi-bin/token; retries back off through an instant sleep. */
export function simulatorCgiClient(sim: Simulator, options: { retries?: number } = {}): CgiClient {
  const now = () => sim.now();
  const hosts = new ApiHosts({ primary: sim.url, now });
  const http = { sleep: async () => {}, retries: options.retries ?? 2, timeoutMs: 5000 };
  const tokens = new WeChatTokenClient({ appId: SIM_DEFAULTS.appId, appSecret: SIM_DEFAULTS.appSecret, hosts }, http);
  return new TokenCgiClient(new DirectTokenSource(tokens, now), hosts, http);
}

export interface HeldCall {
  readonly call: CgiCall<unknown>;
  /** Answers the call with this body, checked by the call's schema as a real answer would be. */
  answer(body: unknown): void;
  fail(error: unknown): void;
}

/**
 * A CgiClient that records every call and leaves it pending until the test answers it; `onCall`
 * may answer at once instead (return a body, or undefined to hold the call).
 */
export class HeldCgiClient implements CgiClient {
  readonly held: HeldCall[] = [];
  readonly calls: CgiCall<unknown>[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private waiters: Array<() => void> = [];

  constructor(private readonly onCall: (call: CgiCall<unknown>) => unknown = () => undefined) {}

  call<T>(call: CgiCall<T>): Promise<T> {
    this.calls.push(call as CgiCall<unknown>);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        this.inFlight--;
      };
      const held: HeldCall = {
        call: call as CgiCall<unknown>,
        answer: (body) => {
          done();
          try {
            resolve(call.schema.parse(body));
          } catch (error) {
            reject(error);
          }
        },
        fail: (error) => {
          done();
          reject(error);
        },
      };
      const immediate = this.onCall(call as CgiCall<unknown>);
      if (immediate !== undefined) return held.answer(immediate);
      this.held.push(held);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Resolves once `n` calls are held (not yet answered). */
  async waitForHeld(n: number): Promise<HeldCall[]> {
    while (this.held.length < n) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.held.splice(0, n);
  }
}

/** Empties what the follower features write beyond people (clearDatabase does people). */
export async function clearFollowerTables(db: Db): Promise<void> {
  await db.userTag.deleteMany();
  await db.tag.deleteMany();
  await db.syncRun.deleteMany();
  await db.lease.deleteMany();
}
