"use client";
// The answer to a follower action (tag, block, remark, sync), in Chinese: a status when it worked, an
// alert saying why when it did not. data-ok lets tests tell the two apart.
import type { ActionResult } from "@/app/admin/console-fetch";

export function ActionResultMessage({
  result,
  testId,
  className = "text-sm",
}: {
  result: ActionResult | null;
  testId: string;
  className?: string;
}) {
  if (!result) return null;
  return (
    <p
      role={result.ok ? "status" : "alert"}
      data-testid={testId}
      data-ok={result.ok ? "1" : "0"}
      className={`${className} ${result.ok ? "text-emerald-700" : "text-red-700"}`}
    >
      {result.message}
    </p>
  );
}
