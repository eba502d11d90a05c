// The layer rules of eslint.config.mjs (boundaries/dependencies), proven on planted imports: each
// source text below is linted as if it were a file at `path`, with the project's own config, and
// only the boundary rule's reports are counted. Nothing is written to disk.
import path from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
const RULE = "boundaries/dependencies";

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** The boundary rule's reports for `source` linted as the file `file` (relative to the root). */
async function boundaryErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(ROOT, file) });
  if (!result) throw new Error(`no lint result for ${file}`);
  expect(result.messages.filter((m) => m.fatal)).toEqual([]);
  return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

const use = (names: string) => `\nexport const used = [${names}];\n`;

describe("lib/ (the product)", () => {
  it.each([
    ["an app/ route by alias", `import { GET } from "@/app/api/me/route";${use("GET")}`],
    ["an app/ route by relative path", `import { GET } from "../../app/api/me/route";${use("GET")}`],
    ["an app/ route imported dynamically", `export const load = () => import("@/app/api/me/route");`],
    ["an app/ route re-exported", `export { GET } from "@/app/api/me/route";`],
    ["the simulator by alias", `import { startSimulator } from "@/simulator/server";${use("startSimulator")}`],
    [
      "the simulator by relative path",
      `import type { Simulator } from "../../simulator/server";${use("0 as unknown as Simulator")}`,
    ],
    ["test support by alias", `import { forEachDatabase } from "@/test/support/db";${use("forEachDatabase")}`],
    ["test support by relative path", `import { makeStaff } from "../../test/support/admin";${use("makeStaff")}`],
    ["the e2e tests", `import { SIM_URL } from "@/e2e/support/env";${use("SIM_URL")}`],
    ["an alias that resolves nowhere", `import { x } from "@/nowhere/at-all";${use("x")}`],
  ])("may not import %s", async (_what, source) => {
    const errors = await boundaryErrors("lib/admin/planted.ts", source);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("lib/ is the product");
  });

  it("may import lib/, lib/wechat/, prisma/ and packages", async () => {
    const source = [
      `import { createDb } from "@/lib/db";`,
      `import { parseEnv } from "../env";`,
      `import { WeChatOAuth } from "@/lib/wechat";`,
      `import { WeChatApiError } from "../wechat/errors";`,
      `import { DEFAULT_DATABASE_URL } from "@/prisma/database-url";`,
      `import { NextResponse } from "next/server";`,
      `import { z } from "zod";`,
      `import "server-only";`,
      use("createDb, parseEnv, WeChatOAuth, WeChatApiError, DEFAULT_DATABASE_URL, NextResponse, z"),
    ].join("\n");
    expect(await boundaryErrors("lib/admin/planted.ts", source)).toEqual([]);
  });

  it("lets unit tests beside the code use test support", async () => {
    const source = `import { forEachDatabase } from "@/test/support/db";${use("forEachDatabase")}`;
    expect(await boundaryErrors("lib/admin/planted.test.ts", source)).toEqual([]);
  });
});

describe("lib/wechat/ (the protocol)", () => {
  it.each([
    ["Next.js", `import { NextResponse } from "next/server";${use("NextResponse")}`],
    ["next-auth", `import NextAuth from "next-auth";${use("NextAuth")}`],
    ["Prisma's package", `import type { PrismaClient } from "@prisma/client";${use("0 as unknown as PrismaClient")}`],
    ["the generated Prisma client", `import { PrismaClient } from "../generated/sqlite/client";${use("PrismaClient")}`],
    ["React", `import { useState } from "react";${use("useState")}`],
    ["server-only", `import "server-only";`],
    ["another lib/ folder by alias", `import { createDb } from "@/lib/db";${use("createDb")}`],
    ["another lib/ folder by relative path", `import { parseEnv } from "../env";${use("parseEnv")}`],
    ["another lib/ folder dynamically", `export const load = () => import("@/lib/token/service");`],
    ["test support", `import { scriptedFetch } from "@/test/support/wechat/scripted-fetch";${use("scriptedFetch")}`],
  ])("may not import %s", async (_what, source) => {
    const errors = await boundaryErrors("lib/wechat/planted.ts", source);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("lib/wechat/ is the pure protocol");
  });

  it("may import lib/wechat/, node: built-ins, zod and fast-xml-parser", async () => {
    const source = [
      `import { WeChatApiError } from "./errors";`,
      `import { ApiHosts } from "@/lib/wechat/hosts";`,
      `import { createHash } from "node:crypto";`,
      `import { z } from "zod";`,
      `import { XMLParser } from "fast-xml-parser";`,
      use("WeChatApiError, ApiHosts, createHash, z, XMLParser"),
    ].join("\n");
    expect(await boundaryErrors("lib/wechat/planted.ts", source)).toEqual([]);
  });
});

describe("simulator/ (WeChat)", () => {
  it.each([
    ["lib/ by alias", `import { parseEnv } from "@/lib/env";${use("parseEnv")}`],
    ["lib/wechat/ by relative path", `import { WeChatOAuth } from "../lib/wechat";${use("WeChatOAuth")}`],
    ["app/", `import { GET } from "@/app/api/me/route";${use("GET")}`],
    ["test support", `import { START_TIME } from "@/test/support/world";${use("START_TIME")}`],
  ])("may not import %s", async (_what, source) => {
    const errors = await boundaryErrors("simulator/planted.ts", source);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("simulator/ plays WeChat");
  });

  it("may import itself and packages", async () => {
    const source = [
      `import { SIM_DEFAULTS } from "./server";`,
      `import { createServer } from "node:http";`,
      use("SIM_DEFAULTS, createServer"),
    ].join("\n");
    expect(await boundaryErrors("simulator/planted.ts", source)).toEqual([]);
  });
});

describe("test/ (test support)", () => {
  it("may import app/, lib/ and the simulator", async () => {
    const source = [
      `import { GET } from "@/app/api/me/route";`,
      `import { createDb } from "@/lib/db";`,
      `import { startSimulator } from "@/simulator/server";`,
      use("GET, createDb, startSimulator"),
    ].join("\n");
    expect(await boundaryErrors("test/support/planted.ts", source)).toEqual([]);
  });
});
