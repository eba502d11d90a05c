// GET (Bearer INTERNAL_API_SECRET): a template message's status, with WeChat's delivery result once it came.
import { z } from "zod";
import { route } from "@/lib/http";
import { services } from "@/lib/services";
import { getOutboundMessage, internalView } from "@/lib/templates/send";
import { requireInternalCaller } from "@/lib/token/internal";

export const dynamic = "force-dynamic";

const params = z.object({ id: z.string().min(1).max(200) });

export const GET = route({ authorize: requireInternalCaller, params }, async (_request, { params }) =>
  internalView(await getOutboundMessage(services.templates, params.id)),
);
