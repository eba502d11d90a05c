/**
 * Web authorization only works inside WeChat's own browser: elsewhere the authorize page tells the
 * user to open the link in WeChat. WeCom (企业微信) also sends `MicroMessenger/` for compatibility but
 * cannot authorize for an Official Account, so it is excluded.
 */
export function isWeChatBrowser(userAgent: string | null | undefined): boolean {
  if (typeof userAgent !== "string" || userAgent === "") return false;
  if (/\bwxwork\//i.test(userAgent)) return false;
  return /MicroMessenger\//i.test(userAgent);
}
