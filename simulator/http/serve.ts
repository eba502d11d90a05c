/**
 * The way of one request through the simulator, and its Node HTTP servers. Controls come first and
 * are never recorded; every other request is recorded, then may meet an outage of its origin or a
 * scripted failure of its path, and only then reaches WeChat's routes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { failureReply, type SimHost } from "../controls/failures";
import type { World } from "../world";
import { nginxError, readBody, reply, send } from "./reply";
import type { Router, SimRequest } from "./router";

export interface Routers {
  /** WeChat's routes, every surface's. */
  readonly upstream: Router;
  /** /__sim routes. */
  readonly controls: Router;
}

export async function serve(
  world: World,
  routers: Routers,
  req: IncomingMessage,
  res: ServerResponse,
  host: SimHost,
): Promise<void> {
  const target = req.url ?? "/";
  const url = new URL(target, "http://simulator.invalid");
  const path = url.pathname;
  const queryAt = target.indexOf("?");
  const rawBody = await readBody(req);
  if (rawBody === undefined) return send(res, reply(413, "text/plain", "body too large"));
  const request: SimRequest = {
    method: req.method ?? "GET",
    path,
    query: url.searchParams,
    rawQuery: queryAt === -1 ? "" : target.slice(queryAt + 1),
    body: rawBody.toString("utf8"),
    rawBody,
    headers: req.headers,
    params: [],
  };

  if (path === "/__sim" || path.startsWith("/__sim/")) return send(res, await routers.controls.handle(request));
  // Browsers ask for it on every page; recording it would make requests() depend on browser timing.
  if (path === "/favicon.ico") {
    res.writeHead(204);
    return void res.end();
  }

  world.record(request, host);
  const outage = world.outage(host);
  if (outage?.kind === "http") return send(res, nginxError(outage.status));
  if (outage?.kind === "refuse") return void req.socket.destroy();
  if (outage?.kind === "timeout") return world.hold(req.socket);

  const failure = world.takeFailure(path);
  if (failure?.kind === "timeout") return world.hold(req.socket);
  if (failure) return send(res, failureReply(path, failure, world.now()));

  send(res, await routers.upstream.handle(request));
}

export function createSimServer(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Server {
  // Idle keep-alive connections stay open 65 s, like the nginx in front of WeChat. With Node's default
  // 5 s, a client whose pool keeps a connection for 4 s (undici) could pick one up just as the server
  // closed it ("other side closed"), a flake that a slow CI machine hit between two tests.
  return createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error("[wechat-simulator]", error);
      if (!res.headersSent) send(res, reply(500, "text/plain", "simulator error"));
      else res.destroy();
    });
  });
}

/** Listen and return the origin, e.g. http://127.0.0.1:54321. */
export function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(`http://${urlHost(host)}:${(server.address() as AddressInfo).port}`);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections of fetch clients would otherwise hold close() open.
    server.closeAllConnections();
  });
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}
