import "server-only";
// The running app's dependencies, built once from env.
import { env } from "@/lib/env";
import { db } from "@/lib/db";
import { createAuthDeps, type AuthDeps } from "@/lib/auth/deps";

// Module scope, not globalThis: `next build` gives pages and route handlers separate copies of lib/,
// and deps made by one copy throw that copy's WeChatApiError, which `instanceof` in the other copy
// does not recognise (every WeChat error then became "internal"). The database client, which is
// shared, stays on globalThis (lib/db.ts).
let deps: AuthDeps | undefined;

export function appDeps(): AuthDeps {
  deps ??= createAuthDeps(env(), db());
  return deps;
}
