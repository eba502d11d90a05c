// GET /api/me beside the bare floor route, with autocannon (chosen over a hand-written load loop: it
// keeps N keep-alive connections busy at low client cost and gives HDR-histogram percentiles, at 1 ms
// resolution). Both targets run in alternating rounds against one server process, so drift (JIT, GC,
// a noisy neighbour) hits both alike; each figure is the median over the rounds.
import autocannon from "autocannon";
import { processCpuMs } from "./servers";
import { median } from "./stats";

type Target = "me" | "floor";

export interface Segment {
  readonly target: Target;
  readonly round: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  readonly reqPerSec: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  /** the server process's CPU time (user + system) per request; undefined off Linux */
  readonly cpuMsPerRequest: number | undefined;
}

export interface Side {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly reqPerSec: number;
  readonly requests: number;
  /** non-2xx answers and connection errors over all rounds: must be 0 */
  readonly failures: number;
  readonly cpuMsPerRequest: number | undefined;
}

export interface LatencyResult {
  readonly connections: number;
  readonly secondsPerTarget: number;
  readonly rounds: number;
  readonly me: Side;
  readonly floor: Side;
  /** me / floor */
  readonly ratio: { readonly p50: number; readonly p99: number; readonly cpu: number | undefined };
  readonly segments: readonly Segment[];
}

async function cannon(url: string, cookie: string, connections: number, seconds: number): Promise<autocannon.Result> {
  return autocannon({ url, connections, duration: seconds, headers: { cookie } });
}

function side(segments: readonly Segment[], target: Target): Side {
  const mine = segments.filter((s) => s.target === target);
  const cpu = mine.map((s) => s.cpuMsPerRequest).filter((n) => n !== undefined);
  return {
    cpuMsPerRequest: cpu.length === mine.length ? median(cpu) : undefined,
    p50Ms: median(mine.map((s) => s.p50Ms)),
    p99Ms: median(mine.map((s) => s.p99Ms)),
    reqPerSec: median(mine.map((s) => s.reqPerSec)),
    requests: mine.reduce((n, s) => n + s.requests, 0),
    failures: mine.reduce((n, s) => n + s.non2xx + s.errors, 0),
  };
}

export async function meVersusFloor(
  appUrl: string,
  serverPid: number | undefined,
  sessionCookie: string,
  options: { connections: number; seconds: number; rounds: number; warmupSeconds: number },
): Promise<LatencyResult> {
  const urls: Record<Target, string> = { me: `${appUrl}/api/me`, floor: `${appUrl}/api/bench/floor` };
  // Same cookie on both, so request size and header parsing cost the same.
  const cookie = `wcuc_session=${sessionCookie}`;
  for (const target of ["floor", "me"] as const) {
    await cannon(urls[target], cookie, options.connections, options.warmupSeconds);
  }

  const perRound = options.seconds / options.rounds;
  const segments: Segment[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    // ABBA order: neither target always runs first.
    const order: Target[] = round % 2 === 1 ? ["floor", "me"] : ["me", "floor"];
    for (const target of order) {
      const cpuBefore = processCpuMs(serverPid);
      const r = await cannon(urls[target], cookie, options.connections, perRound);
      const cpuAfter = processCpuMs(serverPid);
      segments.push({
        target,
        round,
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        meanMs: r.latency.average,
        reqPerSec: r.requests.total / r.duration,
        requests: r.requests.total,
        non2xx: r.non2xx,
        errors: r.errors,
        cpuMsPerRequest:
          cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / r.requests.total,
      });
    }
  }

  const me = side(segments, "me");
  const floor = side(segments, "floor");
  return {
    connections: options.connections,
    secondsPerTarget: options.seconds,
    rounds: options.rounds,
    me,
    floor,
    ratio: {
      p50: me.p50Ms / floor.p50Ms,
      p99: me.p99Ms / floor.p99Ms,
      cpu: me.cpuMsPerRequest && floor.cpuMsPerRequest ? me.cpuMsPerRequest / floor.cpuMsPerRequest : undefined,
    },
    segments,
  };
}
