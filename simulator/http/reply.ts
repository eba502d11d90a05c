/**
 * What a route answers, as plain data (status, headers, body), and the few shapes WeChat's servers
 * answer with. Only serve.ts writes replies to the socket.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { ApiBody } from "../errors";

export interface Reply {
  readonly status: number;
  /** Content-Type included; Content-Length is added when the reply is sent. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Above WeChat's 1 MB upload limit, so an image just over it reaches media/uploadimg and gets 40009. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function reply(status: number, contentType: string, body: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { "Content-Type": contentType, ...headers }, body };
}

/** WeChat serves its JSON as text/plain, with HTTP 200 even for errors. */
export function apiReply(body: ApiBody): Reply {
  return reply(200, "text/plain", JSON.stringify(body), { "Cache-Control": "no-store" });
}

/** The controls' answers. */
export function jsonReply(status: number, body: unknown): Reply {
  return reply(status, "application/json; charset=utf-8", JSON.stringify(body), { "Cache-Control": "no-store" });
}

export function htmlReply(html: string, headers: Record<string, string> = {}): Reply {
  return reply(200, "text/html; charset=utf-8", html, { "Cache-Control": "no-store", ...headers });
}

export function redirectReply(location: string, headers: Record<string, string> = {}): Reply {
  return reply(302, "text/html; charset=utf-8", "", { Location: location, "Cache-Control": "no-store", ...headers });
}

/** What the gateway in front of WeChat answers for transport-level errors. */
export function nginxError(status: number, headers: Record<string, string> = {}): Reply {
  const title = `${status} ${STATUS_CODES[status] ?? "Error"}`;
  const html = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  return reply(status, "text/html", html, headers);
}

export function send(res: ServerResponse, { status, headers, body }: Reply): void {
  res.writeHead(status, { ...headers, "Content-Length": String(Buffer.byteLength(body)) });
  res.end(body);
}

/** The body's bytes, or undefined when it is over the limit. */
export async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
