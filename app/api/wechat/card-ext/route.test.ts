// GET /api/wechat/card-ext and GET /api/me/cards after a real login through the routes, on SQLite and
// PostgreSQL: the signed cardExt is accepted by the simulator's wx.addCard (the signature checked as WeChat
// would, with the central wx_card ticket); 我的卡券 finds the code through getcardlist when its push never
// came; then the person's get_limit refuses another cardExt. Without a session 401; a bad channel 400; a
// card not offered 404.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { CookieJar, makeRequest } from "@/test/support/cookies";
import { forEachDatabase } from "@/test/support/db";
import { simulatorCgiClient } from "@/test/support/followers/clients";
import { browserLogin, useRouteWorld } from "@/test/support/routes";
import { createCard, uploadCardLogo, type CardDeps } from "@/lib/cards/cards";
import { WeChatCards } from "@/lib/wechat/card";
import { cardTicketCall } from "@/lib/wechat/token";
import { SIM_DEFAULTS } from "@/simulator/server";

const APP = "http://localhost:3000";
type Get = (request: Request) => Promise<Response>;

forEachDatabase((_kind, database) => {
  describe("GET /api/wechat/card-ext, GET /api/me/cards", () => {
    const world = useRouteWorld(database);
    let cardExt: Get;
    let mine: Get;
    let release: Get;

    beforeAll(async () => {
      release = (await import("@/app/api/wechat/card-ext/release/route")).POST as Get;
      // The route world imported the app afresh: these share its modules (services, env).
      cardExt = (await import("@/app/api/wechat/card-ext/route")).GET as Get;
      mine = (await import("@/app/api/me/cards/route")).GET as Get;
    });

    it("signs a cardExt wx.addCard accepts, lists the code taken, then refuses past get_limit", async () => {
      const w = world();
      w.sim.push.setTarget("http://127.0.0.1:9/nobody");
      const jar = new CookieJar();
      expect((await cardExt(makeRequest(`${APP}/api/wechat/card-ext?cardId=x`, { jar }))).status).toBe(401);
      await browserLogin(w, jar, { user: "zhangsan" });
      const openid = w.sim.users.find((u) => u.key === "zhangsan")!.openid;
      // The app signs on its own (real) clock; WeChat checks the cardExt's timestamp against its own.
      w.sim.advance(Math.floor((Date.now() - w.sim.now()) / 1000));

      const cgi = simulatorCgiClient(w.sim);
      const deps: CardDeps = {
        db: w.db,
        wechat: new WeChatCards(cgi),
        appId: SIM_DEFAULTS.appId,
        now: () => new Date(),
        cardTicket: () => cgi.call(cardTicketCall),
        randomBytes: (n) => randomBytes(n),
      };
      const png = new Uint8Array(1024);
      png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const logo = await uploadCardLogo(deps, png, "admin@example.com");
      const card = await createCard(
        deps,
        {
          type: "GENERAL_COUPON",
          logoId: logo.id,
          brandName: "微信书店",
          title: "新人礼",
          color: "Color090",
          notice: "结账时出示",
          description: "全场通用",
          codeType: "CODE_TYPE_QRCODE",
          quantity: 5,
          getLimit: 1,
          canShare: false,
          canGiveFriend: false,
          date: { type: "DATE_TYPE_FIX_TERM", fixedTerm: 10, fixedBeginTerm: 0 },
          defaultDetail: "满 50 元可用",
        },
        "admin@example.com",
      );
      const pending = await cardExt(makeRequest(`${APP}/api/wechat/card-ext?cardId=${card.id}`, { jar }));
      expect(pending.status).toBe(404);
      expect(((await pending.json()) as { error: { code: string } }).error.code).toBe("card_unavailable");
      await w.sim.cards.decide(card.wxCardId, true);
      await w.db.card.update({ where: { id: card.id }, data: { reviewStatus: "VERIFY_OK" } });

      const bad = await cardExt(makeRequest(`${APP}/api/wechat/card-ext?cardId=${card.id}&outerStr=a%20b`, { jar }));
      expect(bad.status).toBe(400);

      const signed = await cardExt(makeRequest(`${APP}/api/wechat/card-ext?cardId=${card.id}&outerStr=h5`, { jar }));
      expect(signed.status).toBe(200);
      expect(signed.headers.get("cache-control")).toBe("private, no-store");
      const offer = (await signed.json()) as {
        cardId: string;
        cardExt: string;
        claimId: string;
        card: { title: string; taken: number };
      };
      expect(offer).toMatchObject({ cardId: card.wxCardId, card: { title: "新人礼", taken: 0, getLimit: 1 } });
      // A second one while the first is in wx.addCard: the place is held (get_limit 1) until given back.
      const held = await cardExt(makeRequest(`${APP}/api/wechat/card-ext?cardId=${card.id}`, { jar }));
      expect(held.status).toBe(409);
      expect(((await held.json()) as { error: { code: string } }).error.code).toBe("card_claim_pending");
      const giveBack = (claimId: string, headers: Record<string, string>) => {
        const request = makeRequest(`${APP}/api/wechat/card-ext/release`, { method: "POST", jar, headers });
        return release(new Request(request, { body: JSON.stringify({ claimId }) }));
      };
      const json = { "content-type": "application/json" };
      expect((await giveBack(offer.claimId, { ...json, origin: "https://evil.example" })).status).toBe(403);
      expect((await giveBack("", { ...json, origin: APP })).status).toBe(400);
      const given = await giveBack(offer.claimId, { ...json, origin: APP });
      expect(await given.json()).toEqual({ released: true });
      const again = await cardExt(makeRequest(`${APP}/api/wechat/card-ext?cardId=${card.id}&outerStr=h5`, { jar }));
      expect(again.status).toBe(200);
      Object.assign(offer, await again.json());

      const added = await w.sim.cards.addCard({ openid, cardList: [{ cardId: offer.cardId, cardExt: offer.cardExt }] });
      expect(added).toMatchObject({ errMsg: "addCard:ok", cardList: [{ isSuccess: true }] });
      const code = added.cardList[0]!.code!;

      // The take's push never reached us: our list is empty until WeChat's is asked.
      const before = (await (await mine(makeRequest(`${APP}/api/me/cards`, { jar }))).json()) as { cards: unknown[] };
      expect(before.cards).toEqual([]);
      const after = (await (await mine(makeRequest(`${APP}/api/me/cards?topUp=1`, { jar }))).json()) as {
        cards: { code: string; stateLabel: string; usable: boolean; card: { id: string } }[];
        toppedUp: number;
      };
      expect(after.toppedUp).toBe(1);
      expect(after.cards).toEqual([
        expect.objectContaining({
          code,
          stateLabel: "可用",
          usable: true,
          card: expect.objectContaining({ id: card.id }),
        }),
      ]);

      const limit = await cardExt(makeRequest(`${APP}/api/wechat/card-ext?cardId=${card.wxCardId}`, { jar }));
      expect(limit.status).toBe(409);
      expect(((await limit.json()) as { error: { code: string; message: string } }).error).toMatchObject({
        code: "card_get_limit",
        message: "每人限领 1 张，你已经领过了。",
      });
    });
  });
});
