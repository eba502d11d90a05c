/**
 * A stand-in for the JS-SDK's `wx.addCard`, for a page that runs outside WeChat against the simulator (our
 * /cards/<id> page in development and in Playwright), on the model of the pay bridge (pay/bridge.ts).
 *
 * `GET /__sim/cards/add-card.js` defines `window.wx` when the real jweixin is absent (`config` remembered,
 * `ready` called at once, `error` never) and `wx.addCard({cardList, success, fail, cancel, complete})`:
 * it asks `POST /__sim/cards/add-card/check` what WeChat would show (each cardExt checked as WeChat checks
 * it: its signature with a wx_card ticket valid now, its timestamp, then approval, stock and get_limit;
 * nothing taken), shows a sheet with the cards and 领取 / 取消 (`data-testid` sim-card-sheet,
 * sim-card-confirm, sim-card-cancel) or, when WeChat would refuse, the reason and 关闭 (sim-card-close);
 * 领取 posts `/__sim/cards/add-card/confirm`, which takes the cards for the persona as
 * `/__sim/cards/add-card` does. The callbacks get what wx.addCard gives: `{errMsg: "addCard:ok", cardList:
 * [{cardId, cardExt, isSuccess, code}]}` (WeChat's code is encrypted; the simulator's is plain),
 * `{errMsg: "addCard:cancel"}` or `{errMsg: "addCard:fail"}`.
 *
 * The persona is the browser's WeChat user as the authorize page sees it: the sim_user cookie (sent when the
 * page and the simulator are the same site), else the selected user. Both controls answer CORS to the
 * calling origin with credentials. DOM and CSSOM only, as the pay bridge: a page's CSP needs the
 * simulator's origin in script-src and connect-src, nothing else.
 */
import type { IncomingHttpHeaders } from "node:http";
import { SimulatorInputError } from "../errors";
import { reply } from "../http/reply";
import { control, route, type ControlInput, type Route } from "../http/router";
import { currentUserKey } from "../oauth/routes";
import type { World } from "../world";
import type { Cards } from "./cards";

export const ADD_CARD_SCRIPT_PATH = "/__sim/cards/add-card.js";

/** The script, with the simulator's origin baked in. */
export function addCardScript(origin: string): string {
  return `(function () {
  "use strict";
  var SIM = ${JSON.stringify(origin)};
  function post(path, body) {
    return fetch(SIM + path, { method: "POST", credentials: "include",
      headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      .then(function (res) { return res.json(); });
  }
  function el(tag, text, style) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    for (var key in style || {}) node.style[key] = style[key];
    return node;
  }
  function sheet(build) {
    var shade = el("div", "", { position: "fixed", inset: "0", background: "rgba(0,0,0,.5)", zIndex: "2147483647",
      display: "flex", alignItems: "flex-end", justifyContent: "center", fontFamily: "system-ui, sans-serif" });
    shade.setAttribute("data-testid", "sim-card-sheet");
    var panel = el("div", "", { background: "#fff", color: "#000", width: "100%", maxWidth: "480px",
      borderRadius: "12px 12px 0 0", padding: "24px 16px", boxSizing: "border-box", textAlign: "center" });
    shade.appendChild(panel);
    build(panel, function () { shade.remove(); });
    document.body.appendChild(shade);
  }
  function button(panel, label, testid, primary, onClick) {
    var b = el("button", label, { display: "block", width: "100%", margin: "8px 0 0", padding: "12px",
      border: "0", borderRadius: "8px", fontSize: "17px", background: primary ? "#07c160" : "#f2f2f2",
      color: primary ? "#fff" : "#000" });
    b.type = "button";
    b.setAttribute("data-testid", testid);
    b.addEventListener("click", onClick);
    panel.appendChild(b);
  }
  function addCard(options) {
    options = options || {};
    var list = Array.isArray(options.cardList) ? options.cardList.map(function (c) {
      return { cardId: String(c && c.cardId), cardExt: String(c && c.cardExt) };
    }) : [];
    function finish(res) {
      var ok = res.errMsg === "addCard:ok", cancel = res.errMsg === "addCard:cancel";
      var cb = ok ? options.success : cancel ? options.cancel : options.fail;
      if (typeof cb === "function") cb(res);
      if (typeof options.complete === "function") options.complete(res);
    }
    if (list.length === 0) return finish({ errMsg: "addCard:fail" });
    post("/__sim/cards/add-card/check", { cardList: list }).then(function (info) {
      sheet(function (panel, close) {
        panel.appendChild(el("div", "添加到卡包（模拟）", { fontSize: "14px", color: "#888" }));
        if (!info.ok) {
          var why = el("p", info.reason || "添加失败", { fontSize: "17px" });
          why.setAttribute("data-testid", "sim-card-reason");
          panel.appendChild(why);
          button(panel, "关闭", "sim-card-close", false, function () { close(); finish({ errMsg: "addCard:fail" }); });
          return;
        }
        (info.cards || []).forEach(function (card) {
          panel.appendChild(el("p", card.brandName, { fontSize: "14px", color: "#888", margin: "16px 0 4px" }));
          var title = el("p", card.title, { fontSize: "20px", fontWeight: "600", margin: "0 0 8px" });
          title.setAttribute("data-testid", "sim-card-title");
          panel.appendChild(title);
        });
        if (info.nickname) panel.appendChild(el("p", "领取人：" + info.nickname, { fontSize: "13px", color: "#888" }));
        button(panel, "领取", "sim-card-confirm", true, function () {
          close();
          post("/__sim/cards/add-card/confirm", { cardList: list }).then(function (result) {
            if (result.errMsg !== "addCard:ok") return finish({ errMsg: "addCard:fail" });
            finish({ errMsg: "addCard:ok", cardList: (result.cardList || []).map(function (c, i) {
              var entry = { cardId: c.cardId, cardExt: list[i] ? list[i].cardExt : "", isSuccess: c.isSuccess };
              if (c.code) entry.code = c.code;
              return entry;
            }) });
          }, function () { finish({ errMsg: "addCard:fail" }); });
        });
        button(panel, "取消", "sim-card-cancel", false, function () { close(); finish({ errMsg: "addCard:cancel" }); });
      });
    }, function () { finish({ errMsg: "addCard:fail" }); });
  }
  var wx = window.wx || {};
  if (typeof wx.config !== "function") {
    wx.config = function (config) { wx.simConfig = config; };
    wx.ready = function (callback) { if (typeof callback === "function") callback(); };
    wx.error = function () {};
  }
  wx.addCard = addCard;
  window.wx = wx;
})();
`;
}

/** The browser's WeChat user: the one the authorize page would log in. */
function browserUser(world: World, headers: IncomingHttpHeaders) {
  const user = world.userByKey(currentUserKey(world, headers));
  if (!user) throw new SimulatorInputError("no simulator user is selected");
  return user;
}

function cardList(input: ControlInput): { cardId: string; cardExt: string }[] {
  if (!Array.isArray(input.cardList) || input.cardList.length === 0)
    throw new SimulatorInputError("cardList must be a non-empty array");
  return (input.cardList as unknown[]).map((e) => {
    const entry = (e ?? {}) as Record<string, unknown>;
    if (typeof entry.cardId !== "string" || typeof entry.cardExt !== "string")
      throw new SimulatorInputError("each cardList entry needs cardId and cardExt strings");
    return { cardId: entry.cardId, cardExt: entry.cardExt };
  });
}

/** A control the page's origin calls with the browser's cookies: CORS to that origin, with credentials. */
function browserControl(path: string, run: (input: ControlInput, headers: IncomingHttpHeaders) => unknown): Route {
  return route("any", path, async (req) => {
    const origin = typeof req.headers.origin === "string" ? req.headers.origin : "";
    const cors: Record<string, string> = origin
      ? {
          "Access-Control-Allow-Origin": origin,
          "Access-Control-Allow-Credentials": "true",
          "Access-Control-Allow-Methods": "POST",
          "Access-Control-Allow-Headers": "content-type",
          "Access-Control-Max-Age": "600",
          Vary: "Origin",
        }
      : {};
    if (req.method === "OPTIONS") return reply(204, "text/plain", "", cors);
    const answer = await control("POST", path, (input) => run(input, req.headers)).handle(req);
    return { ...answer, headers: { ...answer.headers, ...cors } };
  });
}

export function addCardBrowserRoutes(world: World, cards: Cards): Route[] {
  return [
    route(["GET"], ADD_CARD_SCRIPT_PATH, () =>
      reply(200, "application/javascript; charset=utf-8", addCardScript(world.url()), {
        "Cache-Control": "no-store",
        "Cross-Origin-Resource-Policy": "cross-origin",
      }),
    ),
    browserControl("/__sim/cards/add-card/check", (input, headers) => {
      const user = browserUser(world, headers);
      const list = cardList(input);
      const shown = [];
      for (const entry of list) {
        const checked = cards.checkCardExt(user.openid, entry.cardId, entry.cardExt);
        if (!checked.ok) return { ok: false, errcode: checked.errcode, reason: checked.reason };
        const base = (cards.card(entry.cardId)?.detail.base_info ?? {}) as Record<string, unknown>;
        shown.push({
          cardId: entry.cardId,
          title: typeof base.title === "string" ? base.title : "",
          brandName: typeof base.brand_name === "string" ? base.brand_name : "",
        });
      }
      return { ok: true, nickname: user.nickname, cards: shown };
    }),
    browserControl("/__sim/cards/add-card/confirm", (input, headers) =>
      cards.addCard({ openid: browserUser(world, headers).openid, cardList: cardList(input) }),
    ),
  ];
}
