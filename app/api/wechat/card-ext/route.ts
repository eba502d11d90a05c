// GET ?cardId=<our id or WeChat's card_id>&outerStr=?: for the signed-in person, one entry of wx.addCard's
// cardList ({"cardId","cardExt"}, signed with the central wx_card ticket) and the card, after the card's
// state, stock and the person's get_limit are checked (409/404 in Chinese otherwise).
import { route } from "@/lib/http";
import { cardExtQuery, cardOffer } from "@/lib/cards/mine";
import { getMe } from "@/lib/me";
import { requestSession } from "@/lib/session";
import { services } from "@/lib/services";

export const dynamic = "force-dynamic";

export const GET = route({ query: cardExtQuery, personal: true }, async (request, { query }) => {
  const me = await getMe(services.auth, await requestSession(request));
  return cardOffer(services.cards, me.id, query);
});
