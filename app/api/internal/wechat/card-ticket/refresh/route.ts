import { internalRefresh } from "@/lib/token/internal";

export const dynamic = "force-dynamic";

export const POST = internalRefresh("card_ticket");
