/**
 * The HTTP round trip under every WeChat call (lib/wechat/http.ts): what it needs of `fetch`, and a
 * transport that does only that on node:http(s) with kept-alive connections.
 *
 * Why not the global fetch: measured on this project's 2-core machine, Node 20's fetch spends 0.4-0.5 ms
 * of CPU on a small JSON POST (WHATWG streams, a Request and a Response object, a transferable body),
 * node:http 0.1 ms. A mass send makes one call per person (100,000 in a few minutes), a login two, so the
 * difference is most of a core. WeChat's answers are small JSON; the body is read whole, up to a cap.
 *
 * A kept-alive connection the server has just closed fails the next request on it before any answer
 * (ECONNRESET/EPIPE on a reused socket): that request is sent again once on a new connection, as Node's
 * documentation advises; the server never saw it. Any other failure is the caller's to judge.
 */
import http from "node:http";
import https from "node:https";

/** The part of a fetch Response the WeChat client reads. The global Response satisfies it. */
export interface HttpResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  /** Unread body to give up (fetch's stream); null when the body was read already. */
  readonly body: { cancel(): Promise<void> } | null;
}

export interface HttpRequestInit {
  method: "GET" | "POST";
  headers: Record<string, string>;
  /** JSON as text, or the bytes of a multipart upload (media/uploadimg). */
  body?: string | Uint8Array<ArrayBuffer>;
  signal: AbortSignal;
}

/** What lib/wechat calls to make a request: the global fetch fits, and so does nodeTransport(). */
export type HttpFetch = (url: URL, init: HttpRequestInit) => Promise<HttpResponse>;

export interface NodeTransportOptions {
  /** Connections per host (default 64). */
  readonly maxSockets?: number;
  /** An idle kept-alive connection is closed after this long (default 4 s, below common server timeouts). */
  readonly idleMs?: number;
  /** A longer answer is refused (default 4 MB; WeChat's JSON answers are a few KB). */
  readonly maxBodyBytes?: number;
}

export class ResponseTooLargeError extends Error {
  constructor(limit: number) {
    super(`response body exceeds ${limit} bytes`);
    this.name = "ResponseTooLargeError";
  }
}

const RESET_CODES = new Set(["ECONNRESET", "EPIPE"]);

/** A transport with its own connections (one per process: lib/services.ts keeps it). */
export function nodeTransport(options: NodeTransportOptions = {}): HttpFetch & { close(): void } {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64, timeout: options.idleMs ?? 4000 };
  const agents = { "http:": new http.Agent(agentOptions), "https:": new https.Agent(agentOptions) };
  const maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;

  const once = (url: URL, init: HttpRequestInit, retried: boolean): Promise<HttpResponse> =>
    new Promise<HttpResponse>((resolve, reject) => {
      const agent = agents[url.protocol as keyof typeof agents];
      if (!agent) return reject(new TypeError(`unsupported protocol ${url.protocol}`));
      const request = (url.protocol === "https:" ? https : http).request(url, {
        method: init.method,
        headers:
          init.body === undefined ? init.headers : { ...init.headers, "content-length": Buffer.byteLength(init.body) },
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
          if (size > maxBody) {
            reject(new ResponseTooLargeError(maxBody));
            request.destroy();
            return;
          }
          chunks.push(chunk);
        });
        response.on("error", reject);
        response.on("end", () => {
          if (!response.complete) return reject(new Error("the connection closed before the body ended"));
          const text = Buffer.concat(chunks).toString("utf8");
          const status = response.statusCode ?? 0;
          const headers = response.headers;
          resolve({
            status,
            ok: status >= 200 && status < 300,
            headers: {
              get: (name) => {
                const value = headers[name.toLowerCase()];
                return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
              },
            },
            text: () => Promise.resolve(text),
            body: null,
          });
        });
      });
      request.on("error", (error: NodeJS.ErrnoException) => {
        if (!answered && !retried && request.reusedSocket && RESET_CODES.has(error.code ?? "") && !init.signal.aborted)
          return resolve(once(url, init, true));
        reject(error);
      });
      request.end(init.body);
    });

  const transport = (url: URL, init: HttpRequestInit) => once(url, init, false);
  return Object.assign(transport, {
    close() {
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  });
}
