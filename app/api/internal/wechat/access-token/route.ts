import { internalRead } from "@/lib/token/internal";

export const dynamic = "force-dynamic";

export const GET = (request: Request) => internalRead(request, "access_token");
