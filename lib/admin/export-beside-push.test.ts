// A CSV export of a large table must not hold the process: WeChat gives a push 5 s, and an export reads
// page after page on the synchronous SQLite driver. A push that arrives while an export runs is answered
// before the export ends. On SQLite and PostgreSQL.
import { beforeAll, describe, expect, it } from "vitest";
import { dialectOf } from "@/lib/db";
import { forEachDatabase } from "@/test/support/db";
import { MovableClock, pushXml, signPush, testMessageDeps } from "@/test/support/messages";
import { receivePush } from "@/lib/messages/endpoint";
import { exportUsersCsv, type UserListDeps } from "./users";

const USERS = 3000;
const PAGE = 50;

forEachDatabase((_kind, database) => {
  let deps: UserListDeps;

  beforeAll(async () => {
    const { db } = database();
    deps = { db, dialect: dialectOf(db), appId: "wx5e1f0c0de0000001" };
    const t0 = Date.UTC(2026, 0, 1);
    await db.user.createMany({
      data: Array.from({ length: USERS }, (_, i) => ({
        id: `exp${String(i).padStart(6, "0")}`,
        nickname: `用户${i}`,
        scope: "snsapi_base",
        createdAt: new Date(t0 + i * 1000),
        lastLoginAt: new Date(t0 + i * 1000),
      })),
    });
  });

  describe("CSV export beside a push", () => {
    it("answers the push before the export of the whole table ends", async () => {
      const order: string[] = [];
      const exported = (async () => {
        const reader = exportUsersCsv(deps, { sort: "created", dir: "desc" }, PAGE).getReader();
        let rows = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          rows += new TextDecoder().decode(value).split("\r\n").length - 1;
        }
        order.push("export");
        return rows;
      })();
      const push = signPush(pushXml({ content: "你好", msgId: "9000000001" }));
      const answered = receivePush(testMessageDeps(database(), new MovableClock()), push.params, push.body).then(
        (outcome) => {
          order.push("push");
          return outcome;
        },
      );
      const [rows, outcome] = await Promise.all([exported, answered]);
      // The header and every user.
      expect(rows).toBe(USERS + 1);
      expect(outcome).toBeDefined();
      expect(order).toEqual(["push", "export"]);
    });
  });
});
