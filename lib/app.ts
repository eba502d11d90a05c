import "server-only";
// The running app's dependencies, built once from env.
import { env } from "@/lib/env";
import { db } from "@/lib/db";
import { createAuthDeps, type AuthDeps } from "@/lib/auth/deps";

const globalForDeps = globalThis as unknown as { wcucDeps?: AuthDeps };

export function appDeps(): AuthDeps {
  globalForDeps.wcucDeps ??= createAuthDeps(env(), db());
  return globalForDeps.wcucDeps;
}
