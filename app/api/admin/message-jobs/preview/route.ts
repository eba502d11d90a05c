// GET ?type=tag&tagId=N | ?type=query&query=<the user list's query string>: how many people a mass send
// would go to, and how many of them would be skipped (unfollowed, blacklisted), before anything is made.
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { services } from "@/lib/services";
import { countRecipients, recipientsInput } from "@/lib/templates/jobs";

const query = z
  .object({ type: z.string(), tagId: z.coerce.number().optional(), query: z.string().optional() })
  .transform((q) => (q.type === "tag" ? { type: q.type, tagId: q.tagId } : { type: q.type, query: q.query ?? "" }))
  .pipe(recipientsInput);

export const GET = adminRoute({ query }, async (_request, { query }) => ({
  count: await countRecipients(services.messageJobs, query),
}));
