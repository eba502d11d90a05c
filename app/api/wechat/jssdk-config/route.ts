import { z } from "zod";
import { route } from "@/lib/http";
import { jssdkConfig } from "@/lib/token/internal";

export const dynamic = "force-dynamic";

const query = z.object({ url: z.string().min(1).max(2048) });

export const GET = route({ query }, (_request, { query }) => jssdkConfig(query.url));
