// `npm run wechat:sync-followers` killed for real (SIGKILL, no cleanup) after its second checkpoint, then
// run again: it resumes the same run from the saved next_openid once the dead process's lease has run out,
// and finishes with everyone stored. On SQLite and PostgreSQL, against the in-process simulator.
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { generatedOpenid } from "@/simulator/cgi/followers";
import { startSimulator, type Simulator } from "@/simulator/server";

const ROOT = path.resolve(import.meta.dirname, "../..");

forEachDatabase((_kind, database) => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.close());

  /** Runs the CLI; `killAfter` checkpoint lines it is SIGKILLed. Resolves with its stderr. */
  function cli(killAfter?: number): Promise<{ code: number | null; signal: string | null; output: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        // One process (tsx as a loader, not its CLI, which runs the script in a child): SIGKILL reaches it.
        ["--conditions=react-server", "--import", "tsx/esm", "prisma/scripts/sync-followers.ts", "--no-wait"],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            DATABASE_URL: database().url,
            WECHAT_API_BASE: sim.url,
            WECHAT_API_BACKUP_BASE: sim.url,
            WECHAT_OAUTH_BASE: sim.url,
            WCUC_LOG: "silent",
            NODE_ENV: "development",
          },
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      let output = "";
      child.stderr.on("data", (chunk: Buffer) => {
        output += chunk.toString("utf8");
        if (killAfter !== undefined && (output.match(/^checkpoint: /gm) ?? []).length >= killAfter) {
          child.kill("SIGKILL");
        }
      });
      child.once("error", reject);
      child.once("exit", (code, signal) => resolve({ code, signal, output }));
    });
  }

  it("a killed CLI run is resumed by the next one from its checkpoint", { timeout: 120_000 }, async () => {
    const { db } = database();
    sim.followers.configure({ count: 3000, fixtures: false, pageSize: 500 });
    const killed = await cli(2);
    expect(killed.signal).toBe("SIGKILL");
    const run = await db.syncRun.findFirstOrThrow({ where: { kind: "followers" } });
    expect(run.status).toBe("running");
    expect(run.cursor).not.toBe("");
    expect(run.listed % 500).toBe(0);

    // A new process is someone else: the dead one's lease blocks it until it runs out.
    const blocked = await cli();
    expect(blocked.code).toBe(1);
    expect(blocked.output).toContain("follower sync held by");
    await db.lease.update({ where: { name: "sync:followers" }, data: { leaseUntil: new Date(Date.now() - 1000) } });

    sim.clearRequests();
    const resumed = await cli();
    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.output).toContain(`resuming follower sync ${run.id}`);
    const asked = sim.requests().filter((r) => r.path === "/cgi-bin/user/get");
    expect(asked[0]?.query.next_openid).toBe(run.cursor);
    expect(await db.user.count({ where: { subscribed: true } })).toBe(3000);
    expect(await db.syncRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({
      status: "done",
      listed: 3000,
      cursor: generatedOpenid(2999),
    });
  });
});
