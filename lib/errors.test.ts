import { afterEach, describe, expect, it, vi } from "vitest";
import { log } from "@/lib/log";
import { AppError, reportError } from "./errors";

afterEach(() => vi.restoreAllMocks());

/** What Prisma throws on a unique violation: a code, and a message of many lines. */
function duplicateKey(): Error {
  const error = new Error(
    "\nInvalid `prisma.autoReply.create()` invocation in\n/app/lib/messages/auto-replies.ts:80:5\n\n  77 ...\n→ 80 await db.autoReply.create(\nUnique constraint failed on the fields: (`keyword`)",
  );
  return Object.assign(error, { code: "P2002" });
}

describe("reportError", () => {
  it("logs an expected refusal (409, 422) as one line: its code and gist, no stack", () => {
    const warn = vi.spyOn(log, "warn").mockImplementation(() => {});
    reportError(new AppError("auto_reply_exists", { cause: duplicateKey() }), { route: "/api/admin/auto-replies" });
    expect(warn).toHaveBeenCalledTimes(1);
    const [event, fields] = warn.mock.calls[0] ?? [];
    expect(event).toBe("request_refused");
    expect(fields).toMatchObject({
      code: "auto_reply_exists",
      status: 409,
      cause: "P2002: Unique constraint failed on the fields: (`keyword`)",
    });
    expect(fields).not.toHaveProperty("stack");
    expect(JSON.stringify(fields)).not.toContain("\\n");
  });

  it("keeps the stack of a failure (5xx), where it is needed", () => {
    const error = vi.spyOn(log, "error").mockImplementation(() => {});
    reportError(new AppError("internal", { cause: new Error("boom") }));
    expect(error.mock.calls[0]?.[1]).toMatchObject({
      code: "internal",
      cause: "boom",
      stack: expect.stringContaining("boom"),
    });
  });
});
