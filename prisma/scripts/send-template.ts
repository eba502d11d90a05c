// `npm run wechat:send-template -- --template <id> --data '<json>' (--tag <id> | --query '<user list query>') [--url <url>]`
// `npm run wechat:send-template -- --job <id>`   (resume or watch a mass send made before, e.g. in the console)
//
// A mass send of a template message (lib/templates/jobs.ts) run in this process, with a progress bar on
// the terminal (cli-progress: a well-kept bar that also degrades to plain lines off a terminal). The send
// is the same job the console runs: a killed run is resumed by running this again with --job (or by the
// app's runner once its heartbeat is over), and nobody is messaged twice. Ctrl-C stops between batches.
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { services } from "@/lib/services";
import type { JobDefinition, Json } from "@/lib/jobs/types";
import { AppError } from "@/lib/errors";
import {
  MESSAGE_JOB,
  createMessageJob,
  getMessageJob,
  messageJob,
  messageJobInput,
  type MessageJobView,
} from "@/lib/templates/jobs";

const { values: args } = parseArgs({
  options: {
    template: { type: "string" },
    data: { type: "string" },
    tag: { type: "string" },
    query: { type: "string" },
    url: { type: "string" },
    job: { type: "string" },
    by: { type: "string", default: "cli" },
    concurrency: { type: "string" },
    batch: { type: "string" },
  },
});

const out = process.stderr;
const fail = (message: string): never => {
  out.write(`${message}\n`);
  process.exit(2);
};

async function makeJob(): Promise<MessageJobView> {
  if (!args.template || !args.data) fail("--template and --data are required (or --job <id>)");
  if ((args.tag === undefined) === (args.query === undefined)) fail("give one of --tag <tag id> or --query '<query>'");
  let data: unknown;
  try {
    data = JSON.parse(args.data!);
  } catch {
    fail('--data must be JSON, e.g. \'{"thing1":{"value":"发货通知"}}\'');
  }
  const input = messageJobInput.safeParse({
    templateId: args.template,
    data,
    ...(args.url ? { url: args.url } : {}),
    recipients:
      args.tag !== undefined ? { type: "tag", tagId: Number(args.tag) } : { type: "query", query: args.query },
  });
  if (!input.success) fail(input.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n"));
  return createMessageJob(services.messageJobs, null, input.data!, args.by!);
}

/** `--concurrency` calls in flight and `--batch` recipients a batch, when given. */
function tuned() {
  const n = (v: string | undefined, max: number) => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isInteger(x) || x < 1 || x > max) fail(`--concurrency 1..64 and --batch 1..2000`);
    return x;
  };
  return { ...services.messageJobs, concurrency: n(args.concurrency, 64), batch: n(args.batch, 2000) };
}

async function main(): Promise<void> {
  const deps = tuned();
  const job = args.job ? await getMessageJob(deps, args.job) : await makeJob();
  out.write(
    `mass send ${job.id}: ${job.counts.total} recipients (${job.counts.skipped} skipped), state ${job.state}\n`,
  );
  if (job.state === "paused" || job.state === "done" || job.state === "cancelled" || job.state === "failed") {
    out.write(`nothing to run: the send is ${job.state}${job.resumeAt ? ` until ${job.resumeAt}` : ""}\n`);
    return;
  }
  const bar = new cliProgress.SingleBar(
    {
      format:
        "[{bar}] {percentage}% {value}/{total}  sent {sent}  failed {failed}  skipped {skipped}  {speed}/s  ETA {eta}s  RSS {rss} MB",
      noTTYOutput: true,
      notTTYSchedule: 5000,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let first: number | undefined;
  bar.start(job.counts.total, job.counts.total - job.counts.pending, {
    sent: 0,
    failed: 0,
    skipped: 0,
    speed: 0,
    rss: 0,
  });
  const onProgress = (value: Json) => {
    const p = value as { done: number; sent: number; failed: number; skipped: number };
    first ??= p.done;
    const seconds = (Date.now() - started) / 1000;
    bar.update(p.done, {
      sent: p.sent,
      failed: p.failed,
      skipped: p.skipped,
      speed: seconds > 0 ? Math.round((p.done - first) / seconds) : 0,
      rss: Math.round(process.memoryUsage().rss / 2 ** 20),
    });
  };
  const abort = new AbortController();
  process.once("SIGINT", () => abort.abort(new Error("interrupted")));
  const runner = services.runner([messageJob(() => deps)] as unknown as JobDefinition<never>[], {
    supervise: false,
  });
  try {
    let result = await runner.runNow(MESSAGE_JOB, { jobId: job.id }, { signal: abort.signal, onProgress });
    // A killed run's lease is held until it runs out (20 s): wait for it, then go on from where it was.
    for (
      let waits = 0;
      (result as { state?: string } | undefined)?.state === "busy" && !abort.signal.aborted;
      waits++
    ) {
      if (waits === 0) out.write("\nanother runner holds this send; waiting for its lease to run out\n");
      await new Promise((resolve) => setTimeout(resolve, 2000));
      result = await runner.runNow(MESSAGE_JOB, { jobId: job.id }, { signal: abort.signal, onProgress });
    }
    bar.stop();
    const final = await getMessageJob(services.messageJobs, job.id);
    out.write(`${JSON.stringify(result)}\n`);
    out.write(
      `state ${final.state}: sent ${final.counts.sent}, delivered ${final.counts.delivered}, refused ${final.counts.refused}, ` +
        `failed ${final.counts.failed}, skipped ${final.counts.skipped}, pending ${final.counts.pending}` +
        `${final.error ? ` — ${final.error}` : ""}; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB\n`,
    );
  } catch (error) {
    bar.stop();
    if (abort.signal.aborted) {
      out.write(`interrupted: run again with --job ${job.id} to resume\n`);
      process.exit(130);
    }
    throw error;
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    out.write(`${error instanceof AppError ? `${error.code}: ${error.userMessage}` : String(error)}\n`);
    process.exit(1);
  },
);
