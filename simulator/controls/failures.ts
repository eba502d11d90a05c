/**
 * Scripted failures (`failNext`: the next requests to one path) and outages (`setOutage`: a whole
 * origin): their shapes, their checks (they may come from JSON) and what a failed request answers.
 */
import { ERRMSG, SimulatorInputError, wxError } from "../errors";
import { apiReply, nginxError, type Reply } from "../http/reply";
import { AUTHORIZE_ERRMSG } from "../oauth/authorize";
import { errorPageReply } from "../oauth/pages";

/** Which origin a request came to: `url` (api.weixin.qq.com) or `backupUrl` (api2.weixin.qq.com). */
export type SimHost = "primary" | "backup";

/** A whole origin failing: every non-control request answers this way until cleared. */
export type Outage = { kind: "http"; status: number } | { kind: "timeout" } | { kind: "refuse" };

export type Failure =
  | { kind: "errcode"; errcode: number; errmsg?: string }
  /** {"errcode":-1,"errmsg":"system error"} */
  | { kind: "busy" }
  /** Never answer; the socket is released when the client aborts, on reset() or on close(). */
  | { kind: "timeout" }
  | { kind: "http"; status: number };

/** Validate a Failure and copy only its known fields. */
export function checkFailure(value: unknown): Failure {
  const f = value as Partial<Record<string, unknown>> | null;
  if (typeof f !== "object" || f === null) throw new SimulatorInputError("failure must be an object");
  switch (f.kind) {
    case "busy":
    case "timeout":
      return { kind: f.kind };
    case "http":
      if (!Number.isInteger(f.status) || (f.status as number) < 400 || (f.status as number) > 599) {
        throw new SimulatorInputError("http failure needs a status 400..599");
      }
      return { kind: "http", status: f.status as number };
    case "errcode":
      if (!Number.isInteger(f.errcode) || f.errcode === 0)
        throw new SimulatorInputError("errcode must be a non-zero integer");
      if (f.errmsg !== undefined && typeof f.errmsg !== "string")
        throw new SimulatorInputError("errmsg must be a string");
      return f.errmsg === undefined
        ? { kind: "errcode", errcode: f.errcode as number }
        : { kind: "errcode", errcode: f.errcode as number, errmsg: f.errmsg };
    default:
      throw new SimulatorInputError(`unknown failure kind: ${JSON.stringify(f.kind)}`);
  }
}

/** Validate an Outage and copy only its known fields. */
export function checkOutage(outage: unknown): Outage {
  const kind = (outage as { kind?: unknown } | undefined)?.kind;
  if (kind === "http") {
    const status = (outage as { status?: unknown }).status;
    if (!Number.isInteger(status) || (status as number) < 500 || (status as number) > 599) {
      throw new SimulatorInputError("an http outage needs a status 500..599");
    }
    return { kind, status: status as number };
  }
  if (kind === "timeout" || kind === "refuse") return { kind };
  throw new SimulatorInputError(`unknown outage kind: ${JSON.stringify(kind)}`);
}

/** The answer to a request that a scripted failure hit: WeChat's error page on /connect/, else its JSON. */
export function failureReply(path: string, failure: Exclude<Failure, { kind: "timeout" }>, now: number): Reply {
  const isPage = path.startsWith("/connect/");
  switch (failure.kind) {
    case "http":
      return nginxError(failure.status);
    case "busy":
      if (isPage) return errorPageReply({ code: -1, reason: "-1", message: "系统繁忙，请稍后再试" });
      return apiReply({ errcode: -1, errmsg: "system error" });
    case "errcode":
      if (isPage) {
        const message = failure.errmsg ?? AUTHORIZE_ERRMSG[failure.errcode] ?? ERRMSG[failure.errcode] ?? "模拟错误";
        return errorPageReply({ code: failure.errcode, reason: String(failure.errcode), message });
      }
      return apiReply(
        failure.errmsg !== undefined
          ? { errcode: failure.errcode, errmsg: failure.errmsg }
          : wxError(failure.errcode, now),
      );
  }
}
