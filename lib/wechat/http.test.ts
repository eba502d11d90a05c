import { describe, expect, it } from "vitest";
import { z } from "zod";
import { WeChatApiError, WeChatTransportError } from "./errors";
import { backoffDelay, callWeChatApi, multipartBody, parseWeChatBody, type WeChatHttpOptions } from "./http";
import { recordingSleep, scriptedFetch, wechatResponse } from "@/test/support/wechat/scripted-fetch";

const schema = z.object({ value: z.string() });
const url = new URL("https://api.test/sns/thing?access_token=AT_SECRET&openid=o1");
const endpoint = "/sns/thing";

function call(fetch: typeof globalThis.fetch, idempotent: boolean, options: WeChatHttpOptions = {}) {
  return callWeChatApi({ url, schema, idempotent, endpoint }, { fetch, random: () => 0.5, ...options });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("callWeChatApi: parsing", () => {
  it("parses JSON served as text/plain into the schema's type", async () => {
    const fetch = scriptedFetch(wechatResponse({ value: "ok", extra: 1 }));
    await expect(call(fetch, true)).resolves.toEqual({ value: "ok" });
    expect(fetch.requests).toHaveLength(1);
    expect(fetch.requests[0]?.url.toString()).toBe(url.toString());
    expect(fetch.requests[0]?.method).toBe("GET");
  });

  it("ignores the Content-Type entirely (even text/html) and tolerates a BOM", async () => {
    const fetch = scriptedFetch(new Response('\uFEFF{"value":"bom"}', { headers: { "content-type": "text/html" } }));
    await expect(call(fetch, true)).resolves.toEqual({ value: "bom" });
  });

  it("treats errcode 0 plus the fields as success", async () => {
    const fetch = scriptedFetch(wechatResponse({ errcode: 0, errmsg: "ok", value: "v" }));
    await expect(call(fetch, true)).resolves.toEqual({ value: "v" });
  });

  it("turns a non-zero errcode with HTTP 200 into WeChatApiError with the table entry", async () => {
    const fetch = scriptedFetch(wechatResponse({ errcode: 40029, errmsg: "invalid code" }));
    const error = await rejection(call(fetch, true));
    expect(error).toBeInstanceOf(WeChatApiError);
    expect(error).toMatchObject({
      errcode: 40029,
      errmsg: "invalid code",
      endpoint: "/sns/thing",
      info: { action: "reauthorize" },
      message: "WeChat /sns/thing failed: 40029 invalid code",
    });
  });

  it("accepts an errcode sent as a numeric string", async () => {
    const fetch = scriptedFetch(wechatResponse({ errcode: "45009", errmsg: "reach max api daily quota limit" }));
    const error = await rejection(call(fetch, true));
    expect(error).toBeInstanceOf(WeChatApiError);
    expect((error as WeChatApiError).info.action).toBe("quota");
  });

  it("reports a non-numeric errcode as bad_response", async () => {
    const fetch = scriptedFetch(wechatResponse({ errcode: "oops" }));
    const error = await rejection(call(fetch, true));
    expect(error).toBeInstanceOf(WeChatTransportError);
    expect((error as WeChatTransportError).kind).toBe("bad_response");
  });

  it("reports a body that is not JSON as bad_response without retrying", async () => {
    const fetch = scriptedFetch(wechatResponse("<html>502 Bad Gateway</html>"));
    const sleep = recordingSleep();
    const error = await rejection(call(fetch, true, { sleep }));
    expect(error).toBeInstanceOf(WeChatTransportError);
    expect(error).toMatchObject({ kind: "bad_response", status: 200, endpoint: "/sns/thing" });
    expect(fetch.requests).toHaveLength(1);
    expect(sleep.delays).toEqual([]);
  });

  it("reports JSON of the wrong shape as bad_response with the zod error as cause", async () => {
    const fetch = scriptedFetch(wechatResponse({ value: 42 }));
    const error = (await rejection(call(fetch, true))) as WeChatTransportError;
    expect(error).toBeInstanceOf(WeChatTransportError);
    expect(error.kind).toBe("bad_response");
    expect(error.message).toContain("value");
    expect(error.cause).toBeInstanceOf(z.ZodError);
  });

  it("reports a JSON array or null as bad_response", async () => {
    for (const body of ["[1,2]", "null", '"str"']) {
      const error = await rejection(call(scriptedFetch(wechatResponse(body)), true));
      expect((error as WeChatTransportError).kind).toBe("bad_response");
    }
  });

  it("sends a POST body as UTF-8 JSON", async () => {
    const fetch = scriptedFetch(wechatResponse({ value: "ok" }));
    await callWeChatApi(
      { url, method: "POST", body: { name: "标签😀" }, schema, idempotent: true, endpoint },
      { fetch },
    );
    expect(fetch.requests[0]?.method).toBe("POST");
    expect(fetch.requests[0]?.body).toBe('{"name":"标签😀"}');
  });

  it("parseWeChatBody applies the same checks to a body obtained elsewhere", () => {
    expect(parseWeChatBody('{"value":"x"}', schema, "/p")).toEqual({ value: "x" });
    expect(() => parseWeChatBody('{"errcode":-1,"errmsg":"system error"}', schema, "/p")).toThrow(WeChatApiError);
  });
});

describe("callWeChatApi: retries", () => {
  const busy = wechatResponse({ errcode: -1, errmsg: "system error" });

  it("retries -1 on idempotent calls with exponential backoff and jitter", async () => {
    const fetch = scriptedFetch(busy, busy, wechatResponse({ value: "third time" }));
    const sleep = recordingSleep();
    await expect(call(fetch, true, { sleep, random: () => 0.5 })).resolves.toEqual({ value: "third time" });
    expect(fetch.requests).toHaveLength(3);
    // step 200 then 400; half fixed + half * random(0.5)
    expect(sleep.delays).toEqual([150, 300]);
  });

  it("gives up after `retries` extra attempts and throws the last error", async () => {
    const fetch = scriptedFetch(busy);
    const sleep = recordingSleep();
    const error = await rejection(call(fetch, true, { sleep, retries: 3 }));
    expect(error).toBeInstanceOf(WeChatApiError);
    expect((error as WeChatApiError).errcode).toBe(-1);
    expect(fetch.requests).toHaveLength(4);
    expect(sleep.delays).toHaveLength(3);
  });

  it("defaults to 2 retries", async () => {
    const fetch = scriptedFetch(busy);
    await rejection(call(fetch, true, { sleep: recordingSleep() }));
    expect(fetch.requests).toHaveLength(3);
  });

  it("never retries -1 on a non-idempotent call", async () => {
    const fetch = scriptedFetch(busy, wechatResponse({ value: "never reached" }));
    const sleep = recordingSleep();
    const error = await rejection(call(fetch, false, { sleep }));
    expect((error as WeChatApiError).errcode).toBe(-1);
    expect(fetch.requests).toHaveLength(1);
    expect(sleep.delays).toEqual([]);
  });

  it.each([40029, 40163, 42001, 42002, 48001, 40003, 40001, 45009, 40164])(
    "never retries errcode %i, even on an idempotent call",
    async (errcode) => {
      const fetch = scriptedFetch(wechatResponse({ errcode, errmsg: "no" }), wechatResponse({ value: "x" }));
      const sleep = recordingSleep();
      const error = await rejection(call(fetch, true, { sleep }));
      expect((error as WeChatApiError).errcode).toBe(errcode);
      expect(fetch.requests).toHaveLength(1);
      expect(sleep.delays).toEqual([]);
    },
  );

  it("retries 5xx on idempotent calls", async () => {
    const fetch = scriptedFetch(wechatResponse("bad gateway", { status: 502 }), wechatResponse({ value: "ok" }));
    const sleep = recordingSleep();
    await expect(call(fetch, true, { sleep })).resolves.toEqual({ value: "ok" });
    expect(fetch.requests).toHaveLength(2);
    expect(sleep.delays).toHaveLength(1);
  });

  it("does not retry 5xx on a non-idempotent call, and reports the status", async () => {
    const fetch = scriptedFetch(wechatResponse("oops", { status: 503 }), wechatResponse({ value: "ok" }));
    const error = await rejection(call(fetch, false, { sleep: recordingSleep() }));
    expect(error).toMatchObject({ kind: "http_status", status: 503 });
    expect(fetch.requests).toHaveLength(1);
  });

  it("does not retry 4xx", async () => {
    const fetch = scriptedFetch(wechatResponse("nope", { status: 404 }), wechatResponse({ value: "ok" }));
    const error = await rejection(call(fetch, true, { sleep: recordingSleep() }));
    expect(error).toMatchObject({ kind: "http_status", status: 404 });
    expect(fetch.requests).toHaveLength(1);
  });

  it("retries network errors on idempotent calls only", async () => {
    const down = new TypeError("fetch failed");
    const idem = scriptedFetch(down, wechatResponse({ value: "ok" }));
    await expect(call(idem, true, { sleep: recordingSleep() })).resolves.toEqual({ value: "ok" });
    expect(idem.requests).toHaveLength(2);

    const once = scriptedFetch(down, wechatResponse({ value: "ok" }));
    const error = await rejection(call(once, false, { sleep: recordingSleep() }));
    expect(error).toMatchObject({ kind: "network" });
    expect((error as WeChatTransportError).cause).toBe(down);
    expect(once.requests).toHaveLength(1);
  });

  it("caps backoff and keeps jitter within [step/2, step]", () => {
    expect(backoffDelay(0, () => 0)).toBe(100);
    expect(backoffDelay(0, () => 0.999999)).toBe(200);
    expect(backoffDelay(3, () => 0.5)).toBe(1200);
    expect(backoffDelay(20, () => 1)).toBe(2000);
  });
});

describe("callWeChatApi: timeouts", () => {
  /** A fetch that hangs until its AbortSignal fires, as the real one does. */
  const hangingFetch = scriptedFetch(
    (_request, signal) =>
      new Promise<Response>((_, reject) => {
        signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")), { once: true });
      }),
  );

  it("aborts a hanging request after timeoutMs with kind timeout", async () => {
    const started = performance.now();
    const error = await rejection(call(hangingFetch, false, { timeoutMs: 30 }));
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(WeChatTransportError);
    expect(error).toMatchObject({ kind: "timeout", endpoint: "/sns/thing" });
    expect((error as Error).message).toContain("30 ms");
    expect(elapsed).toBeLessThan(1000);
  });

  it("is bounded even when the fetch ignores the AbortSignal", async () => {
    const deaf = scriptedFetch(() => new Promise<Response>(() => {}));
    const started = performance.now();
    const error = await rejection(call(deaf, false, { timeoutMs: 30 }));
    expect(error).toMatchObject({ kind: "timeout" });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("covers a body that stalls after the headers", async () => {
    const stalled = scriptedFetch(
      () => new Response(new ReadableStream({ start() {} }), { headers: { "content-type": "text/plain" } }),
    );
    const error = await rejection(call(stalled, false, { timeoutMs: 30 }));
    expect(error).toMatchObject({ kind: "timeout" });
  });

  it("retries a timeout on an idempotent call", async () => {
    let calls = 0;
    const fetch = scriptedFetch((request, signal) => {
      calls += 1;
      if (calls === 1) return hangingFetch(request.url, { signal });
      return wechatResponse({ value: "second" });
    });
    const sleep = recordingSleep();
    await expect(call(fetch, true, { timeoutMs: 30, sleep })).resolves.toEqual({ value: "second" });
    expect(sleep.delays).toHaveLength(1);
  });

  it("cuts an attempt's timeout to what is left of budgetMs", async () => {
    const error = await rejection(call(hangingFetch, false, { timeoutMs: 5000, budgetMs: 40, now: () => 0 }));
    expect(error).toMatchObject({ kind: "timeout" });
    expect((error as Error).message).toContain("40 ms");
  });

  it("starts no retry that could not finish within budgetMs", async () => {
    let calls = 0;
    const counting = scriptedFetch((request, signal) => {
      calls += 1;
      return hangingFetch(request.url, { signal });
    });
    const sleep = recordingSleep();
    // Two retries allowed, but after a 30 ms timeout a backoff of 100 ms or more would end past 120 ms.
    const error = await rejection(
      call(counting, true, { timeoutMs: 30, retries: 2, budgetMs: 120, sleep, random: () => 0 }),
    );
    expect(error).toMatchObject({ kind: "timeout" });
    expect(calls).toBe(1);
    expect(sleep.delays).toEqual([]);
  });
});

describe("callWeChatApi: secrets never leak", () => {
  const secretURL = new URL(
    "https://api.test/sns/oauth2/access_token?appid=wxAPPID&secret=APPSECRET_abc123&code=CODE_xyz789&grant_type=authorization_code",
  );
  const refreshURL = new URL(
    "https://api.test/sns/oauth2/refresh_token?appid=wxAPPID&grant_type=refresh_token&refresh_token=RT_s3cr3t%2B%2F",
  );
  const secrets = ["APPSECRET_abc123", "CODE_xyz789", "RT_s3cr3t+/", "RT_s3cr3t%2B%2F", "AT_leaky"];

  function expectClean(error: unknown) {
    expect(error).toBeInstanceOf(Error);
    // Walk the whole cause chain: loggers print nested causes too.
    for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; depth++) {
      const views = [String(e), JSON.stringify(e) ?? ""];
      if (e instanceof Error) {
        views.push(e.message, e.stack ?? "");
        views.push(...Object.getOwnPropertyNames(e).map((k) => String((e as unknown as Record<string, unknown>)[k])));
      }
      for (const view of views) for (const secret of secrets) expect(view).not.toContain(secret);
      e = e instanceof Error ? e.cause : undefined;
    }
  }

  const leakyFetches: [string, typeof fetch][] = [
    [
      "an errcode whose errmsg echoes the code",
      scriptedFetch(wechatResponse({ errcode: 40029, errmsg: "invalid code CODE_xyz789, rid: 1" })),
    ],
    ["a fetch error quoting the URL", scriptedFetch(new TypeError(`request to ${secretURL} failed`))],
    [
      "a fetch error whose cause quotes the URL",
      scriptedFetch(new TypeError("fetch failed", { cause: new Error(`connect ${secretURL}`) })),
    ],
    ["a proxy page quoting the URL", scriptedFetch(wechatResponse(`<html>${secretURL}</html>`))],
    ["a 502 page quoting the URL", scriptedFetch(wechatResponse(`<html>${secretURL}</html>`, { status: 502 }))],
    [
      "a body that fails the schema",
      scriptedFetch(wechatResponse({ value: ["CODE_xyz789"], access_token: "AT_leaky" })),
    ],
  ];

  it.each(leakyFetches)("keeps appsecret and code out of the error: %s", async (_name, fetch) => {
    const error = await rejection(
      callWeChatApi(
        { url: secretURL, schema, idempotent: false, endpoint: secretURL.pathname + secretURL.search },
        { fetch },
      ),
    );
    expect((error as { endpoint: string }).endpoint).toBe("/sns/oauth2/access_token");
    expectClean(error);
  });

  it("keeps a refresh_token out of the error, in raw and URL-encoded form", async () => {
    const fetch = scriptedFetch(new TypeError(`GET ${refreshURL} failed for RT_s3cr3t+/`));
    const error = await rejection(
      callWeChatApi(
        { url: refreshURL, schema, idempotent: true, endpoint: "/sns/oauth2/refresh_token" },
        { fetch, retries: 0 },
      ),
    );
    expect(error).toMatchObject({ kind: "network" });
    expect((error as Error).message).toContain("[redacted]");
    expectClean(error);
  });

  it("keeps a secret sent in a POST body out of the error", async () => {
    const fetch = scriptedFetch(new TypeError('body was {"secret":"APPSECRET_abc123"}'));
    const error = await rejection(
      callWeChatApi(
        {
          url: new URL("https://api.test/cgi-bin/stable_token"),
          method: "POST",
          body: { grant_type: "client_credential", appid: "wxAPPID", secret: "APPSECRET_abc123" },
          schema,
          idempotent: false,
          endpoint: "/cgi-bin/stable_token",
        },
        { fetch },
      ),
    );
    expectClean(error);
  });
});

describe("multipart uploads (media/uploadimg)", () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 0xff, 0x0d, 0x0a]);

  it("sends the file as multipart/form-data that a standard parser reads back byte for byte", async () => {
    let seen: { headers: Record<string, string>; body: unknown } | undefined;
    const fetch = async (_url: URL, init: { headers: Record<string, string>; body?: unknown }) => {
      seen = { headers: init.headers, body: init.body };
      return wechatResponse({ value: "http://mmbiz.qpic.cn/x/0" });
    };
    const result = await callWeChatApi(
      {
        url: new URL("https://api.test/cgi-bin/media/uploadimg?access_token=AT"),
        method: "POST",
        upload: { field: "buffer", filename: "logo 1.png", contentType: "image/png", data: png },
        schema,
        idempotent: true,
        endpoint: "/cgi-bin/media/uploadimg",
      },
      { fetch },
    );
    expect(result.value).toBe("http://mmbiz.qpic.cn/x/0");
    expect(seen?.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=----wcuc[0-9a-f]{24}$/);
    const form = await new Request("http://parse.test/", {
      method: "POST",
      headers: { "content-type": seen!.headers["content-type"]! },
      body: seen!.body as Uint8Array<ArrayBuffer>,
    }).formData();
    const file = form.get("buffer") as File;
    expect(file.name).toBe("logo_1.png");
    expect(file.type).toBe("image/png");
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(png);
  });

  it("derives the boundary from the file (same file, same body), and it never occurs in the file", () => {
    const first = multipartBody({ field: "buffer", filename: "a.png", contentType: "image/png", data: png });
    expect(multipartBody({ field: "buffer", filename: "a.png", contentType: "image/png", data: png })).toEqual(first);
    const tricky = Buffer.concat([Buffer.from(png), Buffer.from(first.boundary)]);
    const again = multipartBody({ field: "buffer", filename: "a.png", contentType: "image/png", data: tricky });
    expect(again.boundary).not.toBe(first.boundary);
    expect(tricky.includes(again.boundary)).toBe(false);
  });
});
