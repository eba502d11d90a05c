/**
 * A CgiClient that fetches the basic access_token itself (cgi-bin/token) and keeps it in memory.
 *
 * For tests against the simulator only (lib/followers/testing.ts). The app uses the central token
 * service's client (lib/token/app.ts, wired in lib/followers/client.ts): every process fetching its own
 * token would invalidate the others' (WeChat keeps only the newest, after a 5-minute overlap), which is
 * exactly what the token service exists to prevent.
 */
import { z } from "zod";
import type { CgiCall, CgiClient } from "@/lib/wechat/cgi";
import { callWeChatApi, type WeChatHttpOptions } from "@/lib/wechat/http";
import { WeChatApiError } from "@/lib/wechat/errors";

const tokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.number().int().positive() });
const STALE_TOKEN = new Set([40001, 40014, 42001]);

export interface DirectCgiConfig {
  readonly apiBase: string;
  readonly appId: string;
  readonly appSecret: string;
  readonly http?: WeChatHttpOptions;
  readonly now?: () => number;
}

export class DirectCgiClient implements CgiClient {
  private token: { value: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;
  /** cgi-bin/token fetches so far (tests assert on it). */
  fetches = 0;

  constructor(private readonly config: DirectCgiConfig) {}

  private now(): number {
    return this.config.now?.() ?? Date.now();
  }

  private async accessToken(force: boolean, used?: string): Promise<string> {
    // Another call already replaced the token we were told is stale: use the new one.
    if (force && this.token && this.token.value !== used) return this.token.value;
    if (!force && this.token && this.token.expiresAt > this.now()) return this.token.value;
    this.pending ??= (async () => {
      try {
        const url = new URL("/cgi-bin/token", this.config.apiBase);
        url.search = new URLSearchParams({
          grant_type: "client_credential",
          appid: this.config.appId,
          secret: this.config.appSecret,
        }).toString();
        this.fetches++;
        const body = await callWeChatApi(
          { url, schema: tokenSchema, idempotent: true, endpoint: "/cgi-bin/token" },
          this.config.http,
        );
        // Five minutes early: the token may be replaced by someone else's fetch before it expires.
        this.token = { value: body.access_token, expiresAt: this.now() + (body.expires_in - 300) * 1000 };
        return body.access_token;
      } finally {
        this.pending = undefined;
      }
    })();
    return this.pending;
  }

  async call<T>(call: CgiCall<T>): Promise<T> {
    let token = await this.accessToken(false);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(call, token);
      } catch (error) {
        if (attempt > 0 || !(error instanceof WeChatApiError) || !STALE_TOKEN.has(error.errcode)) throw error;
        token = await this.accessToken(true, token);
      }
    }
  }

  private once<T>(call: CgiCall<T>, token: string): Promise<T> {
    const url = new URL(call.path, this.config.apiBase);
    url.search = new URLSearchParams({ access_token: token, ...call.query }).toString();
    return callWeChatApi(
      {
        url,
        method: call.method,
        body: call.body,
        schema: call.schema,
        idempotent: call.idempotent,
        endpoint: call.path,
      },
      this.config.http,
    );
  }
}
