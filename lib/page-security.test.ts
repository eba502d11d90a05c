// The policy proxy.ts sends, read against a build as `next build` writes it (its manifests and the
// prerendered HTML): hashes for a prerendered page, the nonce for a page rendered per request, and for an
// address no route has (answered with the prerendered 404) a policy that lets that 404's scripts run.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const sha = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
const HOME_SCRIPT = "self.__next_f.push([0, 'home'])";
const NOT_FOUND_SCRIPT = "self.__next_f.push([0, '404'])";

let dist: string;

/** A build as next build leaves it: / and /_not-found prerendered, /me rendered per request, /admin's catch-all. */
function writeBuild(options: { routesManifest: boolean }) {
  dist = mkdtempSync(path.join(tmpdir(), "wcuc-page-security-"));
  mkdirSync(path.join(dist, "server", "app"), { recursive: true });
  const route = (page: string, regex: string) => ({ page, regex });
  writeFileSync(
    path.join(dist, "prerender-manifest.json"),
    JSON.stringify({ routes: { "/": {}, "/_not-found": {} }, dynamicRoutes: {} }),
  );
  if (options.routesManifest) {
    writeFileSync(
      path.join(dist, "routes-manifest.json"),
      JSON.stringify({
        staticRoutes: [
          route("/", "^/(?:/)?$"),
          route("/_not-found", "^/_not\\-found(?:/)?$"),
          route("/me", "^/me(?:/)?$"),
          route("/auth/open-in-wechat", "^/auth/open\\-in\\-wechat(?:/)?$"),
        ],
        dynamicRoutes: [route("/admin/[...missing]", "^/admin/(.+?)(?:/)?$")],
      }),
    );
  }
  const page = (script: string) =>
    `<!DOCTYPE html><html><head><script src="/_next/static/chunks/a.js" async=""></script></head>` +
    `<body><p>page</p><script>${script}</script></body></html>`;
  writeFileSync(path.join(dist, "server", "app", "index.html"), page(HOME_SCRIPT));
  writeFileSync(path.join(dist, "server", "app", "_not-found.html"), page(NOT_FOUND_SCRIPT));
}

async function scriptSrc(pathname: string): Promise<string[]> {
  const { pageSecurity } = await import("./page-security");
  const policy = pageSecurity(pathname).headers["Content-Security-Policy"] ?? "";
  return /script-src ([^;]*)/.exec(policy)?.[1]?.split(" ") ?? [];
}

beforeEach(() => {
  vi.resetModules();
  // A production start (secrets of its own, the simulator as WeChat).
  const vars: Record<string, string> = {
    NODE_ENV: "production",
    APP_URL: "https://uc.example.com",
    DATABASE_URL: "file:/tmp/unused.db",
    SESSION_SECRET: "page-security-session-secret-0123456789ab",
    TOKEN_ENCRYPTION_KEY: "page-security-token-key-0123456789abcdefg",
    AUTH_SECRET: "page-security-auth-secret-0123456789abcdef",
    WECHAT_APP_ID: "wx5e1f0c0de0000001",
    WECHAT_APP_SECRET: "simsecret0123456789abcdef01234567",
    WECHAT_OAUTH_BASE: "http://127.0.0.1:4010",
    WECHAT_API_BASE: "http://127.0.0.1:4010",
  };
  for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
});

afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dist, { recursive: true, force: true });
});

describe("pageSecurity against a production build", () => {
  it("gives a prerendered page its own hashes and no nonce", async () => {
    writeBuild({ routesManifest: true });
    vi.stubEnv("NEXT_DIST_DIR", path.relative(process.cwd(), dist));
    expect(await scriptSrc("/")).toEqual(["'self'", sha(HOME_SCRIPT)]);
  });

  it("gives a page rendered per request its nonce and 'strict-dynamic', no hash", async () => {
    writeBuild({ routesManifest: true });
    vi.stubEnv("NEXT_DIST_DIR", path.relative(process.cwd(), dist));
    for (const pathname of ["/me", "/me/", "/auth/open-in-wechat", "/admin/no-such-page"]) {
      const sources = await scriptSrc(pathname);
      expect(sources[0], pathname).toMatch(/^'nonce-/);
      expect(sources.slice(1), pathname).toEqual(["'strict-dynamic'", "'self'"]);
    }
  });

  it("lets the prerendered 404 of an address no route has run (its hashes and 'self'), and a nonce too", async () => {
    writeBuild({ routesManifest: true });
    vi.stubEnv("NEXT_DIST_DIR", path.relative(process.cwd(), dist));
    for (const pathname of ["/no-such-page", "/me/more", "/wp-login.php", "/Me"]) {
      const sources = await scriptSrc(pathname);
      expect(sources[0], pathname).toMatch(/^'nonce-/);
      expect(sources.slice(1), pathname).toEqual(["'self'", sha(NOT_FOUND_SCRIPT)]);
    }
  });

  it("names the simulator's origin on the cashier only, and only when payments go to the simulator", async () => {
    writeBuild({ routesManifest: true });
    vi.stubEnv("NEXT_DIST_DIR", path.relative(process.cwd(), dist));
    vi.stubEnv("WECHAT_PAY_BASE", "http://127.0.0.1:4010");
    vi.stubEnv("PAY_WEBHOOK_SECRET", "page-security-webhook-secret-0123456789ab");
    expect(await scriptSrc("/pay/cmorder1")).toContain("http://127.0.0.1:4010");
    vi.resetModules();
    expect(await scriptSrc("/me")).not.toContain("http://127.0.0.1:4010");
    vi.resetModules();
    expect(await scriptSrc("/pay/cmorder1/x")).not.toContain("http://127.0.0.1:4010");
    vi.resetModules();
    vi.stubEnv("WECHAT_PAY_BASE", "https://api.mch.weixin.qq.com");
    expect(await scriptSrc("/pay/cmorder1")).toEqual(expect.not.arrayContaining([expect.stringMatching(/^http/)]));
  });

  it("takes every address to have a route when the build lists none", async () => {
    writeBuild({ routesManifest: false });
    vi.stubEnv("NEXT_DIST_DIR", path.relative(process.cwd(), dist));
    expect((await scriptSrc("/no-such-page")).slice(1)).toEqual(["'strict-dynamic'", "'self'"]);
  });
});
