// PATCH {"resolved": true}: an incident of this order marked resolved by the signed-in admin (once: a
// second staff member sees who did it first). 404 pay_incident_not_found for another order's or none.
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { resolveIncident } from "@/lib/admin/order-detail";
import { services } from "@/lib/services";

const params = z.object({ id: z.string().min(1).max(64), incidentId: z.string().min(1).max(64) });
const body = z.object({ resolved: z.literal(true, "只能把异常标记为已处理（resolved: true）") }).strict();

export const PATCH = adminRoute({ params, body }, async (_request, { staff, params }) =>
  resolveIncident(services.app, params.id, params.incidentId, staff.email),
);
