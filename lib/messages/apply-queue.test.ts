import { describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { ApplyQueue } from "./apply-queue";
import type { MessageStore } from "./store";

function world() {
  const applied: string[][] = [];
  const reportLookups: string[][] = [];
  const store = {
    apply: async (ids: readonly string[]) => {
      applied.push([...ids]);
      return ids.map(() => ({ result: "done" as const }));
    },
  } as unknown as MessageStore;
  const db = {
    weChatEvent: {
      findMany: async (args: { where: { dedupeKey: { in: string[] } } }) => {
        reportLookups.push(args.where.dedupeKey.in);
        return [];
      },
    },
    pushNonce: { deleteMany: async () => ({ count: 0 }) },
  } as unknown as Db;
  const queue = new ApplyQueue({ db, store, appId: "wx1", now: () => new Date() }, 5);
  return { queue, applied, reportLookups };
}

describe("ApplyQueue", () => {
  it("applies a stream of pushes in batches, the delivery reports' msgids together", async () => {
    const { queue, applied, reportLookups } = world();
    const done = Array.from({ length: 30 }, (_, i) => queue.enqueue(`e${i}`, i % 3 === 0 ? `m${i}` : null));
    await Promise.all(done);
    expect(applied.flat()).toEqual(Array.from({ length: 30 }, (_, i) => `e${i}`));
    // Enqueued in one turn: one batch, not thirty.
    expect(applied).toHaveLength(1);
    expect(reportLookups).toEqual([Array.from({ length: 10 }, (_, i) => `tpl:m${i * 3}`)]);
  });

  it("waits for a batch that is not full, and drains again for pushes that come later", async () => {
    const { queue, applied } = world();
    const first = queue.enqueue("a", null);
    // The next push comes a turn of the event loop later (a request of its own): it joins the same batch.
    await new Promise((resolve) => setImmediate(resolve));
    const second = queue.enqueue("b", null);
    await Promise.all([first, second]);
    await queue.enqueue("c", null);
    expect(applied).toEqual([["a", "b"], ["c"]]);
  });

  it("takes at most 256 events in one batch", async () => {
    const { queue, applied } = world();
    await Promise.all(Array.from({ length: 600 }, (_, i) => queue.enqueue(`e${i}`, null)));
    expect(applied.map((b) => b.length)).toEqual([256, 256, 88]);
  });
});
