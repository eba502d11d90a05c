// The console buttons' side of a call (app/admin/console-fetch.ts): busy while it runs, then its answer
// in Chinese, and the page's data again on success.
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ConsoleAnswer } from "@/app/admin/console-fetch";

export type ActionResult = { ok: true; message?: string } | { ok: false; message: string };

/**
 * A console action's state: `act` runs a call, shows its answer (`done`, or `done(data)` on success; the
 * route's message otherwise) and on success runs `onDone` (default: the page's data again, router.refresh).
 * Resolves true on success.
 */
export function useConsoleAction(onDone?: () => void) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ActionResult | null>(null);
  const act = async (call: Promise<ConsoleAnswer<unknown>>, done: string | ((data: unknown) => string)) => {
    setBusy(true);
    setResult(null);
    const outcome = await call;
    const ok = outcome.kind === "ok";
    if (ok) setResult({ ok, message: typeof done === "string" ? done : done(outcome.data) });
    else if (outcome.kind === "error") setResult({ ok, message: outcome.message });
    setBusy(false);
    if (ok) {
      if (onDone) onDone();
      else router.refresh();
    }
    return ok;
  };
  return { busy, result, setResult, act };
}
