// The console's calls to its own follower routes, and how their answers read in Chinese: the route's
// message (WeChat's errcode included when WeChat refused) and, for a bulk action stopped part-way, how
// many went through. useConsoleAction is the buttons' side: busy while a call runs, then its answer.
import { useRouter } from "next/navigation";
import { useState } from "react";

export type ActionResult = { ok: true; message?: string; data?: unknown } | { ok: false; message: string };

interface ErrorBody {
  error?: { message?: string; errcode?: number; applied?: number; issues?: string[] };
}

export async function postJson(url: string, body?: unknown, method = "POST"): Promise<ActionResult> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { "content-type": "application/json", accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, message: "网络异常，请检查网络后重试。" };
  }
  const json = (await response.json().catch(() => ({}))) as ErrorBody & Record<string, unknown>;
  if (response.ok) return { ok: true, data: json };
  const error = json.error ?? {};
  let message = error.message ?? `操作失败（HTTP ${response.status}）。`;
  if (error.errcode && !message.includes(String(error.errcode))) message += `（微信错误码 ${error.errcode}）`;
  if (error.applied) message += ` 已成功处理 ${error.applied} 位，其余未修改。`;
  return { ok: false, message };
}

/**
 * A console action's state: `act` runs a call, shows its answer (`done`, or `done(data)` on success; the
 * route's message otherwise) and on success runs `onDone` (default: the page's data again, router.refresh).
 * Resolves true on success.
 */
export function useConsoleAction(onDone?: () => void) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ActionResult | null>(null);
  const act = async (call: Promise<ActionResult>, done: string | ((data: unknown) => string)) => {
    setBusy(true);
    setResult(null);
    const outcome = await call;
    setResult(outcome.ok ? { ok: true, message: typeof done === "string" ? done : done(outcome.data) } : outcome);
    setBusy(false);
    if (outcome.ok) {
      if (onDone) onDone();
      else router.refresh();
    }
    return outcome.ok;
  };
  return { busy, result, setResult, act };
}
