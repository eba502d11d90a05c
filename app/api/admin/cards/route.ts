// GET: the account's cards with their counts. POST: a card made on WeChat (card/create) from a draft
// (lib/wechat/card's CardDraft, camelCase) with `logoId` from POST /api/admin/card-logos; every rule is
// checked first, each problem answered on its field (422 wechat_rejected with `problems` and `fields`).
import { adminRoute } from "@/lib/admin/guard";
import { createCard, createCardBody, listCards } from "@/lib/cards/cards";
import { services } from "@/lib/services";

export const GET = adminRoute(async () => ({ cards: await listCards(services.cards) }));

export const POST = adminRoute({ body: createCardBody, status: 201 }, async (_request, { staff, body }) => ({
  card: await createCard(services.cards, body, staff.email),
}));
