// The cards specs' helpers: the simulator's card controls over HTTP (simulator/README.md, "Cards and
// coupons"), and a coupon made through the console's API as the 新建卡券 form makes it.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, type APIRequestContext } from "@playwright/test";
import { E2E_ENCODING_AES_KEY, E2E_MESSAGE_TOKEN, SIM_URL } from "../support/env";

export const CARD_LOGO_PNG = path.join(import.meta.dirname, "fixtures", "card-logo.png");

async function simPost<T>(route: string, body: unknown): Promise<T> {
  const res = await fetch(`${SIM_URL}${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`simulator POST ${route}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * Pushes WeChat makes by itself (a card's review) go to this project's app, signed with its Token and key;
 * reviews wait for the test's decision (no delay to sleep through).
 */
export async function cardsToThisApp(appOrigin: string): Promise<void> {
  await simPost("/__sim/push/target", {
    target: `${appOrigin}/api/wechat/message`,
    token: E2E_MESSAGE_TOKEN,
    encodingAesKey: E2E_ENCODING_AES_KEY,
  });
  await simPost("/__sim/cards/review-mode", { mode: "manual" });
}

/** WeChat's reviewer decides the card now; resolves once its push was answered by the app. */
export async function reviewCard(wxCardId: string, pass: boolean, refuseReason?: string): Promise<void> {
  const answer = await simPost<{ ok: boolean }>("/__sim/cards/review", { cardId: wxCardId, pass, refuseReason });
  expect(answer.ok).toBe(true);
}

/** A persona takes the card (as by scanning its QR code): the user_get_card push reaches the app. */
export async function takeCard(appOrigin: string, openid: string, wxCardId: string): Promise<string> {
  const answer = await simPost<{ ok: boolean; code?: string; reason?: string }>("/__sim/cards/take", {
    openid,
    cardId: wxCardId,
    target: `${appOrigin}/api/wechat/message`,
    token: E2E_MESSAGE_TOKEN,
    encodingAesKey: E2E_ENCODING_AES_KEY,
    mode: "aes",
  });
  expect(answer.ok, answer.reason).toBe(true);
  return answer.code!;
}

export interface MadeCard {
  id: string;
  wxCardId: string;
  title: string;
}

/** A 代金券 made as an admin makes one (logo upload, then the draft), signed in on `request`. */
export async function createCardByApi(
  request: APIRequestContext,
  appOrigin: string,
  title = "十元代金券",
): Promise<MadeCard> {
  const headers = { origin: appOrigin };
  const uploaded = await request.post("/api/admin/card-logos", {
    headers,
    multipart: { logo: { name: "logo.png", mimeType: "image/png", buffer: readFileSync(CARD_LOGO_PNG) } },
  });
  expect(uploaded.status(), await uploaded.text()).toBe(201);
  const { logo } = (await uploaded.json()) as { logo: { id: string } };
  const now = Math.floor(Date.now() / 1000);
  const created = await request.post("/api/admin/cards", {
    headers,
    data: {
      type: "CASH",
      logoId: logo.id,
      brandName: "示例咖啡",
      title,
      color: "Color010",
      notice: "请出示二维码核销卡券",
      description: "全场通用。",
      codeType: "CODE_TYPE_QRCODE",
      quantity: 100,
      getLimit: 2,
      canShare: true,
      canGiveFriend: false,
      date: { type: "DATE_TYPE_FIX_TIME_RANGE", beginTimestamp: now - 3600, endTimestamp: now + 30 * 86_400 },
      leastCost: 0,
      reduceCost: 1000,
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { card } = (await created.json()) as { card: MadeCard };
  return card;
}
