// How the static console pages read their data: GET a JSON route of /api/admin, check its answer with zod
// at this edge, and turn a 401 (session expired, account disabled or changed since the shell was served)
// into a visit to sign-in that comes back here. The answers' Chinese messages are for the page to show.
import type { z } from "zod";

export type ConsoleAnswer<T> =
  | { readonly kind: "ok"; readonly data: T }
  | { readonly kind: "error"; readonly message: string }
  /** Nothing to show: the request was cancelled, or the browser is on its way to sign-in. */
  | { readonly kind: "gone" };

interface ErrorBody {
  error?: { message?: unknown };
}

/** Sign-in, then back to this very view. */
export function signInHref(location: Pick<Location, "pathname" | "search">): string {
  return `/admin/signin?callbackUrl=${encodeURIComponent(location.pathname + location.search)}`;
}

export async function getConsoleJson<T>(
  url: string,
  schema: z.ZodType<T>,
  signal?: AbortSignal,
): Promise<ConsoleAnswer<T>> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: "application/json" }, cache: "no-store", signal });
  } catch {
    if (signal?.aborted) return { kind: "gone" };
    return { kind: "error", message: "网络异常，请检查网络后重试。" };
  }
  if (response.status === 401) {
    window.location.assign(signInHref(window.location));
    return { kind: "gone" };
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (signal?.aborted) return { kind: "gone" };
  if (!response.ok) {
    const message = (body as ErrorBody | undefined)?.error?.message;
    return {
      kind: "error",
      message: typeof message === "string" ? message : `加载失败（HTTP ${response.status}），请稍后重试。`,
    };
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) return { kind: "error", message: "服务器的回答无法识别，请刷新页面后重试。" };
  return { kind: "ok", data: parsed.data };
}
