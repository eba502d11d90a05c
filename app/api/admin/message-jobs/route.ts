// GET: the mass sends of template messages, newest first, with their counts.
// POST {"templateId","data","url"?,"miniprogram"?,"recipients":{"type":"tag","tagId"}|{"type":"query","query"}}:
// make one (the recipients fixed now) and start it; 201 with the job and its recipient count.
import { adminRoute } from "@/lib/admin/guard";
import { services } from "@/lib/services";
import { createMessageJob, listMessageJobs, messageJobInput } from "@/lib/templates/jobs";

export const GET = adminRoute(async () => ({ jobs: await listMessageJobs(services.messageJobs) }));

export const POST = adminRoute({ body: messageJobInput, status: 201 }, async (_request, { staff, body }) => {
  const job = await createMessageJob(services.messageJobs, services.jobs, body, staff.email);
  return { job, count: job.counts.total };
});
