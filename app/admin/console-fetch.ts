// The console's one way to call its /api/admin routes from the browser: JSON both ways, the answer checked
// with zod when a schema is given, and a failure turned into the route's Chinese message (with WeChat's
// errcode, the reasons of a 400, and how many of a bulk action went through). A read answered 401 (the
// session expired, or the account was disabled or changed since the page was served) becomes a visit to
// sign-in that comes back to this very view; a change answered 401 says so where the button is.
// useConsoleAction is the buttons' side: busy while a call runs, then its answer.
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { z } from "zod";

export type ConsoleAnswer<T> =
  | { readonly kind: "ok"; readonly data: T }
  | {
      readonly kind: "error";
      readonly message: string;
      /** A bulk action's: how many went through before or despite the refusal, and whom WeChat refused. */
      readonly applied?: number;
      readonly refused?: readonly string[];
      /** A form's 422: each problem on its field (the route's `fields`). */
      readonly fields?: readonly { readonly field: string; readonly message: string }[];
    }
  /** Nothing to show: the request was cancelled, or the browser is on its way to sign-in. */
  | { readonly kind: "gone" };

interface ErrorBody {
  error?: {
    message?: unknown;
    errcode?: number;
    applied?: number;
    issues?: string[];
    refused?: { userId?: unknown }[];
    fields?: unknown;
  };
}

/** Sign-in, then back to this very view. */
export function signInHref(location: Pick<Location, "pathname" | "search">): string {
  return `/admin/signin?callbackUrl=${encodeURIComponent(location.pathname + location.search)}`;
}

function errorMessage(body: ErrorBody | undefined, status: number, read: boolean): string {
  const error = body?.error ?? {};
  const text = [typeof error.message === "string" ? error.message : null, ...(error.issues ?? [])].filter(Boolean);
  let message = text.join(" ") || (read ? `加载失败（HTTP ${status}），请稍后重试。` : `操作失败（HTTP ${status}）。`);
  if (error.errcode && !message.includes(String(error.errcode))) message += `（微信错误码 ${error.errcode}）`;
  if (error.applied) message += ` 已成功处理 ${error.applied} 位，其余未修改。`;
  return message;
}

export async function consoleFetch<T = unknown>(
  url: string,
  options: { method?: string; body?: unknown; schema?: z.ZodType<T>; signal?: AbortSignal } = {},
): Promise<ConsoleAnswer<T>> {
  const { body, schema, signal, method = body === undefined ? "GET" : "POST" } = options;
  const read = method === "GET";
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers:
        body === undefined
          ? { accept: "application/json" }
          : { "content-type": "application/json", accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      signal,
    });
  } catch {
    if (signal?.aborted) return { kind: "gone" };
    return { kind: "error", message: "网络异常，请检查网络后重试。" };
  }
  if (read && response.status === 401) {
    window.location.assign(signInHref(window.location));
    return { kind: "gone" };
  }
  const json: unknown = await response.json().catch(() => undefined);
  if (signal?.aborted) return { kind: "gone" };
  if (!response.ok) {
    const error = (json as ErrorBody | undefined)?.error;
    const refused = Array.isArray(error?.refused)
      ? error.refused.map((r) => r.userId).filter((id): id is string => typeof id === "string")
      : undefined;
    const fields = Array.isArray(error?.fields)
      ? (error.fields as unknown[]).filter(
          (f): f is { field: string; message: string } =>
            typeof (f as { field?: unknown })?.field === "string" &&
            typeof (f as { message?: unknown })?.message === "string",
        )
      : undefined;
    return {
      kind: "error",
      message: errorMessage(json as ErrorBody | undefined, response.status, read),
      ...(typeof error?.applied === "number" ? { applied: error.applied } : {}),
      ...(refused ? { refused } : {}),
      ...(fields ? { fields } : {}),
    };
  }
  if (!schema) return { kind: "ok", data: json as T };
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { kind: "error", message: "服务器的回答无法识别，请刷新页面后重试。" };
  return { kind: "ok", data: parsed.data };
}

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
