export {
  WECHAT_ERRORS,
  WeChatApiError,
  WeChatTransportError,
  describeWeChatError,
  endpointPath,
  isWeChatApiError,
  isWeChatTransportError,
  type WeChatErrorAction,
  type WeChatErrorInfo,
  type WeChatTransportErrorKind,
} from "./errors";
export {
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_MS,
  backoffDelay,
  callWeChatApi,
  parseWeChatBody,
  type WeChatApiCall,
  type WeChatHttpOptions,
} from "./http";
export {
  WeChatOAuth,
  generateState,
  isValidState,
  type OAuthScope,
  type WeChatOAuthConfig,
  type WeChatUserInfo,
  type WebToken,
} from "./oauth";
export { isWeChatBrowser } from "./user-agent";
