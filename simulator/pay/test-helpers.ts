/**
 * For the simulator's WeChat Pay tests: a merchant written with plain node:crypto and fetch (independent of
 * lib/wechat/pay on purpose), which signs requests with the material the simulator hands out and checks
 * the signatures of its answers; and a node:http server playing the app's notify_url.
 */
import { createDecipheriv, createPrivateKey, createPublicKey, createVerify, randomBytes, sign } from "node:crypto";
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Simulator } from "../server";

export interface MerchantCall {
  readonly method?: "GET" | "POST";
  readonly body?: unknown;
  /** Replace or drop (undefined) headers after signing. */
  readonly headers?: Record<string, string | undefined>;
  /** Sign as if at this time (seconds); default the simulator clock. */
  readonly timestamp?: number;
  /** Sign this body instead of the one sent. */
  readonly signedBody?: string;
  /** Sign this path and query instead of the ones sent. */
  readonly signedPath?: string;
  readonly serialNo?: string;
  readonly mchid?: string;
  /** Sign with this PEM instead of the merchant's. */
  readonly privateKey?: string;
}

export interface Answer {
  readonly status: number;
  readonly text: string;
  readonly json: Record<string, unknown>;
  readonly headers: Headers;
  /** The Wechatpay-* signature verified with WeChat Pay's public key. */
  readonly verified: boolean;
}

export function verifyWechatpay(sim: Simulator, headers: { get(name: string): string | null }, body: string): boolean {
  const material = sim.pay.merchant();
  const timestamp = headers.get("wechatpay-timestamp");
  const nonce = headers.get("wechatpay-nonce");
  const signature = headers.get("wechatpay-signature");
  if (!timestamp || !nonce || !signature) return false;
  if (headers.get("wechatpay-serial") !== material.wechatpayPublicKeyId) return false;
  return createVerify("sha256")
    .update(`${timestamp}\n${nonce}\n${body}\n`)
    .verify(createPublicKey(material.wechatpayPublicKey), signature, "base64");
}

/** One signed request to the simulator's WeChat Pay, as a merchant would send it. */
export async function merchantCall(sim: Simulator, path: string, call: MerchantCall = {}): Promise<Answer> {
  const material = sim.pay.merchant();
  const method = call.method ?? (call.body === undefined ? "GET" : "POST");
  const body = call.body === undefined ? "" : typeof call.body === "string" ? call.body : JSON.stringify(call.body);
  const timestamp = String(call.timestamp ?? Math.floor(sim.now() / 1000));
  const nonce = randomBytes(16).toString("hex").toUpperCase();
  const key = createPrivateKey(call.privateKey ?? material.merchantPrivateKey!);
  const signature = sign(
    "sha256",
    Buffer.from(`${method}\n${call.signedPath ?? path}\n${timestamp}\n${nonce}\n${call.signedBody ?? body}\n`),
    key,
  ).toString("base64");
  const authorization =
    `WECHATPAY2-SHA256-RSA2048 mchid="${call.mchid ?? material.mchid}",nonce_str="${nonce}",` +
    `signature="${signature}",timestamp="${timestamp}",serial_no="${call.serialNo ?? material.merchantSerialNo}"`;
  const headers: Record<string, string> = {
    Authorization: authorization,
    Accept: "application/json",
    "User-Agent": "merchant-test/1.0",
    ...(method === "POST" ? { "Content-Type": "application/json" } : {}),
  };
  for (const [name, value] of Object.entries(call.headers ?? {})) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  // node:http rather than fetch: fetch adds a User-Agent of its own, and a test needs to leave it out.
  const res = await new Promise<{ status: number; headers: Headers; text: string }>((resolve, reject) => {
    const req = request(`${sim.url}${path}`, { method, headers }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => {
        const answerHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (typeof value === "string") answerHeaders.set(name, value);
        }
        resolve({ status: response.statusCode ?? 0, headers: answerHeaders, text });
      });
    });
    req.on("error", reject);
    req.end(method === "POST" ? body : undefined);
  });
  const text = res.text;
  let json: Record<string, unknown> = {};
  try {
    json = text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    json = {};
  }
  return { status: res.status, text, json, headers: res.headers, verified: verifyWechatpay(sim, res.headers, text) };
}

export function decryptResource(apiV3Key: string, resource: Record<string, string>): string {
  const data = Buffer.from(resource.ciphertext!, "base64");
  const decipher = createDecipheriv("aes-256-gcm", Buffer.from(apiV3Key), Buffer.from(resource.nonce!));
  decipher.setAAD(Buffer.from(resource.associated_data ?? ""));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString("utf8");
}

export interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A notify_url: records what arrives and answers with `answer()` (default 204). */
export async function notifyEndpoint(): Promise<{
  url: string;
  received: Received[];
  answer: (received: Received) => number | Promise<number>;
  setAnswer(fn: (received: Received) => number | Promise<number>): void;
  close(): Promise<void>;
}> {
  const state = {
    received: [] as Received[],
    answer: (() => 204) as (received: Received) => number | Promise<number>,
  };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const received = { headers: req.headers, body };
      state.received.push(received);
      void Promise.resolve(state.answer(received)).then((status) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(status === 200 || status === 204 ? "" : JSON.stringify({ code: "FAIL", message: "失败" }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://localhost:${(server.address() as AddressInfo).port}/api/pay/notify`;
  return {
    url,
    received: state.received,
    get answer() {
      return state.answer;
    },
    setAnswer(fn) {
      state.answer = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A well-formed JSAPI order for the simulator's account (payer: its first test user). */
export function jsapiBody(sim: Simulator, notifyUrl: string, overrides: Record<string, unknown> = {}) {
  const material = sim.pay.merchant();
  return {
    appid: material.appid,
    mchid: material.mchid,
    description: "会员月卡",
    out_trade_no: "SO20260115000001",
    notify_url: notifyUrl,
    amount: { total: 100, currency: "CNY" },
    payer: { openid: sim.users[0]!.openid },
    ...overrides,
  };
}
