// /admin/messages/[id]: one mass send, its live progress (sent, delivered, refused, failed, skipped) and
// pause / resume / cancel for admins.
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { requireStaffPage } from "@/lib/admin/guard";
import { AppError } from "@/lib/errors";
import { services } from "@/lib/services";
import { getMessageJob } from "@/lib/templates/jobs";
import { listTemplates } from "@/lib/templates/templates";
import { JobProgress } from "./job-progress";

export const dynamic = "force-dynamic";

const params = z.object({ id: z.string().min(1).max(64) });

export default async function MessageJobPage(props: { params: Promise<{ id: string }> }) {
  const staff = await requireStaffPage();
  const parsed = params.safeParse(await props.params);
  if (!parsed.success) notFound();
  const job = await getMessageJob(services.messageJobs, parsed.data.id).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "message_job_not_found") notFound();
    throw error;
  });
  const { templates } = await listTemplates(services.templates);
  const title = templates.find((t) => t.templateId === job.templateId)?.title ?? job.templateId;
  return (
    <div className="flex flex-col gap-4">
      <Link href="/admin/messages" className="text-sm text-neutral-500 hover:text-neutral-800">
        ← 返回群发列表
      </Link>
      <h1 className="text-xl font-semibold">群发：{title}</h1>
      <JobProgress initial={job} canEdit={staff.role === "admin"} />
    </div>
  );
}
