// GET ?topUp=1: 我的卡券, the signed-in person's codes with their states; with topUp, WeChat's list of the
// person's card pack (card/user/getcardlist) is asked first for codes whose push we missed.
import { z } from "zod";
import { route } from "@/lib/http";
import { myCards } from "@/lib/cards/mine";
import { getMe } from "@/lib/me";
import { requestSession } from "@/lib/session";
import { services } from "@/lib/services";

export const dynamic = "force-dynamic";

const query = z.object({ topUp: z.enum(["0", "1"]).optional() });

export const GET = route({ query, personal: true }, async (request, { query }) => {
  const me = await getMe(services.auth, await requestSession(request));
  return myCards(services.cards, me.id, { topUp: query.topUp === "1" });
});
