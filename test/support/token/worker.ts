// One "app process" of the multi-process proof (lib/token/multiprocess.test.ts) and of the bench:
// the token service on DATABASE_URL, serving reads over plain HTTP. Its clock starts at
// WORKER_START_MS (frozen, like the simulator's) and moves by POST /advance.
//
//   tsx --conditions=react-server test/support/token/worker.ts   (prints "ready <port>")
//
// GET /read?n=N          N concurrent accessToken() reads → {"values":[distinct values]}
// GET /token             one read → {"access_token"} (what the bench measures over HTTP)
// POST /report {value,n} N concurrent reportInvalid("access_token", value) → {"values":[...]}
// POST /tick             the refresher's tick → TickResult
// POST /advance {seconds}, POST /reset {api}   (a fresh service: empty cache, new instance id)
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { createDb } from "@/lib/db";
import { parseEnv } from "@/lib/env";
import { createTokenService, type TokenService } from "@/lib/token/service";

const name = process.env.WORKER_NAME ?? "worker";
const startMs = Number(process.env.WORKER_START_MS ?? Date.now());
const frozen = process.env.WORKER_START_MS !== undefined;
let offsetMs = 0;
const now = () => new Date((frozen ? startMs : Date.now()) + offsetMs);

const db = createDb(process.env.DATABASE_URL ?? "");
let service = make((process.env.WECHAT_TOKEN_API as "stable" | "classic") ?? "stable");

function make(api: "stable" | "classic"): TokenService {
  const env = parseEnv({ ...process.env, WECHAT_TOKEN_API: api }, false);
  return createTokenService(env, db, {
    now,
    random: process.env.WORKER_RANDOM ? () => Number(process.env.WORKER_RANDOM) : Math.random,
    instance: `${name}/${process.pid}/${Math.random().toString(16).slice(2, 6)}`,
  });
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = "";
  for await (const chunk of req as AsyncIterable<Buffer>) text += chunk.toString("utf8");
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

const distinct = (values: string[]) => [...new Set(values)];

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://worker");
  const reply = (status: number, value: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(value));
  };
  (async () => {
    const n = Math.max(1, Number(url.searchParams.get("n") ?? 1));
    switch (`${req.method} ${url.pathname}`) {
      case "GET /health":
        return reply(200, { ok: true, instance: service.deps.instance });
      case "GET /token":
        return reply(200, { access_token: (await service.accessToken()).value });
      case "GET /read": {
        const reads = await Promise.all(Array.from({ length: n }, () => service.accessToken()));
        return reply(200, { values: distinct(reads.map((c) => c.value)) });
      }
      case "POST /report": {
        const input = await body(req);
        const count = Math.max(1, Number(input.n ?? 1));
        const reports = await Promise.all(
          Array.from({ length: count }, () => service.reportInvalid("access_token", String(input.value))),
        );
        return reply(200, { values: distinct(reports.map((c) => c.value)) });
      }
      case "POST /tick":
        return reply(200, await service.tick());
      case "POST /advance":
        offsetMs += Number((await body(req)).seconds) * 1000;
        return reply(200, { now: now().getTime() });
      case "POST /reset": {
        const input = await body(req);
        offsetMs = 0;
        service = make(input.api === "classic" ? "classic" : "stable");
        return reply(200, { instance: service.deps.instance });
      }
      default:
        return reply(404, { error: "not found" });
    }
  })().catch((error: unknown) => {
    reply(500, { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  });
});

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`ready ${(server.address() as AddressInfo).port}\n`);
});
