// The console's calls to its own follower routes, and how their answers read in Chinese: the route's
// message (WeChat's errcode included when WeChat refused) and, for a bulk action stopped part-way, how
// many went through.
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
