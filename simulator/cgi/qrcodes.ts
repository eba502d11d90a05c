/**
 * Parametric QR codes: cgi-bin/qrcode/create (all four kinds), and mp.weixin.qq.com's showqrcode (the image
 * of a ticket, no token; served here as SVG where WeChat sends JPEG; 404 for a ticket unknown or expired). Limits as WeChat's page
 * states them; where it names no errcode we answer 40097 (invalid args) and, for the 100,000 permanent
 * codes, 45029 (our reading, docs/wechat-protocol.md). A permanent code asked for again with the same
 * scene is the same code (same ticket and url); a temporary one is new every time.
 */
import { randomBytes } from "node:crypto";
import { SimulatorInputError, type ApiBody } from "../errors";
import QRCode from "qrcode";
import { control, route, type Route } from "../http/router";
import { nginxError, reply } from "../http/reply";
import type { MessagePusher, PushInput, PushReport } from "../push";
import type { SimCore, Surface } from "../surface";
import type { CgiRoutes } from "./guard";
import type { Followers } from "./followers";

export const PERMANENT_MAX = 100_000;
export const EXPIRE_MAX = 2_592_000;

export interface SimQrCode {
  readonly ticket: string;
  readonly url: string;
  /** the scene as events carry it: scene_str, or scene_id as decimal */
  readonly scene: string;
  readonly permanent: boolean;
  /** ms epoch; null for permanent codes */
  readonly expiresAt: number | null;
}

/** How the push reaches the app: its mode, and the endpoint and keys when not the simulator's defaults. */
export type ScanVia = Partial<Pick<PushInput, "mode" | "target" | "token" | "encodingAesKey">>;

export class QrCodes implements Surface {
  private byTicket = new Map<string, SimQrCode>();
  private permanentByScene = new Map<string, SimQrCode>();
  /** Pretend permanent codes on top of the real ones, to reach the limit in a test. */
  extraPermanent = 0;

  constructor(
    private readonly core: SimCore,
    private readonly followers: Followers,
    private readonly pusher: MessagePusher,
  ) {}

  /**
   * A persona scans a code with WeChat, as WeChat then pushes it: someone not following follows through it
   * (`subscribe`, EventKey `qrscene_<scene>`, Ticket) and is a follower from then on; a follower pushes `SCAN`
   * (EventKey `<scene>`, Ticket). An unknown or expired code pushes nothing (WeChat shows its own page).
   */
  async scan(openid: string, ticket: string, via: ScanVia = {}): Promise<PushReport> {
    const code = this.find(ticket);
    if (!code) throw new SimulatorInputError("no such QR code, or it has expired: WeChat pushes nothing");
    const index = this.followers.indexOf(openid);
    if (index === undefined) throw new SimulatorInputError(`${openid} is not one of the simulator's people`);
    if (this.followers.isSubscribed(index)) {
      return this.pusher.push({ ...via, type: "SCAN", openid, eventKey: code.scene, ticket });
    }
    this.followers.resubscribe([openid]);
    return this.pusher.push({ ...via, type: "subscribe", openid, eventKey: `qrscene_${code.scene}`, ticket });
  }

  get controls(): Route[] {
    return [
      control("POST", "/__sim/qrcode/scan", (input) => {
        const { openid, ticket, mode, target, token, encodingAesKey } = input;
        if (typeof openid !== "string" || typeof ticket !== "string")
          throw new SimulatorInputError("openid and ticket are required");
        if (mode !== undefined && mode !== "plaintext" && mode !== "compatible" && mode !== "aes")
          throw new SimulatorInputError("mode must be plaintext, compatible or aes");
        for (const [key, value] of Object.entries({ target, token, encodingAesKey }))
          if (value !== undefined && typeof value !== "string")
            throw new SimulatorInputError(`${key} must be a string`);
        return this.scan(openid, ticket, {
          mode,
          target: target as string | undefined,
          token: token as string | undefined,
          encodingAesKey: encodingAesKey as string | undefined,
        });
      }),
      control("GET", "/__sim/qrcodes", () => [...this.byTicket.values()]),
    ];
  }

  reset(): void {
    this.byTicket.clear();
    this.permanentByScene.clear();
    this.extraPermanent = 0;
  }

  /** The code a ticket names, if it exists and has not expired. */
  find(ticket: string): SimQrCode | undefined {
    const code = this.byTicket.get(ticket);
    if (!code || (code.expiresAt !== null && code.expiresAt <= this.core.now())) return undefined;
    return code;
  }

  cgiRoutes(cgi: CgiRoutes): Route[] {
    return [
      cgi.post("/cgi-bin/qrcode/create", (b) => this.create(b)),
      route(["GET"], "/cgi-bin/showqrcode", async (req) => {
        const code = this.find(req.query.get("ticket") ?? "");
        if (!code) return nginxError(404);
        const svg = await QRCode.toString(code.url, { type: "svg", margin: 1 });
        return reply(200, "image/svg+xml", svg, { "Cache-Control": "max-age=2592000" });
      }),
    ];
  }

  private create(body: Record<string, unknown>): ApiBody {
    const invalid = () => this.followers.err(40097, "invalid args");
    const action = body.action_name;
    const scene = (body.action_info as { scene?: Record<string, unknown> } | undefined)?.scene;
    if (typeof scene !== "object" || scene === null) return invalid();
    const str = action === "QR_STR_SCENE" || action === "QR_LIMIT_STR_SCENE";
    const permanent = action === "QR_LIMIT_SCENE" || action === "QR_LIMIT_STR_SCENE";
    if (!str && action !== "QR_SCENE" && action !== "QR_LIMIT_SCENE") return invalid();
    let value: string;
    if (str) {
      const s = scene.scene_str;
      if (typeof s !== "string" || [...s].length < 1 || [...s].length > 64) return invalid();
      value = s;
    } else {
      const id = scene.scene_id;
      const max = permanent ? PERMANENT_MAX : 0xffffffff;
      if (typeof id !== "number" || !Number.isInteger(id) || id < 1 || id > max) return invalid();
      value = String(id);
    }
    if (permanent) {
      if (body.expire_seconds !== undefined) return invalid();
      const existing = this.permanentByScene.get(`${action}:${value}`);
      if (existing) return { ticket: existing.ticket, url: existing.url };
      if (this.permanentByScene.size + this.extraPermanent >= PERMANENT_MAX)
        return this.followers.err(45029, "qrcode count out of limit");
      const code = this.issue(value, null);
      this.permanentByScene.set(`${action}:${value}`, code);
      return { ticket: code.ticket, url: code.url };
    }
    const seconds = body.expire_seconds ?? 60;
    if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 1 || seconds > EXPIRE_MAX)
      return invalid();
    const code = this.issue(value, this.core.now() + seconds * 1000);
    return { ticket: code.ticket, expire_seconds: seconds, url: code.url };
  }

  private issue(scene: string, expiresAt: number | null): SimQrCode {
    const ticket = `gQ${randomBytes(24).toString("base64").replace(/[+/=]/g, "")}`;
    const code = {
      ticket,
      url: `http://weixin.qq.com/q/${randomBytes(12).toString("hex")}`,
      scene,
      permanent: expiresAt === null,
      expiresAt,
    };
    this.byTicket.set(ticket, code);
    return code;
  }
}
