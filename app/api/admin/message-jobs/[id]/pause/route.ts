// POST: pause a queued or running send (the batch under way finishes first). 409 from any other state.
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { services } from "@/lib/services";
import { pauseMessageJob } from "@/lib/templates/jobs";

const params = z.object({ id: z.string().min(1).max(64) });

export const POST = adminRoute({ params }, async (_request, { params }) => ({
  job: await pauseMessageJob(services.messageJobs, params.id),
}));
