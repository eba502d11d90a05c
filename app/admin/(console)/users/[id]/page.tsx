// /admin/users/[id]: one person: profile, identities (with whether the web token can still be
// refreshed, never the token), subscription and remark, the latest logins. Every id (ours, the unionid,
// each openid) is shown one way: in full, fixed-width, with a copy button (app/admin/copyable-id.tsx).
import { notFound } from "next/navigation";
import { z } from "zod";
import { requireStaffPage } from "@/lib/admin/guard";
import { formatShanghai, getUserDetail, LOGIN_HISTORY_LIMIT, summarizeUserAgent } from "@/lib/admin/user-detail";
import { services } from "@/lib/services";
import { Avatar } from "@/app/ui";
import { BackLink } from "@/app/admin/back-link";
import { CopyableId } from "@/app/admin/copyable-id";
import { Timeline } from "./timeline";
import { FollowerPanel } from "./follower-panel";
import { Messages } from "./messages";

export const dynamic = "force-dynamic";

const params = z.object({ id: z.string().min(1).max(64) });
// The list's query string, handed over by the list so that "返回" lands on the same page of results.
const search = z.object({ from: z.string().max(2000).optional().catch(undefined) });

const SEX: Record<number, string> = { 0: "未知", 1: "男", 2: "女" };
const SCOPE: Record<string, string> = { snsapi_base: "静默授权", snsapi_userinfo: "资料授权" };

const time = (date: Date | null) => (date ? formatShanghai(date) : "—");
const scopeText = (scope: string) => `${SCOPE[scope] ?? scope}（${scope}）`;

export default async function UserPage(props: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireStaffPage();
  const parsed = params.safeParse(await props.params);
  if (!parsed.success) notFound();
  const user = await getUserDetail(services.app, parsed.data.id);
  if (!user) notFound();
  const { from } = search.parse(await props.searchParams);
  // Only ever a query string on the list's own path: `from` can never point elsewhere.
  const query = from ? new URLSearchParams(from).toString() : "";
  const backHref = query ? `/admin/users?${query}` : "/admin/users";

  const name = user.nickname || "微信用户";
  const region = [user.country, user.province, user.city].filter(Boolean).join(" ") || "—";

  return (
    <div className="flex flex-col gap-6">
      <div>
        <BackLink href={backHref} testId="back-to-list">
          返回用户列表
        </BackLink>
      </div>

      <Section title="资料" testId="profile">
        <div className="flex items-start gap-4">
          <Avatar src={user.headimgurl} name={name} size={72} />
          <div className="min-w-0">
            <h1 className="truncate text-xl font-semibold" data-testid="user-nickname">
              {name}
            </h1>
            <p className="mt-1 text-xs text-neutral-500">
              用户 ID <CopyableId value={user.id} testId="user-id" />
            </p>
          </div>
        </div>
        <dl className="mt-4 grid grid-cols-[8rem_1fr] gap-x-4 gap-y-2 text-sm">
          <Field label="性别" testId="user-sex">
            {user.sex === null ? "—" : (SEX[user.sex] ?? "未知")}
          </Field>
          <Field label="地区" testId="user-region">
            {region}
          </Field>
          <Field label="UnionID">
            <CopyableId value={user.unionid} testId="user-unionid" wrap />
          </Field>
          <Field label="授权范围" testId="user-scope">
            {scopeText(user.scope)}
          </Field>
          <Field label="资料授权时间" testId="user-userinfo-at">
            {time(user.userinfoAt)}
          </Field>
          <Field label="注册时间" testId="user-created-at">
            {time(user.createdAt)}
          </Field>
          <Field label="最近登录" testId="user-last-login-at">
            {/* A follower seen only by a sync or a subscribe push has no login: lastLoginAt is when we first saw them. */}
            {user.logins.length === 0 ? "从未登录" : time(user.lastLoginAt)}
          </Field>
          <Field label="快照页访问次数" testId="user-snapshot-attempts">
            {user.snapshotAttempts}
          </Field>
        </dl>
      </Section>

      <Section title="公众号关注" testId="subscription">
        <dl className="grid grid-cols-[8rem_1fr] gap-x-4 gap-y-2 text-sm">
          <Field label="是否关注" testId="user-subscribed">
            {user.subscribed === null ? "未知" : user.subscribed ? "是" : "否"}
          </Field>
          <Field label="关注时间" testId="user-subscribed-at">
            {time(user.subscribedAt)}
          </Field>
        </dl>
        <FollowerPanel userId={user.id} />
      </Section>

      <Messages userId={user.id} hasOpenid={user.identities.some((i) => i.appid === services.app.appId)} />

      <Timeline userId={user.id} />

      <Section title={`身份（${user.identities.length}）`} testId="identities">
        {user.identities.length === 0 ? (
          <p className="text-sm text-neutral-500">没有身份记录。</p>
        ) : (
          <Table head={["AppID", "OpenID", "授权范围", "创建时间", "最近登录", "网页授权可刷新"]}>
            {user.identities.map((identity) => (
              <tr key={`${identity.appid}/${identity.openid}`} data-testid="identity" className="align-top">
                <Cell testId="identity-appid" mono>
                  {identity.appid}
                </Cell>
                <Cell>
                  <CopyableId value={identity.openid} testId="identity-openid" />
                </Cell>
                <Cell testId="identity-scope">{scopeText(identity.scope)}</Cell>
                <Cell>{time(identity.createdAt)}</Cell>
                {/* An identity first seen in a push or a sync has a row but no web login (no web token ever). */}
                <Cell testId="identity-last-login">
                  {identity.refreshTokenExpiresAt === null ? "从未登录" : time(identity.lastLoginAt)}
                </Cell>
                <Cell testId="identity-refreshable">
                  {identity.refreshable ? "是" : "否"}
                  {identity.refreshTokenExpiresAt && (
                    <span className="block text-xs text-neutral-500">
                      {identity.refreshable ? "有效期至" : "已于"} {time(identity.refreshTokenExpiresAt)}
                      {identity.refreshable ? "" : " 到期或已清除"}
                    </span>
                  )}
                </Cell>
              </tr>
            ))}
          </Table>
        )}
      </Section>

      <Section title={`登录记录（最近 ${LOGIN_HISTORY_LIMIT} 次）`} testId="logins">
        {user.logins.length === 0 ? (
          <p className="text-sm text-neutral-500">没有登录记录。</p>
        ) : (
          <Table head={["时间（北京时间）", "授权范围", "设备", "IP"]}>
            {user.logins.map((login) => (
              <tr key={login.id} data-testid="login" className="align-top">
                <Cell testId="login-time">{time(login.createdAt)}</Cell>
                <Cell testId="login-scope">{SCOPE[login.scope] ?? login.scope}</Cell>
                <Cell testId="login-user-agent">
                  <span title={login.userAgent ?? undefined}>{summarizeUserAgent(login.userAgent)}</span>
                </Cell>
                <Cell testId="login-ip" mono>
                  {login.ip ?? "—"}
                </Cell>
              </tr>
            ))}
          </Table>
        )}
      </Section>
    </div>
  );
}

function Section({ title, testId, children }: { title: string; testId: string; children: React.ReactNode }) {
  return (
    <section className="rounded-xl bg-white p-5 shadow-sm" data-testid={testId} aria-label={title}>
      <h2 className="mb-3 text-sm font-medium text-neutral-600">{title}</h2>
      {children}
    </section>
  );
}

function Field({ label, testId, children }: { label: string; testId?: string; children: React.ReactNode }) {
  return (
    <>
      <dt className="text-neutral-500">{label}</dt>
      <dd data-testid={testId} className="min-w-0">
        {children}
      </dd>
    </>
  );
}

function Table({ head, children }: { head: string[]; children: React.ReactNode }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <thead className="text-xs text-neutral-500">
          <tr>
            {head.map((h) => (
              <th key={h} scope="col" className="py-2 pr-4 font-normal whitespace-nowrap">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-neutral-100">{children}</tbody>
      </table>
    </div>
  );
}

function Cell({ testId, mono = false, children }: { testId?: string; mono?: boolean; children: React.ReactNode }) {
  return (
    // Never broken: on a phone the table scrolls sideways in its card rather than stacking an openid in
    // columns of six characters.
    <td data-testid={testId} className={`py-2 pr-4 whitespace-nowrap ${mono ? "font-mono text-xs" : ""}`}>
      {children}
    </td>
  );
}
