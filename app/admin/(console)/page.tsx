// /admin: the dashboard. Figures come from lib/admin/stats (aggregated in the database, cached for a
// minute); each chart is also written out as a visually hidden table for screen readers and tests.
import { requireStaffPage } from "@/lib/admin/guard";
import { dashboardStats, shanghaiClock, type NamedCount } from "@/lib/admin/stats";
import { Chart } from "./charts";
import { TokenStatusCard } from "./token-status";
import { dailyOption, donutOption, provincesOption } from "./dashboard-charts";

export const dynamic = "force-dynamic";

// One formatter: toLocaleString() with a locale builds a new one on every call.
const numbers = new Intl.NumberFormat("zh-CN");
const count = (n: number) => numbers.format(n);
const yuan = (fen: number) => `¥${numbers.format(Math.floor(fen / 100))}.${String(fen % 100).padStart(2, "0")}`;
const share = (part: number, total: number) => (total > 0 ? `${((part / total) * 100).toFixed(1)}%` : "—");

export default async function DashboardPage() {
  await requireStaffPage();
  const { value: stats } = await dashboardStats();
  const { totals, daily } = stats;
  const today = daily.at(-1);

  return (
    <div className="flex flex-col gap-6">
      <header className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">概览</h1>
        <p className="text-xs text-neutral-500" data-testid="stats-computed-at">
          数据更新于 {shanghaiClock(stats.computedAt)}（每分钟更新）
        </p>
      </header>

      <section aria-label="总数" className="grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-7">
        <NumberCard testId="total-users" label="用户总数" value={count(totals.users)} />
        <NumberCard
          testId="total-userinfo"
          label="已授权资料"
          value={share(totals.userinfo, totals.users)}
          detail={`${count(totals.userinfo)} 人`}
        />
        <NumberCard
          testId="total-unionid"
          label="有 UnionID"
          value={share(totals.unionid, totals.users)}
          detail={`${count(totals.unionid)} 人`}
        />
        <NumberCard testId="total-subscribed" label="已关注公众号" value={count(totals.subscribed)} />
        <NumberCard
          testId="today"
          label="今日新增 / 登录"
          value={`${count(today?.newUsers ?? 0)} / ${count(today?.logins ?? 0)}`}
        />
        <NumberCard
          testId="paid-today"
          label="今日收款（北京时间）"
          value={yuan(stats.paidToday.amount)}
          detail={`${count(stats.paidToday.count)} 笔`}
        />
        <NumberCard
          testId="total-snapshot-attempts"
          label="快照页访问（30 天）"
          value={count(totals.snapshotAttempts)}
        />
      </section>

      <TokenStatusCard />

      <ChartCard title="近 30 天新增用户与登录">
        <Chart option={dailyOption(daily)} label="近 30 天每日新增用户与登录次数折线图" testId="chart-daily" />
        {/* In a box of its own: "sr-only" on the table itself would not hold it to 1 px (a table is at least as
            tall as its rows), and its 30 hidden rows made the document taller than the console, so the
            side menu scrolled away at the bottom of the page. */}
        <div className="sr-only">
          <table data-testid="table-daily">
            <caption>近 30 天每日新增用户与登录次数</caption>
            <thead>
              <tr>
                <th scope="col">日期</th>
                <th scope="col">新增用户</th>
                <th scope="col">登录次数</th>
              </tr>
            </thead>
            <tbody>
              {daily.map((d) => (
                <tr key={d.day}>
                  <th scope="row">{d.day}</th>
                  <td>{d.newUsers}</td>
                  <td>{d.logins}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </ChartCard>

      <div className="grid gap-6 lg:grid-cols-2 xl:grid-cols-3">
        <ChartCard title="授权范围">
          <Chart option={donutOption("授权范围", stats.scopes)} label="用户授权范围占比环形图" testId="chart-scopes" />
          <CountTable caption="用户授权范围" items={stats.scopes} total={totals.users} testId="table-scopes" />
        </ChartCard>
        <ChartCard title="性别">
          <Chart option={donutOption("性别", stats.sex)} label="用户性别占比环形图" testId="chart-sex" />
          <CountTable caption="用户性别" items={stats.sex} total={totals.users} testId="table-sex" />
        </ChartCard>
        <ChartCard title="省份 Top 10" note={`另有 ${count(stats.withoutProvince)} 人无省份信息`}>
          {stats.provinces.length === 0 ? (
            // An empty chart was an axis and nothing else: say why there is nothing to draw.
            <p
              className="flex h-[280px] items-center justify-center text-center text-sm text-neutral-600"
              data-testid="provinces-empty"
            >
              还没有省份数据：静默授权的用户和关注者名单不带地区，用户授权资料后才有。
            </p>
          ) : (
            <>
              <Chart option={provincesOption(stats.provinces)} label="用户省份分布柱状图" testId="chart-provinces" />
              <CountTable
                caption="用户省份分布（前 10 名及其他）"
                items={stats.provinces}
                total={totals.users - stats.withoutProvince}
                testId="table-provinces"
              />
            </>
          )}
        </ChartCard>
      </div>
    </div>
  );
}

function NumberCard({
  label,
  value,
  detail,
  testId,
}: {
  label: string;
  value: string;
  detail?: string;
  testId: string;
}) {
  return (
    <div className="rounded-xl bg-white p-4 shadow-sm" data-testid={testId}>
      <p className="text-xs text-neutral-500">{label}</p>
      <p className="mt-1 text-2xl font-semibold tabular-nums">{value}</p>
      {detail && <p className="mt-0.5 text-xs text-neutral-500 tabular-nums">{detail}</p>}
    </div>
  );
}

function ChartCard({ title, note, children }: { title: string; note?: string; children: React.ReactNode }) {
  return (
    <section className="min-w-0 rounded-xl bg-white p-4 shadow-sm">
      <h2 className="mb-2 text-sm font-medium">{title}</h2>
      {children}
      {note && <p className="mt-2 text-xs text-neutral-500">{note}</p>}
    </section>
  );
}

function CountTable({
  caption,
  items,
  total,
  testId,
}: {
  caption: string;
  items: readonly NamedCount[];
  total: number;
  testId: string;
}) {
  return (
    <div className="sr-only">
      <table data-testid={testId}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">类别</th>
            <th scope="col">人数</th>
            <th scope="col">占比</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.key}>
              <th scope="row">{item.label}</th>
              <td>{item.count}</td>
              <td>{share(item.count, total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
