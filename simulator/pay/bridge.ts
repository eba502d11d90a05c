/**
 * A stand-in for WeixinJSBridge, for a page that runs outside WeChat against the simulator (the cashier in
 * development and in Playwright). `WeixinJSBridge.invoke('getBrandWCPayRequest', params, cb)` asks the
 * simulator what WeChat would show (`/__sim/pay/sheet`: paySign, appId and prepay_id checked as WeChat's
 * client checks them), shows a pay sheet with the order's description and amount and three buttons, 支付 /
 * 取消 / 失败 (`data-testid` sim-pay-confirm, sim-pay-cancel, sim-pay-fail), and reports the payer's choice
 * through `/__sim/pay/confirm` to `cb({err_msg})` as WeChat does. Parameters WeChat would refuse show the
 * reason and a 关闭 button (sim-pay-close), then `:fail`. It fires `WeixinJSBridgeReady` once loaded.
 *
 * Built with the DOM only (textContent, CSSOM styles): no markup from data, nothing a page's CSP forbids
 * besides loading this script and connecting to the simulator's origin.
 */
export function bridgeScript(origin: string): string {
  return `(function () {
  "use strict";
  var SIM = ${JSON.stringify(origin)};
  function post(path, body) {
    return fetch(SIM + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      .then(function (res) { return res.json(); });
  }
  function el(tag, text, style) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    for (var key in style || {}) node.style[key] = style[key];
    return node;
  }
  function yuan(fen) {
    return "¥" + Math.floor(fen / 100) + "." + String(fen % 100).padStart(2, "0");
  }
  function sheet(build) {
    var shade = el("div", "", { position: "fixed", inset: "0", background: "rgba(0,0,0,.5)", zIndex: "2147483647",
      display: "flex", alignItems: "flex-end", justifyContent: "center", fontFamily: "system-ui, sans-serif" });
    shade.setAttribute("data-testid", "sim-pay-sheet");
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
  function invoke(name, params, callback) {
    var done = function (errMsg) { if (typeof callback === "function") callback({ err_msg: errMsg }); };
    if (name !== "getBrandWCPayRequest") return done(name + ":fail");
    post("/__sim/pay/sheet", { bridge: params }).then(function (info) {
      sheet(function (panel, close) {
        panel.appendChild(el("div", "微信支付（模拟）", { fontSize: "14px", color: "#888" }));
        if (!info.ok) {
          panel.appendChild(el("p", info.reason || "支付失败", { fontSize: "17px" }));
          button(panel, "关闭", "sim-pay-close", false, function () { close(); done("get_brand_wcpay_request:fail"); });
          return;
        }
        panel.appendChild(el("p", info.description, { fontSize: "15px", margin: "16px 0 4px" }));
        var amount = el("p", yuan(info.total), { fontSize: "32px", fontWeight: "600", margin: "0 0 16px" });
        amount.setAttribute("data-testid", "sim-pay-amount");
        panel.appendChild(amount);
        var choose = function (outcome) {
          return function () {
            close();
            post("/__sim/pay/confirm", { bridge: params, outcome: outcome }).then(
              function (result) { done(result.errMsg || "get_brand_wcpay_request:fail"); },
              function () { done("get_brand_wcpay_request:fail"); }
            );
          };
        };
        button(panel, "支付", "sim-pay-confirm", true, choose("success"));
        button(panel, "取消", "sim-pay-cancel", false, choose("cancel"));
        button(panel, "失败", "sim-pay-fail", false, choose("fail"));
      });
    }, function () { done("get_brand_wcpay_request:fail"); });
  }
  window.WeixinJSBridge = { invoke: invoke };
  document.dispatchEvent(new Event("WeixinJSBridgeReady"));
})();
`;
}
