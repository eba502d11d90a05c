/**
 * The contract between the central token service and everything that calls cgi-bin with the basic
 * access_token (followers, tags, blacklist, remarks, the JS-SDK ticket).
 *
 * A CgiClient adds `access_token` to the query itself, sends the call to the healthy host
 * (WECHAT_API_BASE or its backup), and on 40001/40014/42001 reports the token it used to the token
 * service (compare-and-expire) and retries the call once with the new token. Callers never see or
 * hold the token. Pure callers (lib/wechat/followers.ts, ...) take a CgiClient as a parameter so that
 * tests can pass a scripted one.
 */
import type { z } from "zod";

export interface CgiCall<T> {
  method: "GET" | "POST";
  /** e.g. "/cgi-bin/user/get" */
  path: string;
  /** Query parameters other than access_token, in the order given. */
  query?: Readonly<Record<string, string>>;
  /** JSON body (POST). */
  body?: unknown;
  /** A file sent as multipart/form-data instead of a JSON body (POST; media/uploadimg). */
  upload?: CgiUpload;
  /** Validates the success body (errcode 0 or absent); errors become WeChatApiError first. */
  schema: z.ZodType<T>;
  /**
   * Reads and "set to this value" writes are idempotent and may be retried on -1 and transport
   * errors; anything that would act twice (create a tag) is not.
   */
  idempotent: boolean;
}

export interface CgiUpload {
  /** The form field WeChat reads, e.g. "buffer". */
  readonly field: string;
  /** Sent as the part's filename (characters outside [A-Za-z0-9._-] are replaced). */
  readonly filename: string;
  readonly contentType: string;
  readonly data: Uint8Array;
}

export interface CgiClient {
  call<T>(call: CgiCall<T>): Promise<T>;
}
