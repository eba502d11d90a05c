import { defineConfig } from "vitest/config";
import path from "node:path";

const root = import.meta.dirname;

export default defineConfig({
  resolve: {
    alias: {
      "@": root,
      // The real package throws outside React Server Components; tests import server modules directly.
      "server-only": path.resolve(root, "test/support/server-only.ts"),
    },
  },
  test: {
    include: ["lib/**/*.test.ts", "simulator/**/*.test.ts", "app/**/*.test.ts", "test/**/*.test.ts"],
    environment: "node",
    testTimeout: 15_000,
    hookTimeout: 30_000,
    // Migrates the SQLite and PostgreSQL templates once; fails the run when CI needs PostgreSQL and it is down.
    globalSetup: ["test/support/global-setup.ts"],
    env: { WCUC_LOG: "silent", CHECKPOINT_DISABLE: "1" },
    // next-auth imports "next/server" without an extension, which Node's ESM resolver refuses; through
    // Vite it resolves (route tests call next-auth's own handlers).
    server: { deps: { inline: ["next-auth"] } },
  },
});
