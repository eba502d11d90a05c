// The suite's `test`: every test starts from an empty database and a reset simulator (its clock,
// scripted failures, recorded requests and selected user are shared by all projects), in a fresh
// browser context. Page objects come ready-made.
import { test as base, expect } from "@playwright/test";
import { SimClient } from "./sim";
import { SIM_URL } from "./support/env";
import { connectTestDatabase, type TestDatabase } from "./support/database";
import { MePage } from "./pages/me-page";
import { SimulatorConsent } from "./pages/simulator-consent";
import { ErrorPage } from "./pages/error-page";
import { OpenInWeChatPage, SnapshotPage } from "./pages/other-pages";

export interface WorkerOptions {
  /** The DATABASE_URL of the app under test (set per project in playwright.config.ts). */
  databaseUrl: string;
}

interface WorkerFixtures {
  testDatabase: TestDatabase;
}

interface TestFixtures {
  sim: SimClient;
  /** The app's origin, e.g. http://localhost:3100. */
  appOrigin: string;
  cleanSlate: void;
  me: MePage;
  consent: SimulatorConsent;
  errorPage: ErrorPage;
  snapshotPage: SnapshotPage;
  openInWeChat: OpenInWeChatPage;
}

export const test = base.extend<TestFixtures, WorkerOptions & WorkerFixtures>({
  databaseUrl: ["", { option: true, scope: "worker" }],
  testDatabase: [
    async ({ databaseUrl }, provide) => {
      if (!databaseUrl) throw new Error("the project sets no databaseUrl");
      const db = await connectTestDatabase(databaseUrl);
      await provide(db);
      await db.close();
    },
    { scope: "worker" },
  ],
  sim: async ({}, provide) => {
    await provide(new SimClient(SIM_URL));
  },
  appOrigin: async ({ baseURL }, provide) => {
    if (!baseURL) throw new Error("the project sets no baseURL");
    await provide(new URL(baseURL).origin);
  },
  cleanSlate: [
    async ({ sim, testDatabase }, provide) => {
      await sim.reset();
      await testDatabase.empty();
      await provide();
    },
    { auto: true },
  ],
  me: async ({ page, appOrigin }, provide) => provide(new MePage(page, appOrigin)),
  consent: async ({ page }, provide) => provide(new SimulatorConsent(page, new URL(SIM_URL).origin)),
  errorPage: async ({ page, appOrigin }, provide) => provide(new ErrorPage(page, appOrigin)),
  snapshotPage: async ({ page, appOrigin }, provide) => provide(new SnapshotPage(page, appOrigin)),
  openInWeChat: async ({ page, appOrigin }, provide) => provide(new OpenInWeChatPage(page, appOrigin)),
});

export { expect };
