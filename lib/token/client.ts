// The CgiClient every cgi-bin caller uses (lib/wechat/cgi.ts): it adds the central access_token,
// sends the call to the healthy host, and on 40001/40014/42001 reports the token it used
// (compare-and-expire) and retries the call once with the new one.
import type { CgiCall, CgiClient } from "@/lib/wechat/cgi";
import { callWithFailover, type ApiHosts } from "@/lib/wechat/hosts";
import type { WeChatApiCall, WeChatHttpOptions } from "@/lib/wechat/http";
import { isStaleTokenError } from "@/lib/wechat/token";

/** What the client needs from the token service. */
export interface AccessTokenSource {
  accessToken(): Promise<{ readonly value: string }>;
  reportInvalid(kind: "access_token", value: string): Promise<{ readonly value: string }>;
}

export class TokenCgiClient implements CgiClient {
  constructor(
    private readonly tokens: AccessTokenSource,
    private readonly hosts: ApiHosts,
    private readonly http: WeChatHttpOptions,
  ) {}

  async call<T>(call: CgiCall<T>): Promise<T> {
    return (await this.callWithHost(call)).value;
  }

  /** Like call(), and says which host answered. */
  async callWithHost<T>(call: CgiCall<T>): Promise<{ value: T; host: string }> {
    const used = await this.tokens.accessToken();
    try {
      return await callWithFailover(this.hosts, (base) => build(base, used.value, call), this.http);
    } catch (error) {
      if (!isStaleTokenError(error)) throw error;
      const fresh = await this.tokens.reportInvalid("access_token", used.value);
      // Once: a second stale answer means something else is wrong, and looping would burn the quota.
      return callWithFailover(this.hosts, (base) => build(base, fresh.value, call), this.http);
    }
  }
}

function build<T>(base: string, accessToken: string, call: CgiCall<T>): WeChatApiCall<T> {
  const url = new URL(`${base}${call.path}`);
  url.searchParams.set("access_token", accessToken);
  for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.append(key, value);
  return {
    url,
    method: call.method,
    body: call.body,
    ...(call.upload ? { upload: call.upload } : {}),
    schema: call.schema,
    idempotent: call.idempotent,
    endpoint: call.path,
  };
}
