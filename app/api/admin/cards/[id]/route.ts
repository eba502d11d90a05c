// GET: a card's page ({"card","counts","daily"}). PATCH {"sync":true}: the card read again from WeChat
// (card/get: review, stock, deletion). DELETE: card/delete, then ours.
import { adminRoute } from "@/lib/admin/guard";
import { cardIdParams, cardPage, deleteCard, patchCardBody, syncCard } from "@/lib/cards/cards";
import { services } from "@/lib/services";

export const GET = adminRoute({ params: cardIdParams }, async (_request, { params }) =>
  cardPage(services.cards, params.id),
);

export const PATCH = adminRoute({ params: cardIdParams, body: patchCardBody }, async (_request, { params }) => ({
  card: await syncCard(services.cards, params.id),
}));

export const DELETE = adminRoute({ params: cardIdParams }, async (_request, { params }) => ({
  card: await deleteCard(services.cards, params.id),
}));
