import { internalRefresh } from "@/lib/token/internal";

export const dynamic = "force-dynamic";

export const POST = (request: Request) => internalRefresh(request, "jsapi_ticket");
