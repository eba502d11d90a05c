// /admin/messages/[id]: one mass send, its live progress (sent, delivered, refused, failed, skipped) and
// pause / resume / cancel for admins.
import { notFound } from "next/navigation";
import { z } from "zod";
import { BackLink } from "@/app/admin/back-link";
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
      <div className="flex flex-col">
        <BackLink href="/admin/messages">返回群发列表</BackLink>
        <h1 className="text-xl font-semibold">群发：{title}</h1>
      </div>
      <JobProgress initial={job} canEdit={staff.role === "admin"} />
    </div>
  );
}
