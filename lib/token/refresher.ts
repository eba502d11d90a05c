// The proactive refresher: every process ticks the token service every ~15 s; the one holding the
// leader lease refreshes ahead of expiry, the others stand by and take over when its lease runs out.
import { log } from "@/lib/log";
import type { TokenService } from "./service";

export const TICK_INTERVAL_MS = 15_000;

export interface Refresher {
  stop(): void;
}

export function startRefresher(
  service: TokenService,
  options: { intervalMs?: number; random?: () => number } = {},
): Refresher {
  const interval = options.intervalMs ?? TICK_INTERVAL_MS;
  const random = options.random ?? Math.random;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wasLeader = false;

  const schedule = () => {
    if (stopped) return;
    // ±20%: processes started together do not tick in lockstep.
    timer = setTimeout(run, Math.round(interval * (0.8 + 0.4 * random())));
    timer.unref();
  };
  const run = () => {
    service
      .tick()
      .then((result) => {
        if (result.leader !== wasLeader) {
          log.info(result.leader ? "token_leader_elected" : "token_leader_lost", { instance: service.deps.instance });
          wasLeader = result.leader;
        }
        for (const e of result.errors) log.error("token_refresh_failed", { kind: e.kind, message: e.error });
      })
      .catch((error: unknown) => {
        log.error("token_tick_failed", { message: error instanceof Error ? error.message : String(error) });
      })
      .finally(schedule);
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
