// Starts token-service worker processes (worker.ts) and talks to them; used by the multi-process
// test and the bench.
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
// The loader, not the tsx CLI: the CLI runs the script in a child process, which a SIGKILL of the
// CLI would leave running (the "killed" leader would live on).
const TSX_LOADER = path.join(path.dirname(require.resolve("tsx/package.json")), "dist/loader.mjs");
const WORKER = path.join(import.meta.dirname, "worker.ts");

export interface Worker {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  call<T = Record<string, unknown>>(method: "GET" | "POST", pathAndQuery: string, body?: unknown): Promise<T>;
  kill(): Promise<void>;
}

export async function startWorker(name: string, env: Record<string, string>): Promise<Worker> {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", TSX_LOADER, WORKER], {
    env: { ...process.env, ...env, WORKER_NAME: name, WCUC_LOG: process.env.WCUC_LOG ?? "silent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`worker ${name} did not start in 60 s:\n${stderr}`)), 60_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const m = /ready (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`worker ${name} exited (${code}):\n${stderr}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    name,
    url,
    child,
    async call<T>(method: "GET" | "POST", pathAndQuery: string, body?: unknown): Promise<T> {
      const res = await fetch(`${url}${pathAndQuery}`, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await res.json()) as T;
      if (!res.ok) throw new Error(`worker ${name} ${method} ${pathAndQuery}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    },
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}
