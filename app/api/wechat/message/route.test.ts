// /api/wechat/message called with Request objects, as WeChat would: the development Token and
// EncodingAESKey (the simulator's), the answer first and the work in after().
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { SIMULATOR_DEFAULTS } from "@/lib/env";
import { MessageCrypto } from "@/lib/wechat/message-crypto";
import { wechatSignature } from "@/lib/wechat/message-signature";
import { parseXmlFields } from "@/lib/wechat/message-xml";
import { forEachDatabase } from "@/test/support/db";
import { pushXml, type Mode } from "@/test/support/messages";
import { MessagePusher } from "@/simulator/push";

const deferred = vi.hoisted(() => ({ tasks: [] as Array<() => Promise<void> | void> }));
vi.mock("next/server", async (importOriginal) => ({
  ...(await importOriginal<typeof import("next/server")>()),
  after: (task: () => Promise<void> | void) => {
    deferred.tasks.push(task);
  },
}));

const APP = "http://localhost:3000";
const TOKEN = SIMULATOR_DEFAULTS.messageToken;
const crypto = new MessageCrypto(SIMULATOR_DEFAULTS.encodingAesKey, SIMULATOR_DEFAULTS.appId);

type Handler = (request: Request) => Promise<Response>;

function signedUrl(options: { mode?: Mode; body?: string; nonce?: string; timestamp?: number; echostr?: string } = {}) {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? String(Math.floor(Math.random() * 1e9));
  const q = new URLSearchParams({ signature: wechatSignature([TOKEN, timestamp, nonce]), timestamp, nonce });
  if (options.echostr) q.set("echostr", options.echostr);
  let body = options.body ?? "";
  if (options.mode && options.mode !== "plaintext") {
    const encrypt = crypto.encrypt(body);
    q.set("encrypt_type", "aes");
    q.set("msg_signature", wechatSignature([TOKEN, timestamp, nonce, encrypt]));
    body = `<xml><ToUserName>gh_0123456789ab</ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
  }
  return { url: `${APP}/api/wechat/message?${q.toString()}`, body };
}

const post = (handler: Handler, target: { url: string; body: string }) =>
  handler(new Request(target.url, { method: "POST", body: target.body, headers: { "content-type": "text/xml" } }));

async function runDeferred(): Promise<void> {
  const tasks = deferred.tasks.splice(0);
  for (const task of tasks) await task();
}

forEachDatabase((_kind, database) => {
  let GET: Handler;
  let POST: Handler;
  // The route's own module instance: its edits clear the cache the route reads.
  let createAutoReply: typeof import("@/lib/messages/auto-replies").createAutoReply;

  beforeAll(async () => {
    process.env.DATABASE_URL = database().url;
    process.env.APP_URL = APP;
    vi.resetModules();
    (globalThis as { wcucDb?: unknown }).wcucDb = database().db;
    ({ GET, POST } = (await import("@/app/api/wechat/message/route")) as { GET: Handler; POST: Handler });
    ({ createAutoReply } = await import("@/lib/messages/auto-replies"));
  });
  afterAll(() => {
    delete (globalThis as { wcucDb?: unknown }).wcucDb;
  });
  beforeEach(async () => {
    const { db } = database();
    deferred.tasks.length = 0;
    await db.weChatEvent.deleteMany();
    await db.pushNonce.deleteMany();
    await db.autoReply.deleteMany();
    await db.identity.deleteMany();
    await db.user.deleteMany();
  });

  describe("GET verification", () => {
    it("answers echostr verbatim as text/plain when the signature holds", async () => {
      const res = await GET(new Request(signedUrl({ echostr: "5838479218127813673" }).url));
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
      expect(await res.text()).toBe("5838479218127813673");
    });

    it("401 with nothing echoed for a forged or stale signature", async () => {
      const forged = signedUrl({ echostr: "ECHO_ME_123" }).url.replace(/signature=[0-9a-f]{8}/, "signature=00000000");
      const stale = signedUrl({ echostr: "ECHO_ME_123", timestamp: Math.floor(Date.now() / 1000) - 3600 }).url;
      for (const url of [forged, stale]) {
        const res = await GET(new Request(url));
        expect(res.status).toBe(401);
        const text = await res.text();
        expect(text).not.toContain("ECHO_ME_123");
        expect(JSON.parse(text)).toMatchObject({ error: { code: "push_refused" } });
      }
    });
  });

  describe("POST pushes", () => {
    it.each<Mode>(["plaintext", "aes"])("%s: success at once, the person after the answer", async (mode) => {
      const { db } = database();
      const xml = pushXml({ event: "subscribe", eventKey: "qrscene_42", createTime: Math.floor(Date.now() / 1000) });
      const res = await post(POST, signedUrl({ mode, body: xml }));
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("success");
      expect(await db.user.count()).toBe(0);
      expect(deferred.tasks).toHaveLength(1);
      await runDeferred();
      expect(await db.user.findFirstOrThrow()).toMatchObject({ subscribed: true, qrScene: "42" });
    });

    it("three retries: one event, one processing, the same reply each time (encrypted)", async () => {
      const { db } = database();
      await createAutoReply(db, {
        kind: "subscribe",
        keyword: "",
        match: "exact",
        reply: "欢迎来到模拟公众号",
        enabled: true,
      });
      const target = signedUrl({
        mode: "aes",
        body: pushXml({ event: "subscribe", createTime: Math.floor(Date.now() / 1000) }),
      });
      const replies: string[] = [];
      for (let attempt = 0; attempt < 4; attempt++) {
        const res = await post(POST, target);
        expect(res.status).toBe(200);
        const envelope = parseXmlFields(await res.text());
        replies.push(crypto.decrypt(envelope.Encrypt ?? ""));
      }
      expect(new Set(replies).size).toBe(1);
      expect(parseXmlFields(replies[0] ?? "").Content).toBe("欢迎来到模拟公众号");
      expect(deferred.tasks).toHaveLength(1);
      expect(await db.weChatEvent.count()).toBe(1);
    });

    it("413 for an oversized body, declared or streamed, before it is parsed", async () => {
      const big = `<xml><Content>${"a".repeat(70 * 1024)}</Content></xml>`;
      const declared = await post(POST, signedUrl({ body: big }));
      expect(declared.status).toBe(413);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 80; i++) controller.enqueue(new Uint8Array(1024).fill(97));
          controller.close();
        },
      });
      const streamed = await POST(
        new Request(signedUrl({ body: "" }).url, { method: "POST", body: stream, duplex: "half" } as RequestInit),
      );
      expect(streamed.status).toBe(413);
      expect(((await streamed.json()) as { error: { code: string } }).error.code).toBe("push_too_large");
    });

    it("a trickled body: refused before it is read without a signature, cut after the deadline with one", async () => {
      // A body that never ends, as a slow attacker sends it.
      const endless = () =>
        new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new TextEncoder().encode("<xml>")) });
      const forged = signedUrl({ body: "" }).url.replace("timestamp=", "timestamp=1");
      const unsigned = await POST(
        new Request(forged, { method: "POST", body: endless(), duplex: "half" } as RequestInit),
      );
      expect(unsigned.status).toBe(401);
      const { readCappedBody } = await import("@/lib/messages/endpoint");
      const signed = new Request(signedUrl({ body: "" }).url, {
        method: "POST",
        body: endless(),
        duplex: "half",
      } as RequestInit);
      const error = await readCappedBody(signed, 64 * 1024, 50).catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe("push_body_timeout");
    });

    it("400 for a DOCTYPE payload, 401 for a forged signature; nothing recorded", async () => {
      const { db } = database();
      const evil = `<!DOCTYPE xml [<!ENTITY a "b">]><xml><FromUserName>&a;</FromUserName></xml>`;
      expect((await post(POST, signedUrl({ body: evil }))).status).toBe(400);
      const forged = signedUrl({ body: pushXml({ event: "subscribe" }) });
      expect((await post(POST, { ...forged, url: forged.url.replace("timestamp=", "timestamp=1") })).status).toBe(401);
      expect(await db.weChatEvent.count()).toBe(0);
      expect(deferred.tasks).toHaveLength(0);
    });
  });
  describe("the simulator's pusher against the route, the app too slow three times", () => {
    it("four tries, one event, one processing, and the reply WeChat finally gets is the first one", async () => {
      const { db } = database();
      await createAutoReply(db, { kind: "subscribe", keyword: "", match: "exact", reply: "感谢关注", enabled: true });
      const handled: Array<Promise<Response>> = [];
      // The app handles every try, but the first three answers come after WeChat has given up on them.
      const slowFetch = (async (input: string | URL | Request, init?: RequestInit) => {
        const call = POST(new Request(input, init));
        handled.push(call);
        if (handled.length <= 3) {
          await call;
          return new Promise<Response>((_resolve, reject) =>
            init?.signal?.addEventListener("abort", () => reject(new Error("aborted"))),
          );
        }
        return call;
      }) as typeof fetch;
      const pusher = new MessagePusher(
        { appId: SIMULATOR_DEFAULTS.appId, appSecret: "", now: () => Date.now(), url: () => "", users: () => [] },
        {
          target: `${APP}/api/wechat/message`,
          fetch: slowFetch,
          // WeChat's 5 s pass once the app has finished handling that try (and only for the slow ones).
          waitForTimeout: (_ms, attempt) =>
            attempt <= 3
              ? (async () => {
                  while (handled.length < attempt) await Promise.resolve();
                  await handled[attempt - 1];
                })()
              : new Promise<void>(() => {}),
        },
      );
      const report = await pusher.push({ type: "subscribe", openid: "o_slow_app", mode: "aes" });
      expect(report.attempts.map((a) => a.timedOut)).toEqual([true, true, true, false]);
      expect(report).toMatchObject({ ok: true, replyCheck: "verified" });
      expect(report.reply?.fields).toMatchObject({ ToUserName: "o_slow_app", MsgType: "text", Content: "感谢关注" });
      const events = await db.weChatEvent.findMany();
      expect(events).toHaveLength(1);
      expect(parseXmlFields(events[0]?.reply ?? "").CreateTime).toBe(report.reply?.fields.CreateTime);
      expect(deferred.tasks).toHaveLength(1);
      await runDeferred();
      expect(await db.user.findFirstOrThrow()).toMatchObject({ subscribed: true });
    });
  });
});

describe("in production without WECHAT_TOKEN", () => {
  const PRODUCTION = {
    NODE_ENV: "production",
    APP_URL: "https://uc.example.com",
    DATABASE_URL: "postgresql://app@db.internal:5432/uc",
    SESSION_SECRET: "Zq8!vT3#kLm9@Wp2$Rx7^Hn4&Jc6*Bd1(Fs5)",
    TOKEN_ENCRYPTION_KEY: "Gy7%Ue2+Qa9=Mk4~Tz1?Lw8|Nr3<Vx6>Ci0;",
    AUTH_SECRET: "Pk5]Yh8[Ds2{Ob7}Ef4/Wu1-Ia9_Rn6.Gl3",
    WECHAT_APP_ID: "wx1234567890abcdef",
    WECHAT_APP_SECRET: "0123456789abcdef0123456789abcdef",
    WECHAT_TOKEN: "",
    WECHAT_ENCODING_AES_KEY: "",
  };
  let route: { GET: Handler; POST: Handler };

  beforeAll(async () => {
    for (const [key, value] of Object.entries(PRODUCTION)) vi.stubEnv(key, value === "" ? undefined : value);
    vi.resetModules();
    route = (await import("@/app/api/wechat/message/route")) as { GET: Handler; POST: Handler };
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it("the endpoint is off: 404 for a verification and a push, nothing echoed, no database touched", async () => {
    // Signed with the development Token: a request that would pass anywhere the endpoint is on.
    const verification = signedUrl({ echostr: "5838479218127813673" });
    const get = await route.GET(new Request(verification.url));
    expect(get.status).toBe(404);
    const text = await get.text();
    expect(text).not.toContain("5838479218127813673");
    expect(JSON.parse(text)).toMatchObject({ error: { code: "push_disabled" } });
    const push = await post(route.POST, signedUrl({ body: pushXml({ event: "subscribe" }) }));
    expect(push.status).toBe(404);
    expect(deferred.tasks).toHaveLength(0);
  });
});
