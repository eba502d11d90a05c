import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startSimulator } from "../server";
import type { SimCore } from "../surface";
import { decryptFrom, encryptFor, readFields, sign } from "./protocol";
import { MessagePusher, PUSH_DEFAULTS, buildPushXml } from "./pusher";

// Published vectors (WeChat's official WXBizMsgCrypt samples; see test/support/wechat/message-vectors.ts for the
// sources), repeated here because the simulator shares nothing with lib/.
const SAMPLE_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const SAMPLE_ENCRYPT =
  "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=";

const core = (appId = "wx5e1f0c0de0000001"): SimCore => ({
  appId,
  appSecret: "x",
  now: () => Date.UTC(2026, 0, 15, 8, 0, 0),
  url: () => "http://127.0.0.1:1",
  users: () => [],
});

describe("the simulator's own protocol code", () => {
  it("agrees with the official vectors", () => {
    expect(sign(["789", "456", "123"])).toBe("f7c3bc1d808e04732adf679965ccc34ca7ae3441");
    expect(sign(["spamtest", "1409735669", "1320562132", SAMPLE_ENCRYPT])).toBe(
      "5d197aaffba7e9b25a30732f161a50dee96bd5fa",
    );
    const { xml, appId } = decryptFrom(SAMPLE_KEY, SAMPLE_ENCRYPT);
    expect(appId).toBe("wx2c2769f8efd9abc2");
    expect(readFields(xml)).toMatchObject({ FromUserName: "oyORnuP8q7ou2gfYjqLzSIWZf0rs", Content: "abcdteT" });
  });

  it("encrypts and decrypts its own pushes, and builds each type", () => {
    const xml = buildPushXml({ type: "subscribe", openid: "o_1", eventKey: "qrscene_9" }, "gh_x", 1768464000);
    expect(decryptFrom(SAMPLE_KEY, encryptFor(SAMPLE_KEY, "wx1", xml))).toEqual({ xml, appId: "wx1" });
    expect(readFields(xml)).toEqual({
      ToUserName: "gh_x",
      FromUserName: "o_1",
      CreateTime: "1768464000",
      MsgType: "event",
      Event: "subscribe",
      EventKey: "qrscene_9",
    });
    expect(
      readFields(buildPushXml({ type: "text", openid: "o_1", content: "a]]>b", msgId: "7" }, "gh_x", 1)),
    ).toMatchObject({ MsgType: "text", Content: "a]]>b", MsgId: "7" });
    expect(readFields(buildPushXml({ type: "LOCATION", openid: "o_1" }, "gh_x", 1))).toHaveProperty("Latitude");
  });
});

/** A stand-in app: records every push; `hold` leaves the first n unanswered (WeChat then retries). */
async function fakeApp(options: {
  hold: number;
  answer: (fields: Record<string, string>, query: URLSearchParams) => string;
}) {
  const received: Array<{ query: URLSearchParams; body: string }> = [];
  const waiters: Array<() => void> = [];
  const held: ServerResponse[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const query = new URL(req.url ?? "/", "http://x").searchParams;
      received.push({ query, body });
      waiters.splice(0).forEach((w) => w());
      if (received.length <= options.hold) {
        held.push(res);
        return;
      }
      res.end(options.answer(readFields(body), query));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/wechat/message`;
  return {
    url,
    received,
    /** Resolves once the app has received `n` pushes. */
    until: (n: number) =>
      new Promise<void>((resolve) => {
        if (received.length >= n) resolve();
        else waiters.push(() => received.length >= n && resolve());
      }),
    close: () =>
      new Promise<void>((resolve) => {
        held.forEach((r) => r.destroy());
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe("MessagePusher against a stand-in app", () => {
  let app: Awaited<ReturnType<typeof fakeApp>> | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  /** The 5-second wait ends as soon as the app has the attempt (it will never answer a held one). */
  const timeoutAfterArrival = () => (_ms: number, attempt: number) => app!.until(attempt).then(() => undefined);
  const never = () => new Promise<void>(() => {});

  it("retries a slow app with the same signed query, and reports the attempts and the answer", async () => {
    app = await fakeApp({ hold: 2, answer: () => "success" });
    const pusher = new MessagePusher(core(), {
      target: app.url,
      waitForTimeout: (ms, attempt) => (attempt <= 2 ? timeoutAfterArrival()(ms, attempt) : never()),
    });
    const report = await pusher.push({ type: "subscribe", openid: "o_slow", mode: "aes" });
    expect(report.attempts.map((a) => [a.n, a.status, a.timedOut])).toEqual([
      [1, null, true],
      [2, null, true],
      [3, 200, false],
    ]);
    expect(report).toMatchObject({ ok: true, replyCheck: "none" });
    const queries = app.received.map((r) => r.query.toString());
    expect(new Set(queries).size).toBe(1);
    // Signed as WeChat signs: the URL signature and the msg_signature over the ciphertext.
    const q = app.received[0]!.query;
    const encrypt = readFields(app.received[0]!.body).Encrypt ?? "";
    expect(q.get("signature")).toBe(sign([PUSH_DEFAULTS.token, q.get("timestamp")!, q.get("nonce")!]));
    expect(q.get("msg_signature")).toBe(sign([PUSH_DEFAULTS.token, q.get("timestamp")!, q.get("nonce")!, encrypt]));
    expect(readFields(decryptFrom(PUSH_DEFAULTS.encodingAesKey, encrypt).xml)).toMatchObject({
      FromUserName: "o_slow",
      Event: "subscribe",
    });
  });

  it("gives up after 3 retries, and can re-sign each retry", async () => {
    app = await fakeApp({ hold: 99, answer: () => "success" });
    const pusher = new MessagePusher(core(), { target: app.url, waitForTimeout: timeoutAfterArrival() });
    const report = await pusher.push({ type: "CLICK", openid: "o_1", eventKey: "K", retrySignature: "fresh" });
    expect(report).toMatchObject({ ok: false, replyCheck: "no_answer" });
    expect(report.attempts).toHaveLength(4);
    expect(new Set(app.received.map((r) => r.query.get("nonce"))).size).toBe(4);
    expect(new Set(app.received.map((r) => r.body)).size).toBe(1);
  });

  it("checks an encrypted reply: a wrong MsgSignature or appid fails the push", async () => {
    const reply = (appId: string, forge: boolean) => (fields: Record<string, string>, q: URLSearchParams) => {
      const inner = `<xml><ToUserName><![CDATA[${fields.FromUserName ?? ""}]]></ToUserName><FromUserName><![CDATA[gh]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content></xml>`;
      const encrypt = encryptFor(PUSH_DEFAULTS.encodingAesKey, appId, inner);
      const ts = q.get("timestamp") ?? "";
      const signature = forge ? "0".repeat(40) : sign([PUSH_DEFAULTS.token, ts, "n1", encrypt]);
      return `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt><MsgSignature><![CDATA[${signature}]]></MsgSignature><TimeStamp>${ts}</TimeStamp><Nonce><![CDATA[n1]]></Nonce></xml>`;
    };
    for (const [appId, forge, check] of [
      ["wx5e1f0c0de0000001", false, "verified"],
      ["wx5e1f0c0de0000001", true, "bad_signature"],
      ["wxsomeoneelse00001", false, "bad_appid"],
    ] as const) {
      app = await fakeApp({ hold: 0, answer: (f, q) => reply(appId, forge)(f, q) });
      const report = await new MessagePusher(core(), { target: app.url, waitForTimeout: never }).push({
        type: "text",
        openid: "o_1",
        content: "hi",
        mode: "aes",
      });
      expect(report.replyCheck).toBe(check);
      expect(report.ok).toBe(check === "verified");
      if (check === "verified") expect(report.reply?.fields.Content).toBe("hi");
      await app.close();
      app = undefined;
    }
  });

  it("is reachable as POST /__sim/push, which refuses bad input", async () => {
    app = await fakeApp({ hold: 0, answer: () => "success" });
    const sim = await startSimulator({ push: { waitForTimeout: never } });
    try {
      const res = await fetch(`${sim.url}/__sim/push`, {
        method: "POST",
        body: JSON.stringify({ target: app.url, type: "VIEW", openid: "o_2", eventKey: "https://example.com/" }),
      });
      expect(await res.json()).toMatchObject({ ok: true, replyCheck: "none", attempts: [{ n: 1, status: 200 }] });
      expect(readFields(app.received[0]!.body)).toMatchObject({ ToUserName: PUSH_DEFAULTS.accountId, Event: "VIEW" });
      const bad = await fetch(`${sim.url}/__sim/push`, {
        method: "POST",
        body: JSON.stringify({ type: "nope", openid: "o" }),
      });
      expect(bad.status).toBe(400);
      expect(((await (await fetch(`${sim.url}/__sim/pushes`)).json()) as unknown[]).length).toBe(1);
    } finally {
      await sim.close();
    }
  });
});
