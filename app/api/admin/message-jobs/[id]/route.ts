// GET: one mass send with its live counts (pending, sent, delivered, refused, failed, skipped).
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { services } from "@/lib/services";
import { getMessageJob } from "@/lib/templates/jobs";

const params = z.object({ id: z.string().min(1).max(64) });

export const GET = adminRoute({ params }, async (_request, { params }) => ({
  job: await getMessageJob(services.messageJobs, params.id),
}));
