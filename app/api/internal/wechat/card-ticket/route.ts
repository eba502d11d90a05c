import { internalRead } from "@/lib/token/internal";

export const dynamic = "force-dynamic";

export const GET = internalRead("card_ticket");
