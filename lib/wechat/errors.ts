/**
 * WeChat's error codes, what they mean, and what the caller should do about each.
 *
 * WeChat answers almost every failure with HTTP 200 and `{"errcode":N,"errmsg":"..."}`, so the code is
 * the only reliable signal. The table is the single place that turns a code into a decision (`action`)
 * and into words for two audiences: operators (`meaning`, English) and end users (`userMessage`,
 * Simplified Chinese, short, saying what to do next).
 */

/**
 * What the caller should do next.
 * - `retry`: transient on WeChat's side; retrying the same request later may succeed.
 * - `reauthorize`: the user must go through the authorize page again (code used/expired, refresh
 *   token dead, or a profile needs the `snsapi_userinfo` scope).
 * - `refresh_token`: the access token is stale; refresh it (web token via refresh_token, basic token
 *   via the central control server) and try once more.
 * - `fix_config`: our account configuration is wrong (appid, secret, IP whitelist, domain); no user
 *   action helps, an operator must act.
 * - `quota`: a rate or daily limit was hit; back off, do not hammer.
 * - `bad_request`: our request was malformed or violates a documented limit; do not repeat it as is.
 * - `fail`: nothing automatic helps.
 */
export type WeChatErrorAction =
  "retry" | "reauthorize" | "refresh_token" | "fix_config" | "quota" | "bad_request" | "fail";

export interface WeChatErrorInfo {
  readonly errcode: number;
  /** English, for operators and logs. */
  readonly meaning: string;
  readonly action: WeChatErrorAction;
  /** Short Simplified Chinese for end users; says what to do next. */
  readonly userMessage: string;
  /**
   * Simplified Chinese for staff in the console, where the end user's words mislead ("重新授权登录" means
   * nothing to an operator remarking a follower). Absent: the user's message reads right for staff too.
   */
  readonly staffMessage?: string;
}

// Shared user-facing sentences: several codes lead the user to the same next step.
const MSG_REAUTHORIZE = "授权已失效，请返回重新登录。";
const MSG_CONFIG = "服务配置异常，请稍后再试或联系客服。";
const MSG_BUSY = "微信服务繁忙，请稍后重试。";
const MSG_TOO_FREQUENT = "操作过于频繁，请稍后再试。";
const MSG_BAD_REQUEST = "请求有误，请刷新页面后重试。";

function entry(
  errcode: number,
  action: WeChatErrorAction,
  meaning: string,
  userMessage: string,
  staffMessage?: string,
): readonly [number, WeChatErrorInfo] {
  return [errcode, Object.freeze({ errcode, meaning, action, userMessage, ...(staffMessage ? { staffMessage } : {}) })];
}

export const WECHAT_ERRORS: Readonly<Record<number, WeChatErrorInfo>> = Object.freeze(
  Object.fromEntries([
    // --- API errors (api.weixin.qq.com) ---
    entry(-1, "retry", "System busy; retry later", MSG_BUSY),
    entry(
      40001,
      "refresh_token",
      "Invalid credential: access_token invalid or not the latest (another holder fetched a new one)",
      "登录凭证已过期，请刷新页面重试。",
    ),
    entry(40002, "fix_config", "Invalid grant_type", MSG_CONFIG),
    // On web authorization this means the openid does not match the token: only a fresh grant fixes it.
    entry(
      40003,
      "reauthorize",
      "Invalid openid",
      "身份信息无效，请重新授权登录。",
      "微信不认这个 openid：此人可能不是本公众号的用户（例如示例或测试数据），数据未修改。",
    ),
    entry(40013, "fix_config", "Invalid appid: check the configured AppID", MSG_CONFIG),
    entry(40014, "refresh_token", "Invalid access_token", "登录凭证已过期，请刷新页面重试。"),
    entry(40029, "reauthorize", "Invalid OAuth code (unknown, replayed or for another appid)", MSG_REAUTHORIZE),
    entry(40030, "reauthorize", "Invalid refresh_token", MSG_REAUTHORIZE),
    entry(
      40032,
      "bad_request",
      "Invalid openid list size (too many openids in one call: 50 for tagging, 20 for blacklist)",
      "一次操作的用户过多，请分批重试。",
    ),
    entry(40125, "fix_config", "Invalid appsecret: check the configured AppSecret", MSG_CONFIG),
    entry(40163, "reauthorize", "OAuth code has already been used", "该登录链接已使用，请重新授权登录。"),
    entry(40164, "fix_config", "Caller IP is not on the account's API IP whitelist", MSG_CONFIG),
    // The caller already refuses an empty code, so this means the code was lost on the way back from
    // the authorize page: starting over is the only thing the user can do.
    entry(41008, "reauthorize", "Missing OAuth code", MSG_REAUTHORIZE),
    entry(42001, "refresh_token", "access_token expired", "登录凭证已过期，请刷新页面重试。"),
    entry(42002, "reauthorize", "refresh_token expired (30 days, not extended)", "登录已过期，请重新授权登录。"),
    entry(42003, "reauthorize", "OAuth code expired (codes live 5 minutes)", "登录链接已过期，请重新授权登录。"),
    entry(
      45009,
      "quota",
      "API daily quota reached (template messages: the day's sends)",
      "今日访问次数已达上限，请稍后再试。",
      "今日调用次数已达微信的上限，北京时间 0 点后恢复。",
    ),
    entry(
      45011,
      "quota",
      "API minute quota reached (stable_token force_refresh: at most once every 30 s)",
      MSG_TOO_FREQUENT,
    ),
    entry(45056, "bad_request", "Too many tags: an account may create at most 100", "标签数量已达上限。"),
    entry(
      45057,
      "bad_request",
      "Tag has more than 100,000 fans and cannot be deleted this way",
      "该标签用户过多，暂时无法删除。",
    ),
    entry(45058, "bad_request", "Reserved tags 0/1/2 cannot be modified", "系统默认标签不可修改。"),
    entry(45059, "bad_request", "A user may carry at most 20 tags", "该用户的标签数量已达上限。"),
    entry(45157, "bad_request", "Tag name already exists", "标签名称已存在，请换一个名称。"),
    entry(45158, "bad_request", "Tag name too long (max 30 bytes)", "标签名称过长，请缩短后重试。"),
    entry(45159, "bad_request", "Invalid tag id", MSG_BAD_REQUEST, "该标签在微信上不存在，请先同步标签再试。"),
    // On /sns/userinfo: the web token was granted snsapi_base only; the caller upgrades the scope.
    // On cgi-bin calls it means the account lacks the API permission, which the operator must fix.
    entry(
      48001,
      "reauthorize",
      "API unauthorized: web token lacks snsapi_userinfo (or the account lacks this API permission)",
      "需要您授权获取头像和昵称，请重新授权。",
      "公众号没有调用此接口的权限，请在微信公众平台确认接口权限。",
    ),
    entry(
      49003,
      "bad_request",
      "openid does not belong to this appid",
      MSG_BAD_REQUEST,
      "该 openid 不属于本公众号，数据未修改。",
    ),
    entry(
      47001,
      "bad_request",
      "Data format error (e.g. a remark of 30 characters or more)",
      MSG_BAD_REQUEST,
      "内容不符合微信的格式要求（如备注须少于 30 个字），数据未修改。",
    ),

    // --- Custom menus and QR codes: checked before calling too (lib/wechat/menu.ts, qrcode.ts), staff words ---
    ...(
      [
        [40016, "Invalid number of top-level menu buttons (1-3)", "一级菜单须有 1–3 个。"],
        [40017, "Invalid menu button type", "按钮类型无效，或缺少该类型需要的内容。"],
        [40018, "Top-level menu button name too long (16 bytes)", "一级菜单名称过长（最多 16 字节）。"],
        [40019, "Menu button key too long (128 bytes)", "按钮 key 为空或过长（最多 128 字节）。"],
        [40020, "Menu button url too long (1024 bytes)", "按钮链接为空或过长（最多 1024 字节）。"],
        [40023, "Invalid number of sub-buttons (1-5)", "子菜单须有 1–5 个。"],
        [40024, "Invalid sub-button type", "子菜单按钮类型无效，或缺少该类型需要的内容。"],
        [40025, "Sub-button name too long (60 bytes)", "子菜单名称过长（最多 60 字节）。"],
        [40026, "Sub-button key too long (128 bytes)", "子菜单 key 为空或过长（最多 128 字节）。"],
        [40027, "Sub-button url too long (1024 bytes)", "子菜单链接为空或过长（最多 1024 字节）。"],
        [40054, "Invalid sub-button url domain", "子菜单链接无效：须是 http:// 或 https:// 开头的完整网址。"],
        [40055, "Invalid menu button url domain", "菜单链接无效：须是 http:// 或 https:// 开头的完整网址。"],
        [46003, "No menu (menu/get, trymatch)", "公众号当前没有菜单。"],
        [65301, "No conditional menu with this menuid", "该个性化菜单不存在，可能已被删除。"],
        [65302, "No such user (trymatch)", "微信找不到这个用户。"],
        [65303, "No default menu: a conditional menu needs one first", "请先发布默认菜单，再创建个性化菜单。"],
        [65304, "Empty or invalid matchrule", "匹配规则为空或无效（标签或平台）。"],
        [65305, "Too many conditional menus", "个性化菜单数量已达上限。"],
        [65316, "Menu links to more than 3 outside domains", "菜单链接最多跳转到 3 个外部域名。"],
        // Parametric QR codes (cgi-bin/qrcode/create), our reading of the codes (lib/wechat/qrcode.ts)
        [
          40097,
          "Invalid arguments (e.g. a QR scene or expiry out of range, a card field out of its rule)",
          "参数无效：二维码场景值须 1–64 个字符，临时码有效期 60 秒至 30 天；卡券请检查各项内容。",
        ],
        [45029, "Permanent QR codes used up (100,000 per account)", "永久二维码已达 10 万个上限。"],
        // Template and customer service messages (lib/wechat/template.ts checks values before calling too)
        [40037, "Invalid template_id", "模板不存在或已被删除，请先刷新模板列表。"],
        [40039, "Invalid url in a template message", "详情链接无效：须是 http:// 或 https:// 开头的完整网址。"],
        [40008, "Invalid message type", "消息类型无效。"],
        [43004, "The recipient does not follow the account", "对方没有关注公众号（或已取消关注），无法接收消息。"],
        [43019, "The recipient is on the account's blacklist", "对方在公众号的黑名单中，请先移出黑名单。"],
        [44004, "Empty text content", "消息内容不能为空。"],
        [45002, "Message content too long (2048 bytes)", "消息内容过长（最多 2048 字节）。"],
        [45026, "Too many private templates (25 per account)", "模板数量已达 25 个上限，请先删除不用的模板。"],
        [
          45015,
          "Reply window closed: the user's last message or event is over 48 hours old",
          "对方最近 48 小时内没有给公众号发消息或操作，不能再主动回复；等对方发消息后再回。",
        ],
        [45047, "More than 20 replies without an answer from the user", "对方还没回复，已连续回复 20 条，不能再发。"],
        [
          47003,
          "Template data invalid (a value does not fit its field's type)",
          "模板内容不符合字段要求，请检查后重试。",
        ],
      ] as const
    ).map(([code, meaning, staff]) => entry(code, "bad_request", meaning, MSG_BAD_REQUEST, staff)),

    // --- Cards and coupons (卡券): lib/wechat/card checks the rules before calling; staff words, and for the
    // codes a person meets when taking or showing a card, their own short words ---
    ...(
      [
        [40005, "Invalid file type (a card logo must be JPG or PNG)", "图片格式不对：卡券 logo 只能是 JPG 或 PNG。"],
        [40009, "Invalid image size (empty, or over 1 MB)", "图片大小不对：卡券 logo 须大于 0 且不超过 1 MB。"],
        [
          40056,
          "Invalid card code (unknown, never taken, or given away to a friend)",
          "券码不存在：请核对券码（转赠后原券码作废）。",
          "券码无效，请核对后重试。",
        ],
        [40071, "Invalid card type", "卡券类型无效（团购券、代金券、折扣券、兑换券、优惠券）。"],
        [40073, "Invalid card_id", "卡券不存在或已被删除，请刷新列表。"],
        [40076, "Invalid card color", "卡券颜色无效，请从微信的色板中选择。"],
        [
          40078,
          "Invalid card status for this call (e.g. not approved yet, or deleted)",
          "卡券当前的状态不能进行此操作（如尚未通过审核，或已删除）。",
        ],
        [
          40079,
          "Invalid time (date_info, or the code is not valid at this moment)",
          "卡券有效期有误：结束时间须晚于开始时间且在未来，或该券还未到可用时间。",
        ],
        [
          40080,
          "Invalid cardExt (wx.addCard signature, timestamp or fields)",
          "领券签名（cardExt）无效。",
          "领取失败，请刷新页面重试。",
        ],
        [40099, "Card code already consumed", "该券码已经核销过了，不能再次核销。", "该券已经使用过了。"],
        [
          40122,
          "Invalid card quantity (stock out of range, or reduced below zero)",
          "库存数量无效：须为 0–100,000,000，减少后不能低于 0。",
        ],
        [
          40127,
          "Card code not usable: deleted by its owner, being gifted, expired or unavailable",
          "该券不可用：已被用户删除、正在转赠、已过期或已失效。",
          "该券当前不可使用。",
        ],
        [
          40141,
          "Invalid image url (a card logo must come from media/uploadimg)",
          "logo 须先通过微信上传（mmbiz.qpic.cn 的地址）。",
        ],
        [41011, "Missing required fields", "缺少必填项，请检查卡券内容。"],
        [41012, "Missing card_id", "缺少 card_id。"],
        [45021, "A field is longer than its limit", "有内容超过长度限制，请检查卡券内容。"],
        [45030, "This card_id may not use this API", "该卡券不支持此操作。"],
        [45031, "Out of stock", "卡券库存为 0，请先增加库存。", "券已经领完了。"],
        [45033, "The person reached the card's get_limit", "该用户已领满每人限领数量。", "你已领满每人限领数量。"],
        [45041, "Total stock would exceed 100,000,000", "总库存不能超过 1 亿张。"],
      ] as const
    ).map(([code, meaning, staff, user]) =>
      entry(code, "bad_request", meaning, (user as string | undefined) ?? MSG_BAD_REQUEST, staff),
    ),

    // --- Authorize-page errors (open.weixin.qq.com shows these on its own page) ---
    entry(10003, "fix_config", "redirect_uri host does not match the account's web authorization domain", MSG_CONFIG),
    entry(10004, "fail", "Official Account is banned", "该公众号暂时无法提供服务。"),
    entry(10005, "fix_config", "Account has no permission for this scope", MSG_CONFIG),
    entry(10006, "fail", "User must follow this test account first", "请先关注该测试公众号，再重新打开页面。"),
    entry(10009, "quota", "Authorization attempted too frequently", MSG_TOO_FREQUENT),
    entry(10010, "bad_request", "scope is empty", MSG_BAD_REQUEST),
    entry(10011, "bad_request", "redirect_uri is empty", MSG_BAD_REQUEST),
    entry(10012, "fix_config", "appid is empty", MSG_CONFIG),
    entry(10013, "bad_request", "state is empty", MSG_BAD_REQUEST),
    entry(10015, "fix_config", "Official Account has not authorized the third-party platform", MSG_CONFIG),
    entry(
      10016,
      "fix_config",
      "An Open Platform appid cannot be used for Official Account web authorization",
      MSG_CONFIG,
    ),
  ]),
);

/** Looks an errcode up; unknown codes get a generic entry that promises nothing. */
export function describeWeChatError(errcode: number): WeChatErrorInfo {
  const known = Object.hasOwn(WECHAT_ERRORS, errcode) ? WECHAT_ERRORS[errcode] : undefined;
  if (known) return known;
  return Object.freeze({
    errcode,
    meaning: "Unknown WeChat error code",
    action: "fail",
    userMessage: "微信服务暂时不可用，请稍后再试。",
  });
}

/** Strips a query string or fragment: endpoints appear in logs, and WeChat queries carry secrets. */
export function endpointPath(endpoint: string): string {
  const cut = endpoint.search(/[?#]/);
  return cut === -1 ? endpoint : endpoint.slice(0, cut);
}

/** WeChat answered, and the answer was a non-zero errcode. */
export class WeChatApiError extends Error {
  override readonly name = "WeChatApiError";
  readonly errcode: number;
  readonly errmsg: string;
  /** Path only, e.g. "/sns/oauth2/access_token"; never the query. */
  readonly endpoint: string;
  readonly info: WeChatErrorInfo;

  constructor(args: { errcode: number; errmsg: string; endpoint: string }) {
    const endpoint = endpointPath(args.endpoint);
    super(`WeChat ${endpoint} failed: ${args.errcode} ${args.errmsg}`.trimEnd());
    this.errcode = args.errcode;
    this.errmsg = args.errmsg;
    this.endpoint = endpoint;
    this.info = describeWeChatError(args.errcode);
  }
}

export type WeChatTransportErrorKind = "timeout" | "network" | "http_status" | "bad_response";

/**
 * We did not get a usable answer from WeChat: no response in time, a network failure, a non-2xx
 * status, or a body that is not JSON or does not have the expected shape.
 */
export class WeChatTransportError extends Error {
  override readonly name = "WeChatTransportError";
  readonly kind: WeChatTransportErrorKind;
  readonly endpoint: string;
  readonly status: number | undefined;
  // `declare` keeps the class-field semantics of ES2022 from overwriting the cause set by super().
  declare readonly cause: unknown;

  constructor(args: {
    kind: WeChatTransportErrorKind;
    endpoint: string;
    message: string;
    status?: number;
    cause?: unknown;
  }) {
    const endpoint = endpointPath(args.endpoint);
    super(`WeChat ${endpoint} ${args.message}`, args.cause === undefined ? undefined : { cause: args.cause });
    this.kind = args.kind;
    this.endpoint = endpoint;
    this.status = args.status;
  }
}

export function isWeChatApiError(error: unknown): error is WeChatApiError {
  return error instanceof WeChatApiError;
}

export function isWeChatTransportError(error: unknown): error is WeChatTransportError {
  return error instanceof WeChatTransportError;
}
