/**
 * The wx.addCard stand-in in a real browser: a page on another origin (our /cards/<id> page's place), under
 * a strict CSP that allows only the simulator's origin, loads /__sim/cards/add-card.js and calls
 * wx.addCard with a cardExt signed by the wx_card ticket; the persona's choice on the sheet comes back as
 * wx.addCard's callbacks. Debian's Chromium, as every browser run here.
 */
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type Page } from "@playwright/test";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SIM_DEFAULTS, startSimulator, type Simulator } from "../server";
import { START_TIME } from "../test-helpers";

let sim: Simulator;
let browser: Browser;
let page: Page;
let shop: Server;
let shopUrl = "";
/** The cardList the next page load hands to wx.addCard. */
let cardList: { cardId: string; cardExt: string }[] = [];

beforeAll(async () => {
  sim = await startSimulator({
    startTime: START_TIME,
    push: { target: "http://app.test/api/wechat/message", fetch: async () => new Response("success") },
  });
  shop = createServer((_req, res) => {
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": `default-src 'none'; script-src 'unsafe-inline' ${sim.url}; connect-src ${sim.url}`,
    });
    res.end(`<!doctype html><meta charset="utf-8"><title>领券</title><body><output id="result"></output>
<script src="${sim.url}/__sim/cards/add-card.js"></script>
<script>
  wx.config({ appId: "x", timestamp: 1, nonceStr: "n", signature: "s", jsApiList: ["addCard"] });
  wx.ready(function () {
    var out = document.getElementById("result");
    var show = function (kind) { return function (res) { out.setAttribute("data-kind", kind); out.textContent = JSON.stringify(res); }; };
    wx.addCard({ cardList: ${JSON.stringify(cardList)}, success: show("success"), cancel: show("cancel"), fail: show("fail") });
  });
</script></body>`);
  });
  await new Promise<void>((resolve) => shop.listen(0, "127.0.0.1", resolve));
  shopUrl = `http://localhost:${(shop.address() as AddressInfo).port}/cards/1`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  page = await browser.newPage();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => shop.close(resolve));
  await sim.close();
});
beforeEach(() => sim.reset());

async function token(): Promise<string> {
  const query = new URLSearchParams({
    grant_type: "client_credential",
    appid: SIM_DEFAULTS.appId,
    secret: SIM_DEFAULTS.appSecret,
  });
  return ((await (await fetch(`${sim.url}/cgi-bin/token?${query}`)).json()) as { access_token: string }).access_token;
}

/** An approved GENERAL_COUPON, one per person. */
async function approvedCard(accessToken: string): Promise<string> {
  const form = new FormData();
  const png = new Uint8Array(64);
  png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  form.append("buffer", new Blob([png]), "logo.png");
  const upload = await fetch(`${sim.url}/cgi-bin/media/uploadimg?access_token=${accessToken}`, {
    method: "POST",
    body: form,
  });
  const logoUrl = ((await upload.json()) as { url: string }).url;
  const now = Math.floor(sim.now() / 1000);
  const created = await fetch(`${sim.url}/card/create?access_token=${accessToken}`, {
    method: "POST",
    body: JSON.stringify({
      card: {
        card_type: "GENERAL_COUPON",
        general_coupon: {
          base_info: {
            logo_url: logoUrl,
            brand_name: "微信书店",
            code_type: "CODE_TYPE_QRCODE",
            title: "新人礼",
            color: "Color090",
            notice: "结账时出示",
            description: "全场通用",
            date_info: { type: "DATE_TYPE_FIX_TIME_RANGE", begin_timestamp: now, end_timestamp: now + 86_400 * 30 },
            sku: { quantity: 5 },
            get_limit: 1,
          },
          default_detail: "满 50 元可用",
        },
      },
    }),
  });
  const cardId = ((await created.json()) as { card_id: string }).card_id;
  await sim.cards.decide(cardId, true);
  return cardId;
}

async function signedExt(accessToken: string, cardId: string, ticketOverride?: string): Promise<string> {
  const res = await fetch(`${sim.url}/cgi-bin/ticket/getticket?access_token=${accessToken}&type=wx_card`);
  const ticket = ticketOverride ?? ((await res.json()) as { ticket: string }).ticket;
  const timestamp = String(Math.floor(sim.now() / 1000));
  const nonce_str = `n${Math.random().toString(36).slice(2, 12)}`;
  const signature = createHash("sha1").update([ticket, timestamp, cardId, nonce_str].sort().join("")).digest("hex");
  return JSON.stringify({ timestamp, nonce_str, outer_str: "h5", signature });
}

async function open(list: typeof cardList) {
  cardList = list;
  await page.goto(shopUrl);
  await page.getByTestId("sim-card-sheet").waitFor();
}

async function result(): Promise<{ kind: string; res: Record<string, unknown> }> {
  const out = page.locator("#result");
  await expect.poll(() => out.getAttribute("data-kind")).not.toBeNull();
  return { kind: (await out.getAttribute("data-kind"))!, res: JSON.parse((await out.textContent())!) };
}

describe("wx.addCard stand-in (/__sim/cards/add-card.js)", () => {
  it("领取 takes the card for the selected persona and calls success with the code", async () => {
    sim.selectUser("lisi");
    const accessToken = await token();
    const cardId = await approvedCard(accessToken);
    const cardExt = await signedExt(accessToken, cardId);
    await open([{ cardId, cardExt }]);
    expect(await page.getByTestId("sim-card-title").textContent()).toBe("新人礼");
    await page.getByTestId("sim-card-confirm").click();
    const { kind, res } = await result();
    expect(kind).toBe("success");
    const lisi = sim.users.find((u) => u.key === "lisi")!.openid;
    const codes = sim.cards.codesOf({ openid: lisi, cardId });
    expect(codes).toHaveLength(1);
    expect(res).toEqual({
      errMsg: "addCard:ok",
      cardList: [{ cardId, cardExt, isSuccess: true, code: codes[0]!.code }],
    });
    expect(await page.getByTestId("sim-card-sheet").count()).toBe(0);
  });

  it("取消 takes nothing and calls cancel", async () => {
    const accessToken = await token();
    const cardId = await approvedCard(accessToken);
    await open([{ cardId, cardExt: await signedExt(accessToken, cardId) }]);
    await page.getByTestId("sim-card-cancel").click();
    expect(await result()).toEqual({ kind: "cancel", res: { errMsg: "addCard:cancel" } });
    expect(sim.cards.codesOf({ cardId })).toEqual([]);
  });

  it("a signature WeChat would refuse (not the wx_card ticket) shows why and calls fail", async () => {
    const accessToken = await token();
    const cardId = await approvedCard(accessToken);
    await open([{ cardId, cardExt: await signedExt(accessToken, cardId, "not-the-ticket") }]);
    expect(await page.getByTestId("sim-card-reason").textContent()).toContain("signature");
    expect(await page.getByTestId("sim-card-confirm").count()).toBe(0);
    await page.getByTestId("sim-card-close").click();
    expect(await result()).toEqual({ kind: "fail", res: { errMsg: "addCard:fail" } });
    expect(sim.cards.codesOf({ cardId })).toEqual([]);
  });

  it("past get_limit the sheet says WeChat's refusal and calls fail", async () => {
    const accessToken = await token();
    const cardId = await approvedCard(accessToken);
    const zhangsan = sim.users.find((u) => u.key === "zhangsan")!.openid;
    expect(await sim.cards.take({ openid: zhangsan, cardId })).toMatchObject({ ok: true });
    await open([{ cardId, cardExt: await signedExt(accessToken, cardId) }]);
    await page.getByTestId("sim-card-close").click();
    expect((await result()).kind).toBe("fail");
    expect(sim.cards.codesOf({ cardId })).toHaveLength(1);
  });
});
