// Avatars shown in our pages come only from WeChat's avatar hosts (or, against the simulator, from the
// simulator): a headimgurl is text we stored, and an image from any host would let that host see every
// staff member who opens a list (tracking pixels). The Content-Security-Policy's img-src names the same
// origins.
import { env } from "@/lib/env";

/** Where WeChat serves profile pictures (https; older profiles still carry http URLs). */
export const WECHAT_AVATAR_HOSTS: readonly string[] = ["thirdwx.qlogo.cn", "wx.qlogo.cn"];

let allowed: { readonly origins: ReadonlySet<string> } | undefined;

/**
 * The origins avatars may be loaded from: WeChat's hosts over https, and the simulator when it plays WeChat
 * (never the real WeChat's OAuth host, open.weixin.qq.com, which serves no avatar).
 */
export function avatarOrigins(): ReadonlySet<string> {
  const e = env();
  allowed ??= {
    origins: new Set([
      ...WECHAT_AVATAR_HOSTS.map((h) => `https://${h}`),
      ...(e.usesSimulator ? [new URL(e.WECHAT_OAUTH_BASE).origin] : []),
    ]),
  };
  return allowed.origins;
}

/** The URL to show for a stored headimgurl, or null (shown as initials) when it is not from an allowed host. */
export function avatarUrl(stored: string | null | undefined): string | null {
  if (!stored || !URL.canParse(stored)) return null;
  const url = new URL(stored);
  // WeChat's own hosts serve the same picture over https: never load it in clear text.
  if (url.protocol === "http:" && WECHAT_AVATAR_HOSTS.includes(url.hostname)) url.protocol = "https:";
  if (url.username || url.password || !avatarOrigins().has(url.origin)) return null;
  return url.href;
}
