import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { callWeChatApi } from "./http";
import { nodeTransport, ResponseTooLargeError } from "./transport";
import { z } from "zod";

let server: Server | undefined;
let transport: ReturnType<typeof nodeTransport> | undefined;

afterEach(async () => {
  transport?.close();
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
  }
  server = transport = undefined;
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<URL> {
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => handler(req, res, body));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/cgi-bin/x?access_token=t`);
}

const init = (body?: string) => ({
  method: body === undefined ? ("GET" as const) : ("POST" as const),
  headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
  body,
  signal: new AbortController().signal,
});

describe("nodeTransport", () => {
  it("sends the method, headers, query and body, and answers status, headers and text", async () => {
    const seen: { method?: string; url?: string; type?: string; length?: string; body?: string }[] = [];
    const url = await serve((req, res, body) => {
      seen.push({
        method: req.method,
        url: req.url,
        type: req.headers["content-type"],
        length: req.headers["content-length"],
        body,
      });
      res.writeHead(201, { "content-type": "text/plain", "x-one": "1" }).end('{"errcode":0,"errmsg":"好"}');
    });
    transport = nodeTransport();
    const response = await transport(url, init('{"touser":"张三"}'));
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get("X-One")).toBe("1");
    expect(response.headers.get("x-none")).toBeNull();
    expect(await response.text()).toBe('{"errcode":0,"errmsg":"好"}');
    expect(seen).toEqual([
      {
        method: "POST",
        url: "/cgi-bin/x?access_token=t",
        type: "application/json",
        length: String(Buffer.byteLength('{"touser":"张三"}')),
        body: '{"touser":"张三"}',
      },
    ]);
  });

  it("keeps the connection for the next request", async () => {
    const sockets = new Set<Socket>();
    const url = await serve((req, res) => {
      sockets.add(req.socket);
      res.end("{}");
    });
    transport = nodeTransport();
    for (let i = 0; i < 5; i++) await (await transport(url, init())).text();
    expect(sockets.size).toBe(1);
  });

  it("sends a request again on a new connection when the kept one was closed under it, before any answer", async () => {
    const served = new Map<Socket, number>();
    const url = await serve((req, res) => {
      const n = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, n);
      // The second request on a connection finds it closed (as a server's idle timeout would).
      if (n === 2) return req.socket.destroy();
      res.end(`{"n":${served.size}}`);
    });
    transport = nodeTransport();
    expect(await (await transport(url, init())).text()).toBe('{"n":1}');
    expect(await (await transport(url, init("{}"))).text()).toBe('{"n":2}');
    expect([...served.values()]).toEqual([2, 1]);
  });

  it("does not send again when the connection breaks on a fresh connection", async () => {
    let requests = 0;
    const url = await serve((req) => {
      requests++;
      req.socket.destroy();
    });
    transport = nodeTransport();
    await expect(transport(url, init("{}"))).rejects.toMatchObject({ code: "ECONNRESET" });
    expect(requests).toBe(1);
  });

  it("refuses an answer longer than the cap", async () => {
    const url = await serve((_req, res) => res.end("x".repeat(2048)));
    transport = nodeTransport({ maxBodyBytes: 1024 });
    await expect(transport(url, init())).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it("stops when the signal aborts", async () => {
    const url = await serve(() => undefined); // never answers
    transport = nodeTransport();
    const controller = new AbortController();
    const pending = transport(url, { ...init(), signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });

  it("carries WeChat calls: errcode answers become typed errors, a stalled answer a timeout", async () => {
    const url = await serve((req, res) => {
      if (req.url?.includes("slow")) return; // never answers
      res.end('{"errcode":45009,"errmsg":"reach max api daily quota limit"}');
    });
    transport = nodeTransport();
    const call = (path: string) =>
      callWeChatApi(
        { url: new URL(path, url), schema: z.object({}), idempotent: false, endpoint: path },
        { fetch: transport, timeoutMs: 50, retries: 0 },
      );
    await expect(call("/cgi-bin/quota")).rejects.toMatchObject({ errcode: 45009 });
    await expect(call("/cgi-bin/slow")).rejects.toMatchObject({ kind: "timeout" });
  });
});
