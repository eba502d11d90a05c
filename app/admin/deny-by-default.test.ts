// Deny by default, proved from the file system: every route handler under app/api/admin (and any under
// app/admin) is built with adminRoute() and refuses strangers, viewers' changes and cross-site changes;
// every page under app/admin is either dynamic and behind requireStaffPage(), or a static shell that holds
// no data (nothing it or its layouts import reaches the database or the request) and that proxy.ts
// refuses without a staff session; every server action under app/admin checks the staff member itself.
// A new file is picked up without touching this test.
import fs from "node:fs";
import path from "node:path";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { makeStaff, staffCookie } from "@/test/support/admin";

const ROOT = path.resolve(import.meta.dirname, "../..");
const APP = "http://localhost:3000";
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const READS = new Set<string>(["GET", "HEAD"]);
/** The only changes a viewer may make: redeeming a coupon at the counter (核销). */
const VIEWER_CHANGES = ["POST app/api/admin/redeem/check/route.ts", "POST app/api/admin/redeem/consume/route.ts"];
/** The only pages and server actions a stranger may reach. */
const OPEN = ["app/admin/signin/", "app/admin/setup/"];

function walk(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}

const routeFiles = [...walk("app/api/admin"), ...walk("app/admin")].filter((f) => /\/route\.(ts|tsx|js)$/.test(f));
const pageFiles = walk("app/admin").filter((f) => /\/page\.(tsx|ts|jsx|js)$/.test(f));
const sourceFiles = walk("app/admin").filter((f) => /\.(tsx?|jsx?)$/.test(f) && !/\.test\./.test(f));
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const isOpen = (file: string) => OPEN.some((prefix) => file.startsWith(prefix));
/** A call, not a mention in a comment or an import. */
const CALLS_REQUIRE_STAFF = /(?<!\/\/.*)\bawait\s+requireStaffPage\s*\(/;

/**
 * What a static shell, its layouts and everything they import (our files, followed through `@/` and
 * relative imports) must not touch: a server-only module, the database, the request, the staff check. A
 * static page is rendered once at build time and its HTML served to anyone proxy.ts lets through (a
 * cookie that decrypts: a disabled account's too), so data read there would leak; data comes from
 * /api/admin routes instead, which adminRoute() guards on every request. "use server" files are not
 * followed: the page holds only a reference to their actions, which the server-action test checks.
 */
const SERVER_DATA = [
  /^server-only$/,
  /^next\/headers$/,
  /^@\/lib\/db(-errors)?$/,
  /^@\/lib\/generated\//,
  /^@prisma\//,
  /^@\/lib\/admin\/(guard|auth|users|stats|user-detail|staff|setup)$/,
];
const IMPORTS = /^\s*(?:import|export)\s[^;]*?\sfrom\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gm;

function resolveImport(from: string, spec: string): string | null {
  const base = spec.startsWith("@/")
    ? spec.slice(2)
    : spec.startsWith(".")
      ? path.join(path.dirname(from), spec)
      : null;
  if (base === null) return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) {
    const abs = path.join(ROOT, candidate);
    if (fs.existsSync(abs) && fs.statSync(abs).isFile()) return path.relative(ROOT, abs).split(path.sep).join("/");
  }
  return null;
}

/** The server data a page and its layouts reach through imports, as "file → import" lines. */
function serverDataReachedFrom(page: string): string[] {
  const layouts: string[] = [];
  for (let dir = path.dirname(page); dir.startsWith("app/admin"); dir = path.dirname(dir))
    for (const ext of ["tsx", "ts"])
      if (fs.existsSync(path.join(ROOT, dir, `layout.${ext}`))) layouts.push(`${dir}/layout.${ext}`);
  const found: string[] = [];
  const seen = new Set<string>();
  const queue = [page, ...layouts];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file) || !/\.(tsx?|jsx?)$/.test(file)) continue;
    seen.add(file);
    const source = read(file);
    if (file !== page && /^\s*["']use server["']/m.test(source)) continue;
    for (const match of source.matchAll(IMPORTS)) {
      const spec = (match[1] ?? match[2])!;
      if (SERVER_DATA.some((rule) => rule.test(spec))) found.push(`${file} → ${spec}`);
      const local = resolveImport(file, spec);
      if (local) queue.push(local);
    }
  }
  return found;
}

/** An URL for a route file, its dynamic segments filled in. */
function urlFor(file: string): string {
  const route = file
    .replace(/^app/, "")
    .replace(/\/route\.\w+$/, "")
    .replace(/\/\([^)]+\)/g, "")
    .replace(/\[\[?\.{0,3}([^\]]+)\]\]?/g, "x-$1");
  return `${APP}${route || "/"}`;
}

/** The URL of every page under app/admin that does not call requireStaffPage(). */
function staticShellUrls(): string[] {
  return pageFiles
    .filter((f) => !isOpen(f) && !CALLS_REQUIRE_STAFF.test(read(f)))
    .map((f) => urlFor(f.replace(/\/page\.\w+$/, "/route.ts")).slice(APP.length));
}

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

describe("the admin console's files", () => {
  it("include the routes this test must always see", () => {
    expect(routeFiles).toEqual(
      expect.arrayContaining(["app/api/admin/whoami/route.ts", "app/api/admin/ping/route.ts"]),
    );
    expect(pageFiles).toEqual(expect.arrayContaining(["app/admin/signin/page.tsx", "app/admin/setup/page.tsx"]));
  });

  it("the (console) layout calls requireStaffPage()", () => {
    expect(read("app/admin/(console)/layout.tsx")).toMatch(CALLS_REQUIRE_STAFF);
  });

  // Every page itself, not only the layout: a layout does not run again on client-side navigation
  // between pages of its group, so a disabled account could otherwise keep reading data pages.
  const dynamicPages = pageFiles.filter((f) => !isOpen(f) && CALLS_REQUIRE_STAFF.test(read(f)));
  const staticPages = pageFiles.filter((f) => !isOpen(f) && !dynamicPages.includes(f));

  it.each(dynamicPages)("%s (dynamic) calls requireStaffPage()", (file) => {
    expect(read(file)).toMatch(CALLS_REQUIRE_STAFF);
  });

  // Any other page must be a static shell: said so (dynamic = "error": `next build` fails should it read
  // the request), and reaching no server data through any import.
  it.each(staticPages)("%s (no requireStaffPage) is a static shell that holds no data", (file) => {
    expect(
      read(file),
      `${file}: call await requireStaffPage() first, or make it a static shell (export const dynamic = "error")`,
    ).toMatch(/^export const dynamic = "error";$/m);
    expect(serverDataReachedFrom(file), `${file} is static: its data must come from /api/admin routes`).toEqual([]);
  });

  it("the user list is a static shell, and the shell rule tells a data page from one", () => {
    expect(staticPages).toContain("app/admin/(static)/users/page.tsx");
    // The dashboard reads the database: were it made static as it is, the rule above would refuse it.
    expect(serverDataReachedFrom("app/admin/(console)/page.tsx")).not.toEqual([]);
    expect(serverDataReachedFrom("app/admin/(console)/users/[id]/page.tsx")).not.toEqual([]);
  });

  it.each(sourceFiles.filter((f) => !isOpen(f) && /["']use server["']/.test(read(f))))(
    'server actions in %s check the staff member (requireStaffPage({ role: "admin" }) for changes)',
    (file) => {
      expect(read(file)).toMatch(CALLS_REQUIRE_STAFF);
    },
  );
});

forEachDatabase((_kind, database) => {
  type Globals = { wcucDb?: unknown };
  let viewerCookie = "";
  let adminCookie = "";
  const modules = new Map<string, Record<string, unknown>>();

  beforeAll(async () => {
    process.env.APP_URL = APP;
    vi.resetModules();
    (globalThis as Globals).wcucDb = database().db;
    const { db } = database();
    await db.staff.deleteMany();
    viewerCookie = await staffCookie(await makeStaff(db, "viewer"));
    adminCookie = await staffCookie(await makeStaff(db, "admin"));
    for (const file of routeFiles) modules.set(file, (await import(path.join(ROOT, file))) as Record<string, unknown>);
  });
  afterAll(() => {
    delete (globalThis as Globals).wcucDb;
  });

  const call = async (file: string, method: string, headers: Record<string, string>) => {
    const handler = modules.get(file)?.[method] as Handler;
    const request = new Request(urlFor(file), { method, headers });
    return handler(request, { params: Promise.resolve({}) });
  };

  describe.each(routeFiles)("%s", (file) => {
    const exported = () => METHODS.filter((m) => m in (modules.get(file) ?? {}));

    it("exports at least one HTTP method, each built with adminRoute()", async () => {
      const { ADMIN_ROUTE } = await import("@/lib/admin/guard");
      expect(exported().length).toBeGreaterThan(0);
      for (const method of exported()) {
        const handler = modules.get(file)?.[method] as { [ADMIN_ROUTE]?: unknown };
        expect(handler[ADMIN_ROUTE], `${method} ${file} is not wrapped in adminRoute()`).toBe(true);
      }
    });

    it("answers 401 JSON to every method without a staff session", async () => {
      for (const method of exported()) {
        const res = await call(file, method, { origin: APP });
        expect(res.status, `${method} ${file}`).toBe(401);
        if (method !== "HEAD")
          expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthenticated");
      }
    });

    it("refuses a viewer's change (403) and an admin's cross-site change (403)", async () => {
      const { ADMIN_CHANGE_ROLE } = await import("@/lib/admin/guard");
      for (const method of exported().filter((m) => !READS.has(m))) {
        const viewer = await call(file, method, { cookie: viewerCookie, origin: APP });
        const forViewers = (modules.get(file)?.[method] as { [ADMIN_CHANGE_ROLE]?: unknown })[ADMIN_CHANGE_ROLE];
        if (forViewers === "viewer") {
          // A change every staff member may make (VIEWER_CHANGES): past the role check, to the body's.
          expect(`${method} ${file}`).toBeOneOf(VIEWER_CHANGES);
          expect(viewer.status, `${method} ${file} as a viewer`).toBe(400);
        } else {
          expect(viewer.status, `${method} ${file} as a viewer`).toBe(403);
          expect(((await viewer.json()) as { error: { code: string } }).error.code).toBe("forbidden");
        }
        const crossSite = await call(file, method, { cookie: adminCookie, origin: "https://evil.example" });
        expect(crossSite.status, `${method} ${file} cross-site`).toBe(403);
        expect(((await crossSite.json()) as { error: { code: string } }).error.code).toBe("cross_site");
      }
    });
  });
});

describe("proxy.ts, the first line", () => {
  it("covers /admin and /api/admin", async () => {
    const { config } = await import("@/proxy");
    // Every page (for its security headers, test/proxy.test.ts) and the console's APIs.
    expect(config.matcher).toEqual([
      "/api/admin/:path*",
      "/((?!api/|_next/static/|_next/image|favicon.ico|icon.svg).*)",
    ]);
  });

  it("sends a page request without a staff session to sign-in, and answers an API request 401", async () => {
    const { proxy } = await import("@/proxy");
    const page = await proxy(
      new NextRequest(`${APP}/admin/users?q=1`, { headers: { cookie: "wcuc_session=anything" } }),
    );
    expect(page.status).toBe(307);
    expect(page.headers.get("location")).toBe(`${APP}/admin/signin?callbackUrl=%2Fadmin%2Fusers%3Fq%3D1`);
    const api = await proxy(new NextRequest(`${APP}/api/admin/whoami`));
    expect(api.status).toBe(401);
    const signIn = await proxy(new NextRequest(`${APP}/admin/signin`));
    expect(signIn.headers.get("x-middleware-next")).toBe("1");
  });

  // A static shell has no requireStaffPage(): the proxy is what keeps strangers from its HTML.
  it.each(staticShellUrls())("refuses the static shell %s without a staff session", async (pathname) => {
    const { proxy } = await import("@/proxy");
    for (const cookie of [undefined, "wcuc_staff.session-token=forged"]) {
      const res = await proxy(new NextRequest(`${APP}${pathname}`, { headers: cookie ? { cookie } : {} }));
      expect(res.status, `${pathname} with ${cookie ?? "no cookie"}`).toBe(307);
      expect(res.headers.get("location")).toBe(`${APP}/admin/signin?callbackUrl=${encodeURIComponent(pathname)}`);
    }
  });
});
