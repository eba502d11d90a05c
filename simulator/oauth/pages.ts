/**
 * HTML of the simulated open.weixin.qq.com pages: the error page, the silent-redirect page, the
 * consent page, and the test users' avatars.
 */
import { createHash } from "node:crypto";
import { htmlReply, type Reply } from "../http/reply";
import type { TestUser } from "../users";
import type { AuthorizeError, AuthorizeRequest } from "./authorize";

export const CONFIRM_PATH = "/connect/oauth2/authorize/confirm";

function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** JSON that is safe inside a <script> element (no `</script>`, no line separators). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:-apple-system,BlinkMacSystemFont,"PingFang SC","Helvetica Neue","Microsoft YaHei",sans-serif;background:#ededed;color:#191919;font-size:16px;-webkit-text-size-adjust:100%}
.page{max-width:480px;margin:0 auto;min-height:100vh;background:#fff;padding:48px 24px 32px}
.msg{text-align:center;padding-top:24px}
.icon-warn{width:64px;height:64px;border-radius:50%;background:#fa5151;color:#fff;font-size:40px;line-height:64px;margin:0 auto 24px;font-weight:bold}
.msg h1{font-size:20px;font-weight:500;margin:0 0 16px}
.msg p{color:rgba(0,0,0,.55);margin:8px 0;word-break:break-all}
.app{text-align:center;margin-bottom:24px}
.app .logo{width:56px;height:56px;border-radius:12px;background:#07c160;color:#fff;font-size:28px;line-height:56px;margin:0 auto 12px}
.app h1{font-size:17px;font-weight:500;margin:0 0 8px}
.app p{margin:0;color:rgba(0,0,0,.9);font-size:20px;font-weight:500}
fieldset{border:0;margin:0 0 24px;padding:0}
legend{color:rgba(0,0,0,.55);font-size:14px;margin-bottom:8px}
.user{display:flex;align-items:center;gap:12px;padding:12px 4px;border-bottom:1px solid rgba(0,0,0,.1);cursor:pointer}
.user input{margin:0;width:20px;height:20px;accent-color:#07c160}
.avatar{width:40px;height:40px;border-radius:4px;flex:none;object-fit:cover;background:#c8c8c8;display:flex;align-items:center;justify-content:center;color:#fff}
.user .nick{flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.user .tag{font-size:12px;color:rgba(0,0,0,.45)}
.buttons{display:flex;flex-direction:column;gap:16px;align-items:center}
button{width:184px;padding:12px 0;border:0;border-radius:8px;font-size:17px;font-weight:500;background:#f2f2f2;color:#06ae56}
button.primary{background:#07c160;color:#fff}
`;

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,maximum-scale=1,user-scalable=no">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<div class="page">
${body}
</div>
</body>
</html>`;
}

interface ErrorBlock {
  readonly message: string;
  readonly code?: string | undefined;
  readonly testId: string;
  /** Rendered hidden, with this element id, for the script to reveal. */
  readonly hiddenId?: string;
}

function errorBlock(block: ErrorBlock): string {
  const attrs = [
    `class="msg"`,
    `data-testid="${block.testId}"`,
    block.code ? `data-code="${escapeHtml(block.code)}"` : "",
    block.hiddenId ? `id="${block.hiddenId}" hidden` : "",
  ].filter(Boolean);
  return `<div ${attrs.join(" ")}>
<div class="icon-warn">!</div>
<h1>Oops! Something went wrong:(</h1>
<p data-testid="sim-error-message">${escapeHtml(block.message)}</p>
${block.code ? `<p data-testid="sim-error-code">错误码：${escapeHtml(block.code)}</p>` : ""}
</div>`;
}

/** The page WeChat shows for a bad authorize link (served with HTTP 200, as WeChat does). */
export function renderErrorPage(error: Pick<AuthorizeError, "code" | "message">): string {
  const code = error.code === undefined ? undefined : String(error.code);
  return layout("微信网页授权", errorBlock({ message: error.message, code, testId: "sim-error" }));
}

/** WeChat shows authorize errors as a page with HTTP 200; X-Sim-Error lets tests tell them apart. */
export function errorPageReply(error: AuthorizeError): Reply {
  return htmlReply(renderErrorPage(error), {
    "X-Sim-Error": error.code !== undefined ? String(error.code) : error.reason,
  });
}

/**
 * `#wechat_redirect` is a fragment, so the server never sees it. What WeChat's client does with a
 * link that lacks it is to fail; the page reproduces that in the browser: nothing proceeds unless
 * the fragment is there. `proceed` is the script that runs when it is.
 */
function gatedPage(title: string, content: string, data: unknown, proceed: string): string {
  return layout(
    title,
    `<div id="sim-app" hidden>
${content}
</div>
${errorBlock({
  message: "链接缺少 #wechat_redirect，微信无法打开此授权链接",
  testId: "sim-gate-error",
  hiddenId: "sim-gate-error",
})}
<script id="sim-data" type="application/json">${scriptJson(data)}</script>
<script>
(function () {
  var data = JSON.parse(document.getElementById("sim-data").textContent);
  if (location.hash !== "#wechat_redirect") {
    document.getElementById("sim-gate-error").hidden = false;
    return;
  }
  document.getElementById("sim-app").hidden = false;
  ${proceed}
})();
</script>`,
  );
}

/** snsapi_base: silent. The code is already minted; the script only navigates. */
export function renderRedirectPage(target: string): string {
  return gatedPage(
    "微信网页授权",
    `<div class="msg" data-testid="sim-redirecting"><p>正在跳转…</p></div>`,
    { target },
    "location.replace(data.target);",
  );
}

export interface ConsentPageInput {
  readonly appName: string;
  readonly request: AuthorizeRequest;
  readonly users: readonly TestUser[];
  readonly selectedKey: string;
}

function avatarMarkup(user: TestUser): string {
  if (user.headimgurl === "") return `<span class="avatar" aria-hidden="true">?</span>`;
  return `<img class="avatar" src="${escapeHtml(user.headimgurl)}" alt="">`;
}

/** snsapi_userinfo: the consent page, with a chooser of the test users. */
export function renderConsentPage(input: ConsentPageInput): string {
  const { request } = input;
  const hidden: Array<[string, string]> = [
    ["appid", request.appid],
    ["redirect_uri", request.redirectUri],
    ["response_type", request.responseType],
    ["scope", request.scope],
  ];
  // Absent and empty state differ (an absent state is not echoed back), so the field is omitted.
  if (request.state !== undefined) hidden.push(["state", request.state]);

  const users = input.users
    .map(
      (user) => `<label class="user" data-testid="sim-user-${escapeHtml(user.key)}">
<input type="radio" name="user" value="${escapeHtml(user.key)}"${user.key === input.selectedKey ? " checked" : ""}>
${avatarMarkup(user)}
<span class="nick">${escapeHtml(user.nickname)}</span>
<span class="tag">${user.snapshot ? "快照页" : user.unionid ? "有 unionid" : "无 unionid"}</span>
</label>`,
    )
    .join("\n");

  const content = `<div class="app">
<div class="logo" aria-hidden="true">微</div>
<h1>${escapeHtml(input.appName)}</h1>
<p data-testid="sim-consent-title">请求获取你的昵称、头像</p>
</div>
<form method="post" action="${CONFIRM_PATH}">
${hidden.map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`).join("\n")}
<fieldset>
<legend>模拟器：选择以哪位测试用户身份授权</legend>
${users}
</fieldset>
<div class="buttons">
<button type="submit" name="action" value="allow" class="primary" data-testid="sim-allow">允许</button>
<button type="submit" name="action" value="deny" data-testid="sim-deny">拒绝</button>
</div>
</form>`;

  return gatedPage("微信授权", content, {}, "");
}

function firstGrapheme(text: string): string {
  const segments = new Intl.Segmenter("zh", { granularity: "grapheme" }).segment(text);
  for (const { segment } of segments) return segment;
  return "?";
}

/** A small square avatar: the first character of the nickname on a colour derived from the key. */
export function renderAvatarSvg(user: TestUser): string {
  if (user.snapshot) {
    // WeChat's grey default avatar, which snapshot-page visitors get.
    return `<svg xmlns="http://www.w3.org/2000/svg" width="132" height="132" viewBox="0 0 132 132">
<rect width="132" height="132" fill="#c8c8c8"/>
<circle cx="66" cy="52" r="24" fill="#fff"/>
<path d="M22 132c0-26 20-44 44-44s44 18 44 44z" fill="#fff"/>
</svg>`;
  }
  const hue = ((createHash("sha256").update(user.key).digest()[0] ?? 0) * 360) / 256;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="132" height="132" viewBox="0 0 132 132">
<rect width="132" height="132" fill="hsl(${hue.toFixed(0)},55%,50%)"/>
<text x="66" y="66" dy=".35em" text-anchor="middle" font-size="64" fill="#fff" font-family="sans-serif">${escapeHtml(firstGrapheme(user.nickname))}</text>
</svg>`;
}
