// The central access_token server on the dashboard: each credential's age and time to expiry, the
// leader, fetches today against WeChat's limits, and the last errors. Live (a few small queries).
import { services } from "@/lib/services";
import { env } from "@/lib/env";
import { shanghaiClock } from "@/lib/admin/stats";
import { tokenStatus } from "@/lib/token/status";

const KIND_LABEL: Record<string, string> = { access_token: "access_token", jsapi_ticket: "jsapi_ticket" };

function duration(seconds: number): string {
  const s = Math.abs(seconds);
  const text =
    s >= 3600
      ? `${Math.floor(s / 3600)} 小时 ${Math.floor((s % 3600) / 60)} 分`
      : `${Math.floor(s / 60)} 分 ${s % 60} 秒`;
  return seconds < 0 ? `已过期 ${text}` : text;
}

export async function TokenStatusCard() {
  const status = await tokenStatus(services.db, services.app.appId, new Date());
  return (
    <section aria-label="中控服务器" className="rounded-xl bg-white p-4 shadow-sm" data-testid="token-status">
      <h2 className="mb-2 text-sm font-medium">
        中控服务器（access_token，{env().WECHAT_TOKEN_API === "stable" ? "stable_token" : "token"} 接口）
      </h2>
      {status.credentials.length === 0 ? (
        <p className="text-sm text-neutral-500" data-testid="token-status-empty">
          尚未获取：第一次调用时获取，之后由主节点提前刷新。
        </p>
      ) : (
        <table className="w-full text-left text-sm tabular-nums">
          <thead className="text-xs text-neutral-500">
            <tr>
              <th scope="col">凭证</th>
              <th scope="col">已获取</th>
              <th scope="col">剩余</th>
              <th scope="col">版本</th>
              <th scope="col">指纹</th>
            </tr>
          </thead>
          <tbody>
            {status.credentials.map((c) => (
              <tr key={c.kind} data-testid={`token-status-${c.kind}`}>
                <th scope="row" className="font-mono text-xs">
                  {KIND_LABEL[c.kind] ?? c.kind}
                  {c.invalidatedAt && <span className="ml-1 text-red-600">（已报告失效）</span>}
                </th>
                <td>{duration(c.ageSeconds)}</td>
                <td>{duration(c.expiresInSeconds)}</td>
                <td>v{c.version}</td>
                <td className="font-mono text-xs">{c.fingerprint}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <dl className="mt-3 grid grid-cols-[6rem_1fr] gap-y-1 text-sm">
        <dt className="text-neutral-500">主节点</dt>
        <dd className="break-all font-mono text-xs" data-testid="token-status-leader">
          {status.leader
            ? `${status.leader.holder}${status.leader.active ? "" : "（租约已过期）"}，自 ${shanghaiClock(status.leader.since)}`
            : "无"}
        </dd>
        <dt className="text-neutral-500">今日获取</dt>
        <dd data-testid="token-status-fetches">
          {status.fetchesToday.map((f) => (
            <span key={f.api} className="mr-3">
              {f.api}: {f.ok} / {f.limit}
              {f.failed > 0 && <span className="text-red-600">（失败 {f.failed}）</span>}
            </span>
          ))}
        </dd>
      </dl>
      {status.lastErrors.length > 0 && (
        <ul className="mt-2 space-y-1 text-xs text-red-700" data-testid="token-status-errors">
          {status.lastErrors.map((e) => (
            <li key={`${e.at.toISOString()}-${e.instance}`}>
              {shanghaiClock(e.at)} {e.kind} {e.api} {e.errcode ?? "网络"} {e.errmsg}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
