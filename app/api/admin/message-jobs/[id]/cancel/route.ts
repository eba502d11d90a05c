// POST: cancel a send; whoever was not sent to yet is skipped. 409 from any other state.
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { services } from "@/lib/services";
import { cancelMessageJob } from "@/lib/templates/jobs";

const params = z.object({ id: z.string().min(1).max(64) });

export const POST = adminRoute({ params }, async (_request, { params }) => ({
  job: await cancelMessageJob(services.messageJobs, params.id),
}));
