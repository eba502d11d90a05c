// The central access_token server on the dashboard, in an operator's words: is the token fine (正常,
// 即将刷新, 已过期), is the automatic refresh running, how many fetches today against WeChat's daily limit,
// and what failed lately. The technical details (APIs, versions, fingerprints, the leader's node id) are
// folded under 技术详情 for whoever debugs it. Live (a few small queries), plain HTML: no client code.
import { services } from "@/lib/services";
import { env } from "@/lib/env";
import { shanghaiClock } from "@/lib/admin/stats";
import { credentialHealth, type CredentialHealth } from "@/lib/token/health";
import { tokenStatus } from "@/lib/token/status";
import { describeWeChatError } from "@/lib/wechat/errors";

const numbers = new Intl.NumberFormat("zh-CN");
const count = (n: number) => numbers.format(n);

/** What each credential is for, as staff know it. */
const KIND_LABEL: Record<string, string> = {
  access_token: "接口调用令牌",
  jsapi_ticket: "网页 JS 接口票据",
  card_ticket: "卡券接口票据",
};
/** Which credential a fetch API renews. */
const API_LABEL: Record<string, string> = {
  stable: "接口调用令牌",
  classic: "接口调用令牌",
  stable_force: "强制刷新令牌",
  ticket: "网页 JS 接口票据",
  card_ticket: "卡券接口票据",
};
/** The API's name in WeChat's documentation, for the details. */
const API_NAME: Record<string, string> = {
  stable: "cgi-bin/stable_token",
  classic: "cgi-bin/token",
  stable_force: "cgi-bin/stable_token（force_refresh）",
  ticket: "cgi-bin/ticket/getticket（jsapi）",
  card_ticket: "cgi-bin/ticket/getticket（wx_card）",
};

const HEALTH: Record<CredentialHealth, { label: string; className: string }> = {
  ok: { label: "正常", className: "bg-emerald-50 text-emerald-800" },
  refreshing: { label: "即将刷新", className: "bg-amber-50 text-amber-800" },
  expired: { label: "已过期", className: "bg-red-50 text-red-800" },
  invalidated: { label: "已失效，正在重新获取", className: "bg-red-50 text-red-800" },
};

/** What to do about a failed fetch, by the errcode's action (lib/wechat/errors.ts). */
const ACTION_HINT: Record<string, string> = {
  fix_config: "请检查公众号配置（AppID、AppSecret、IP 白名单）",
  quota: "已达微信每日调用上限，次日恢复",
  retry: "微信暂时繁忙，会自动重试",
};

function duration(seconds: number): string {
  const s = Math.abs(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)} 小时 ${Math.floor((s % 3600) / 60)} 分`;
  if (s >= 60) return `${Math.floor(s / 60)} 分钟`;
  return `${s} 秒`;
}

export async function TokenStatusCard() {
  const status = await tokenStatus(services.db, services.app.appId, new Date());
  const api = env().WECHAT_TOKEN_API === "stable" ? "stable" : "classic";
  // Today's fetches that staff care about: the token's own API, and any other that was used today.
  const fetches = status.fetchesToday.filter((f) => f.api === api || f.ok + f.failed > 0);
  const leaderActive = status.leader?.active ?? false;
  return (
    <section
      aria-labelledby="token-status-title"
      className="rounded-xl bg-white p-4 shadow-sm"
      data-testid="token-status"
    >
      <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="token-status-title" className="text-sm font-medium">
          微信接口令牌
        </h2>
        <span
          className="text-xs text-neutral-600"
          data-testid="token-status-refresher"
          data-active={leaderActive ? "1" : "0"}
          title="令牌由一台服务器在过期前自动刷新，其他服务器共用同一个令牌。"
        >
          自动刷新：{leaderActive ? "运行中" : "未运行（下次调用微信时获取）"}
        </span>
      </div>
      <dl className="grid grid-cols-[7rem_1fr] gap-x-3 gap-y-2 text-sm">
        {status.credentials.length === 0 ? (
          <>
            <dt className="text-neutral-600">令牌状态</dt>
            <dd data-testid="token-status-empty">尚未获取（第一次调用微信接口时自动获取）</dd>
          </>
        ) : (
          status.credentials.map((c) => {
            const health = HEALTH[credentialHealth(c)];
            return (
              <div key={c.kind} className="contents" data-testid={`token-status-${c.kind}`}>
                <dt className="text-neutral-600">
                  {c.kind === "access_token" ? "令牌状态" : (KIND_LABEL[c.kind] ?? "其他凭证")}
                </dt>
                <dd className="flex flex-wrap items-center gap-x-2 gap-y-1">
                  <span
                    className={`rounded px-1.5 py-0.5 text-xs font-medium ${health.className}`}
                    data-testid="token-health"
                    data-health={credentialHealth(c)}
                  >
                    {health.label}
                  </span>
                  <span className="tabular-nums">
                    {c.expiresInSeconds > 0
                      ? `剩余 ${duration(c.expiresInSeconds)}`
                      : `已过期 ${duration(c.expiresInSeconds)}`}
                    <span className="text-neutral-600">（{duration(c.ageSeconds)}前获取）</span>
                  </span>
                </dd>
              </div>
            );
          })
        )}
        <dt className="text-neutral-600">今日已获取</dt>
        <dd className="flex flex-col gap-0.5 tabular-nums" data-testid="token-status-fetches">
          {fetches.map((f) => (
            <span key={f.api} data-api={f.api}>
              {fetches.length > 1 && <span className="text-neutral-600">{API_LABEL[f.api] ?? f.api}：</span>}
              {count(f.ok)} 次<span className="text-neutral-600"> / 上限 {count(f.limit)}</span>
              {f.failed > 0 && <span className="ml-2 text-red-700">失败 {count(f.failed)} 次</span>}
            </span>
          ))}
        </dd>
        {status.lastErrors.length > 0 && (
          <>
            <dt className="text-neutral-600">最近失败</dt>
            <dd>
              <ul className="flex flex-col gap-0.5 text-red-700" data-testid="token-status-errors">
                {status.lastErrors.map((e) => {
                  const info = e.errcode === null ? null : describeWeChatError(e.errcode);
                  const hint = info ? ACTION_HINT[info.action] : "网络不通或超时，会自动重试";
                  return (
                    <li key={`${e.at.toISOString()}-${e.instance}`} title={info ? info.meaning : undefined}>
                      {shanghaiClock(e.at)} 获取{KIND_LABEL[e.kind] ?? "凭证"}失败
                      {e.errcode !== null && `（微信错误码 ${e.errcode}）`}
                      {hint && `：${hint}`}
                    </li>
                  );
                })}
              </ul>
            </dd>
          </>
        )}
      </dl>
      <details className="mt-3 text-xs text-neutral-600" data-testid="token-status-details">
        <summary className="cursor-pointer select-none">技术详情</summary>
        <dl className="mt-2 grid grid-cols-[7rem_1fr] gap-x-3 gap-y-1 wrap-anywhere">
          <dt>获取接口</dt>
          <dd className="font-mono">{API_NAME[api]}</dd>
          {status.credentials.map((c) => (
            <div key={c.kind} className="contents">
              <dt className="font-mono">{c.kind}</dt>
              <dd>
                第 {count(c.version)} 版，指纹 <span className="font-mono">{c.fingerprint}</span>，来自{" "}
                <span className="font-mono">{c.source}</span>，获取于 {shanghaiClock(c.fetchedAt)}
              </dd>
            </div>
          ))}
          <dt>负责刷新的节点</dt>
          <dd data-testid="token-status-leader">
            {status.leader ? (
              <>
                <span className="font-mono">{status.leader.holder}</span>，自 {shanghaiClock(status.leader.since)}
                {status.leader.active ? "" : "（租约已过期）"}
              </>
            ) : (
              "无"
            )}
          </dd>
          {status.fetchesToday.map((f) => (
            <div key={f.api} className="contents">
              <dt className="font-mono">{f.api}</dt>
              <dd className="tabular-nums">
                今日成功 {count(f.ok)}、失败 {count(f.failed)}，每日上限 {count(f.limit)}
              </dd>
            </div>
          ))}
          {status.lastErrors.map((e) => (
            <div key={`${e.at.toISOString()}-${e.instance}-raw`} className="contents">
              <dt>{shanghaiClock(e.at)}</dt>
              <dd className="font-mono">
                {e.kind} {e.api} {e.errcode ?? "network"} {e.errmsg} @ {e.instance}
              </dd>
            </div>
          ))}
        </dl>
      </details>
    </section>
  );
}
