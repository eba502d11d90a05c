/**
 * WeChat Pay v3's side of the wire, written for the simulator alone (Node built-ins, nothing from lib/): a
 * bug in the app's signing cannot be mirrored here and cancel out.
 * - the merchant's Authorization header, read and checked (SIGN_ERROR on anything wrong);
 * - answers and notifications signed with the platform key (Wechatpay-Timestamp/-Nonce/-Signature/-Serial);
 * - notification resources encrypted with AEAD_AES_256_GCM under the APIv3 key;
 * - the JSAPI paySign checked as WeChat's client checks it;
 * - WeChat Pay's error codes with their HTTP status and words.
 */
import { createCipheriv, createVerify, randomBytes, sign, type KeyObject } from "node:crypto";

export const SCHEME = "WECHATPAY2-SHA256-RSA2048";
/** A request, answer or notification signed further than this from the clock is refused. */
export const SKEW_SECONDS = 300;
export const SIGNTEST_PREFIX = "WECHATPAY/SIGNTEST/";

/** WeChat Pay's error codes the simulator answers with: HTTP status and default words. */
export const PAY_ERRORS: Readonly<Record<string, readonly [number, string]>> = {
  PARAM_ERROR: [400, "参数错误"],
  INVALID_REQUEST: [400, "无效请求"],
  SIGN_ERROR: [401, "签名错误"],
  NO_AUTH: [403, "商户无权限"],
  APPID_MCHID_NOT_MATCH: [400, "AppID和mch_id不匹配"],
  MCH_NOT_EXISTS: [400, "商户号不存在"],
  OPENID_MISMATCH: [500, "openid和appid不匹配"],
  OUT_TRADE_NO_USED: [403, "商户订单号重复"],
  ORDERPAID: [400, "该订单已支付"],
  ORDER_CLOSED: [400, "订单已关闭"],
  ORDER_NOT_EXIST: [404, "订单不存在"],
  RESOURCE_NOT_EXISTS: [404, "退款单不存在"],
  NOT_ENOUGH: [403, "余额不足"],
  FREQUENCY_LIMITED: [429, "频率超限"],
  RULE_LIMIT: [403, "业务规则限制"],
  TRADE_ERROR: [403, "交易错误"],
  USER_ACCOUNT_ABNORMAL: [403, "退款请求失败"],
  BANK_ERROR: [500, "银行系统异常"],
  SYSTEM_ERROR: [500, "系统繁忙，请稍后重试"],
};

export interface ParsedAuthorization {
  readonly mchid: string;
  readonly nonce: string;
  readonly timestamp: string;
  readonly serialNo: string;
  readonly signature: string;
}

const AUTH_FIELDS = ["mchid", "nonce_str", "timestamp", "serial_no", "signature"] as const;

/** The Authorization header's fields, or why it is not one (scheme, each field once, quoted). */
export function parseAuthorization(value: string | undefined): ParsedAuthorization | string {
  if (!value) return "缺少Authorization头";
  if (!value.startsWith(`${SCHEME} `)) return `Authorization的认证类型不是${SCHEME}`;
  const fields = new Map<string, string>();
  const rest = value.slice(SCHEME.length + 1);
  const re = /\s*([a-z_]+)="([^"]*)"\s*(,|$)/gy;
  let end = 0;
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    if (fields.has(m[1]!)) return `Authorization的${m[1]}重复`;
    fields.set(m[1]!, m[2]!);
    end = re.lastIndex;
    if (m[3] === "") break;
  }
  if (end !== rest.length) return "Authorization格式错误";
  for (const name of AUTH_FIELDS) if (!fields.get(name)) return `Authorization缺少${name}`;
  return {
    mchid: fields.get("mchid")!,
    nonce: fields.get("nonce_str")!,
    timestamp: fields.get("timestamp")!,
    serialNo: fields.get("serial_no")!,
    signature: fields.get("signature")!,
  };
}

export function verifySignature(message: string, signature: string, publicKey: KeyObject): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature) || signature.length % 4 !== 0) return false;
  try {
    return createVerify("sha256").update(message, "utf8").verify(publicKey, signature, "base64");
  } catch {
    return false;
  }
}

export function signMessage(message: string, privateKey: KeyObject): string {
  return sign("sha256", Buffer.from(message, "utf8"), privateKey).toString("base64");
}

/** Hex nonce as WeChat Pay's answers carry (32 characters). */
export function answerNonce(): string {
  return randomBytes(16).toString("hex").toUpperCase();
}

/** How an answer or notification is signed; the faults break one thing on purpose. */
export type SignFault = "none" | "bad" | "signtest" | "stale" | "unknown_serial" | "unsigned";

export function signedHeaders(
  body: string,
  nowSeconds: number,
  privateKey: KeyObject,
  publicKeyId: string,
  fault: SignFault = "none",
): Record<string, string> {
  if (fault === "unsigned") return {};
  const timestamp = String(fault === "stale" ? nowSeconds - 600 : nowSeconds);
  const nonce = answerNonce();
  let signature = signMessage(`${timestamp}\n${nonce}\n${body}\n`, privateKey);
  if (fault === "bad") signature = signMessage(`${timestamp}\n${nonce}\n${body} \n`, privateKey);
  if (fault === "signtest") signature = `${SIGNTEST_PREFIX}${randomBytes(48).toString("base64")}`;
  return {
    "Wechatpay-Timestamp": timestamp,
    "Wechatpay-Nonce": nonce,
    "Wechatpay-Signature": signature,
    "Wechatpay-Serial": fault === "unknown_serial" ? "PUB_KEY_ID_0000000000000000000000000000000000" : publicKeyId,
    "Wechatpay-Signature-Type": SCHEME,
  };
}

/** AEAD_AES_256_GCM with the APIv3 key: a 12-character nonce, the tag appended to the ciphertext. */
export function encryptResource(
  apiV3Key: string,
  plaintext: string,
  associatedData: string,
): { ciphertext: string; nonce: string; associated_data: string } {
  const nonce = randomBytes(9).toString("base64url").slice(0, 12);
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(apiV3Key, "utf8"), Buffer.from(nonce, "utf8"));
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return { ciphertext: data.toString("base64"), nonce, associated_data: associatedData };
}

/** What getBrandWCPayRequest is given by the page. */
export interface BridgeParams {
  readonly appId: string;
  readonly timeStamp: string;
  readonly nonceStr: string;
  readonly package: string;
  readonly signType: string;
  readonly paySign: string;
}

/** Why WeChat's client would refuse these parameters (paySign over the four lines, signType RSA), or null. */
export function bridgeProblem(params: BridgeParams, merchantPublicKey: KeyObject): string | null {
  for (const key of ["appId", "timeStamp", "nonceStr", "package", "signType", "paySign"] as const) {
    if (typeof params[key] !== "string" || params[key] === "") return `缺少${key}`;
  }
  if (params.signType !== "RSA") return "signType必须为RSA";
  if (!/^\d{1,12}$/.test(params.timeStamp)) return "timeStamp必须为秒级时间戳字符串";
  if (params.nonceStr.length > 32) return "nonceStr不能超过32个字符";
  if (!/^prepay_id=\S+$/.test(params.package)) return "package必须为prepay_id=…";
  const message = `${params.appId}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`;
  return verifySignature(message, params.paySign, merchantPublicKey) ? null : "支付验证签名失败";
}

/** RFC 3339 at +08:00, to the second. */
export function beijingTime(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000 + 8 * 3600_000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}+08:00`;
}

/** The ms epoch of an RFC 3339 time that states its offset, or null. */
export function readTime(value: unknown): number | null {
  if (typeof value !== "string") return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}
