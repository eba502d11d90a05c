// `npm run wechat:sync-followers [-- --concurrency 4] [--no-wait] [--blacklist]`
//
// Pulls every follower of the Official Account into the people of DATABASE_URL (lib/followers/sync.ts)
// with a progress bar on the terminal. A run that was killed is resumed from its last checkpoint; if
// the killed process still holds the lease (up to 60 s after it died) this waits for it to run out,
// unless --no-wait. Ctrl-C stops at once and leaves the run resumable. --blacklist syncs the blacklist.
//
// Runs with the react-server condition (see package.json) so that lib/'s "server-only" modules load, and
// with a 128 MB old space: the sync streams, so its heap stays small, and a bound keeps V8 from letting
// garbage pile up to several hundred MB of RSS before collecting it.
// The bar is a dozen lines written here: the project takes no dependency for it (cli-progress would do).
import { parseArgs } from "node:util";
import { syncBlacklist } from "@/lib/followers/blacklist";
import { services } from "@/lib/services";
import { releaseLease } from "@/lib/lease";
import type { JobDefinition } from "@/lib/jobs/types";
import {
  DEFAULT_CONCURRENCY,
  FOLLOWER_SYNC_JOB,
  FOLLOWER_SYNC_LEASE,
  SyncBusyError,
  describeFailure,
  followerSyncJob,
  type SyncProgress,
} from "@/lib/followers/sync";

const { values: args } = parseArgs({
  options: {
    concurrency: { type: "string", default: String(DEFAULT_CONCURRENCY) },
    "no-wait": { type: "boolean", default: false },
    blacklist: { type: "boolean", default: false },
  },
});

const concurrency = Number(args.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) {
  process.stderr.write("--concurrency must be an integer 1..32\n");
  process.exit(2);
}

const out = process.stderr;
const tty = out.isTTY === true;
const number = (n: number) => n.toLocaleString("en-US");
/** The kernel's high-water mark of this process's resident memory, in MB. */
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

function bar(p: SyncProgress, startedMs: number, startUpserted: number): string {
  const total = p.total ?? 0;
  const ratio = total > 0 ? Math.min(1, p.upserted / total) : 0;
  const width = 30;
  const filled = Math.round(ratio * width);
  const seconds = (Date.now() - startedMs) / 1000;
  const rate = seconds > 0 ? (p.upserted - startUpserted) / seconds : 0;
  const eta = rate > 0 && total > p.upserted ? `${Math.ceil((total - p.upserted) / rate)}s` : "-";
  return (
    `[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${(ratio * 100).toFixed(1).padStart(5)}% ` +
    `${number(p.upserted)}/${total ? number(total) : "?"}  ${number(Math.round(rate))}/s  ETA ${eta}  ` +
    `RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`
  );
}

async function main(): Promise<void> {
  const deps = { ...services.followers, concurrency };
  if (args.blacklist) {
    const result = await syncBlacklist(deps);
    out.write(`blacklist: ${result.listed} listed, ${result.added} added, ${result.removed} removed\n`);
    return;
  }

  const abort = new AbortController();
  process.once("SIGINT", () => abort.abort(new Error("interrupted")));
  let startedMs = Date.now();
  let first: number | undefined;
  let lastLine = 0;
  let lastCursor = "";
  let runId: string | undefined;
  let result: SyncProgress | undefined;
  const onProgress = (p: SyncProgress) => {
    if (runId !== p.runId) {
      runId = p.runId;
      startedMs = Date.now();
      out.write(`${p.resumed ? "resuming" : "starting"} follower sync ${p.runId}\n`);
    }
    result = p;
    first ??= p.upserted;
    const now = Date.now();
    // Logs (not a terminal) get a line per checkpoint: where a killed run will resume.
    if (!tty && p.cursor !== lastCursor) out.write(`checkpoint: ${number(p.listed)} listed, next_openid ${p.cursor}\n`);
    lastCursor = p.cursor;
    if (tty) {
      if (now - lastLine >= 100 || p.status !== "running") out.write(`\r${bar(p, startedMs, first)}`);
    } else if (now - lastLine >= 5000 || p.status !== "running") {
      out.write(`${bar(p, startedMs, first)}\n`);
    } else return;
    lastLine = now;
  };
  // The sync is a job (lib/jobs): queued and run here, under its lock, with every progress value shown.
  const runner = services.runner([followerSyncJob(deps, onProgress)] as unknown as JobDefinition<never>[], {
    supervise: false,
  });
  for (;;) {
    try {
      await runner.runNow(FOLLOWER_SYNC_JOB, {}, { signal: abort.signal });
      break;
    } catch (error) {
      if (abort.signal.aborted) {
        // Let the next run in at once; the run itself stays resumable from its checkpoint.
        await deps.db.lease
          .findUnique({ where: { name: FOLLOWER_SYNC_LEASE } })
          .then(async (lease) => {
            if (lease?.holder === deps.holder) await releaseLease(deps.db, lease, new Date());
          })
          .catch(() => {});
        out.write(`\ninterrupted: run it again to resume from the last checkpoint\n`);
        process.exit(130);
      }
      if (!(error instanceof SyncBusyError) || args["no-wait"]) throw error;
      const wait = Math.max(1000, Math.min(5000, error.leaseUntil.getTime() - Date.now() + 100));
      out.write(`another sync holds the lease (${error.holder}) until ${error.leaseUntil.toISOString()}; waiting\n`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  if (!result) throw new Error("the follower sync reported nothing");
  out.write(
    `\ndone in ${((Date.now() - startedMs) / 1000).toFixed(1)} s: ${number(result.listed)} listed, ` +
      `${number(result.unsubscribed)} marked unsubscribed; peak RSS ${peakRssMb()} MB\n`,
  );
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    out.write(`\nfollower sync failed: ${describeFailure(error)}\n`);
    process.exit(1);
  });
