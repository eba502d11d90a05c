/**
 * How the simulator calls the app (pushes to its message endpoint): node:http(s) with kept-alive
 * connections, the body read whole. WeChat pushes hundreds a second during a mass send's delivery
 * reports; the global fetch costs several times the CPU per request (its WHATWG streams), CPU the
 * app under test then lacks on a small machine. The shape is fetch's, so tests can pass a fetch.
 */
import http from "node:http";
import https from "node:https";

export interface SimRequestInit {
  method?: "GET" | "POST";
  body?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export type SimFetch = (url: string, init?: SimRequestInit) => Promise<{ status: number; text(): Promise<string> }>;

const MAX_ANSWER_BYTES = 1024 * 1024;

export function keepAliveFetch(): SimFetch {
  const options = { keepAlive: true, maxSockets: 64, timeout: 4000 };
  const agents = { "http:": new http.Agent(options), "https:": new https.Agent(options) };
  const once = (url: URL, init: SimRequestInit, retried: boolean) =>
    new Promise<{ status: number; text(): Promise<string> }>((resolve, reject) => {
      const agent = agents[url.protocol as keyof typeof agents];
      if (!agent) return reject(new TypeError(`unsupported protocol ${url.protocol}`));
      const headers = { ...init.headers };
      if (init.body !== undefined) headers["content-length"] = String(Buffer.byteLength(init.body));
      const request = (url.protocol === "https:" ? https : http).request(url, {
        method: init.method ?? "GET",
        headers,
        agent,
        signal: init.signal,
      });
      let answered = false;
      request.on("response", (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        response.on("error", reject);
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: response.statusCode ?? 0, text: () => Promise.resolve(text) });
        });
      });
      request.on("error", (error: NodeJS.ErrnoException) => {
        // A kept-alive connection the app closed just before: the request never reached it; once more.
        if (!answered && !retried && request.reusedSocket && (error.code === "ECONNRESET" || error.code === "EPIPE"))
          return resolve(once(url, init, true));
        reject(error);
      });
      request.end(init.body);
    });
  return (url, init = {}) => once(new URL(url), init, false);
}
