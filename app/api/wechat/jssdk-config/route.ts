import { z } from "zod";
import { AppError, errorResponse } from "@/lib/errors";
import { jssdkConfig } from "@/lib/token/internal";

export const dynamic = "force-dynamic";

const query = z.object({ url: z.string().min(1).max(2048) });

export async function GET(request: Request): Promise<Response> {
  try {
    const parsed = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!parsed.success) throw new AppError("bad_request", { detail: "url is required" });
    return Response.json(await jssdkConfig(parsed.data.url), { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return errorResponse(err, { route: "jssdk_config" });
  }
}
