/**
 * For tests against the simulator only (test/support/followers/clients.ts): the app's own CgiClient
 * (TokenCgiClient, lib/token/client.ts: token added, stale token reported and the call retried once)
 * on a token source that fetches the basic access_token itself (cgi-bin/token) and keeps it in memory.
 *
 * The app uses the central token service as the source (services.tokens and services.cgi, wired in
 * lib/services.ts): every process fetching its own token would invalidate the others' (WeChat
 * keeps only the newest, after a 5-minute overlap), which is exactly what the token service exists to
 * prevent.
 */
import type { AccessTokenSource } from "@/lib/token/client";
import { WeChatTokenClient } from "@/lib/wechat/token";

export class DirectTokenSource implements AccessTokenSource {
  #token: { value: string; expiresAt: number } | undefined;
  #pending: Promise<{ value: string }> | undefined;

  constructor(
    private readonly client: WeChatTokenClient,
    private readonly now: () => number = Date.now,
  ) {}

  async accessToken(): Promise<{ value: string }> {
    if (this.#token && this.#token.expiresAt > this.now()) return { value: this.#token.value };
    return this.#fetch();
  }

  async reportInvalid(_kind: "access_token", value: string): Promise<{ value: string }> {
    // Another call already replaced the token reported stale: use the new one.
    if (this.#token && this.#token.value !== value) return { value: this.#token.value };
    return this.#fetch();
  }

  #fetch(): Promise<{ value: string }> {
    this.#pending ??= this.client
      .fetchClassicToken()
      .then(({ value, expiresIn }) => {
        // Five minutes early: the token may be replaced by someone else's fetch before it expires.
        this.#token = { value, expiresAt: this.now() + (expiresIn - 300) * 1000 };
        return { value };
      })
      .finally(() => {
        this.#pending = undefined;
      });
    return this.#pending;
  }
}
