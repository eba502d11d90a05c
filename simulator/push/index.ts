/** Message push: WeChat's side of the app's message endpoint (`@/simulator/push`). */
export { PushInputError, decryptFrom, encryptFor, readFields, sign } from "./protocol";
export {
  MessagePusher,
  PUSH_DEFAULTS,
  PUSH_TYPES,
  buildPushXml,
  type PushAttempt,
  type PushInput,
  type PushMode,
  type PushReport,
  type PushType,
  type PusherOptions,
} from "./pusher";
