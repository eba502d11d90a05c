// POST {claimId}: the person cancelled wx.addCard (or WeChat refused the cardExt): the get_limit place the
// cardExt held is given back at once instead of when it expires. Only the signed-in person's own claim.
import { route } from "@/lib/http";
import { releaseCardClaim, releaseClaimBody } from "@/lib/cards/mine";
import { getMe } from "@/lib/me";
import { requestSession } from "@/lib/session";
import { services } from "@/lib/services";

export const dynamic = "force-dynamic";

export const POST = route({ body: releaseClaimBody, sameOrigin: true, personal: true }, async (request, { body }) => {
  const me = await getMe(services.auth, await requestSession(request));
  return releaseCardClaim(services.cards, me.id, body.claimId);
});
