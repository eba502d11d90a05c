/**
 * Test doubles for code that talks to WeChat through this library: a scripted fetch that records
 * what was asked, and a sleep that records delays and resolves at once. No network, no waiting.
 * Kept in test/, outside lib/wechat: production code has no use for it.
 */

/** A body as WeChat serves it: JSON with a text/plain Content-Type. */
export function wechatResponse(body: unknown, init: { status?: number } = {}): Response {
  return new Response(typeof body === "string" ? body : JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { "content-type": "text/plain" },
  });
}

export interface RecordedRequest {
  readonly url: URL;
  readonly method: string;
  readonly body: string | null;
}

type Step =
  Response | Error | ((request: RecordedRequest, signal: AbortSignal | undefined) => Promise<Response> | Response);

/**
 * A fetch that plays `steps` in order (a Response, an Error to throw, or a function) and repeats the
 * last one when the script runs out.
 */
export function scriptedFetch(...steps: Step[]): typeof fetch & { readonly requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const fn = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const request: RecordedRequest = {
      url,
      method: init?.method ?? "GET",
      body: typeof init?.body === "string" ? init.body : null,
    };
    const step = steps[Math.min(requests.length, steps.length - 1)];
    requests.push(request);
    if (step === undefined) throw new Error("scriptedFetch: no steps");
    if (step instanceof Error) throw step;
    if (typeof step === "function") return step(request, init?.signal ?? undefined);
    // A Response body can be read once; hand out a copy so a repeated last step still works.
    return step.clone();
  };
  return Object.assign(fn, { requests }) as typeof fetch & { readonly requests: RecordedRequest[] };
}

export function recordingSleep(): ((ms: number) => Promise<void>) & { readonly delays: number[] } {
  const delays: number[] = [];
  const fn = (ms: number) => {
    delays.push(ms);
    return Promise.resolve();
  };
  return Object.assign(fn, { delays });
}
