import "server-only";
// The running app's token service and CgiClient, built once from env.
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import type { CgiClient } from "@/lib/wechat/cgi";
import { createTokenService, type TokenService } from "./service";

// Module scope, as lib/app.ts explains: each bundle copy of lib/ keeps its own, so the errors it
// throws are that copy's classes.
let service: TokenService | undefined;

export function tokenService(): TokenService {
  service ??= createTokenService(env(), db());
  return service;
}

/** The CgiClient for every cgi-bin caller (followers, tags, blacklist, remarks, the ticket). */
export function cgiClient(): CgiClient {
  return tokenService().cgi;
}
