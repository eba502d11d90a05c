// /admin/messages (群发): the mass sends of template messages, newest first, with where each stands.
import Link from "next/link";
import { requireStaffPage } from "@/lib/admin/guard";
import { formatShanghai } from "@/lib/admin/user-detail";
import { services } from "@/lib/services";
import { listMessageJobs } from "@/lib/templates/jobs";
import { listTemplates } from "@/lib/templates/templates";
import { STATE_LABEL } from "./state";

export const dynamic = "force-dynamic";

const COUNT = new Intl.NumberFormat("zh-CN");

export default async function MessageJobsPage() {
  const staff = await requireStaffPage();
  const [jobs, { templates }] = await Promise.all([
    listMessageJobs(services.messageJobs),
    listTemplates(services.templates),
  ]);
  const titles = new Map(templates.map((t) => [t.templateId, t.title]));
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">群发模板消息</h1>
          <p className="mt-1 text-sm text-neutral-500">
            按标签或用户列表的筛选条件，给一批关注者发送同一条模板消息；可暂停、继续或取消，每人最多收到一次。
          </p>
        </div>
        {staff.role === "admin" && (
          <Link
            href="/admin/messages/new"
            // `!`: Ant Design's reset colours every <a> (blue, no background) outside Tailwind's layers.
            className="shrink-0 rounded-md bg-emerald-600! px-3 py-1.5 text-sm text-white! hover:bg-emerald-700!"
            data-testid="message-job-new"
          >
            新建群发
          </Link>
        )}
      </div>
      <section aria-label="群发列表" className="rounded-xl bg-white p-5 shadow-sm">
        {jobs.length === 0 ? (
          <p className="text-sm text-neutral-500" data-testid="message-jobs-empty">
            还没有群发。
          </p>
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="text-neutral-500">
              <tr className="[&>th]:py-2 [&>th]:pr-4 [&>th]:font-normal [&>th]:whitespace-nowrap">
                <th>模板</th>
                <th>状态</th>
                <th>人数</th>
                <th>已送达</th>
                {/* A phone has no room for it: there it goes under the template's title. */}
                <th className="hidden sm:table-cell">创建</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-neutral-100">
              {jobs.map((j) => {
                const created = `${formatShanghai(new Date(j.createdAt))} · ${j.createdBy}`;
                return (
                  <tr
                    key={j.id}
                    data-testid="message-job-row"
                    data-state={j.state}
                    className="align-top [&>td]:py-2 [&>td]:pr-4"
                  >
                    <td>
                      <Link href={`/admin/messages/${j.id}`} className="text-emerald-700! hover:underline">
                        {titles.get(j.templateId) ?? j.templateId}
                      </Link>
                      <span className="block text-xs break-all text-neutral-500 sm:hidden">{created}</span>
                    </td>
                    <td className="whitespace-nowrap">{STATE_LABEL[j.state]}</td>
                    <td className="tabular-nums">{COUNT.format(j.counts.total)}</td>
                    <td className="tabular-nums">{COUNT.format(j.counts.delivered)}</td>
                    <td className="hidden text-neutral-500 sm:table-cell">{created}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
