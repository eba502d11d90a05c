/**
 * The key material of the simulated WeChat Pay: the merchant's (its private key is handed to the app in
 * development, since there is no merchant platform to download it from) and WeChat Pay's own platform key,
 * whose public half the app verifies with. Made on first use, so that the many simulators tests start
 * that never touch WeChat Pay pay nothing for two RSA keys.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { SimulatorInputError } from "../errors";

export interface PayKeyOptions {
  /** PEM. Default: generated. */
  readonly merchantPrivateKey?: string;
  /** The merchant API certificate's serial number. Default: generated (40 hex). */
  readonly merchantSerialNo?: string;
  /** 32 ASCII characters. Default: generated. */
  readonly apiV3Key?: string;
  /** PEM of WeChat Pay's platform private key. Default: generated. */
  readonly platformPrivateKey?: string;
  /** `PUB_KEY_ID_…`. Default: derived from the mchid. */
  readonly platformPublicKeyId?: string;
}

/** What the app is configured with (its WECHAT_PAY_* settings). */
export interface MerchantMaterial {
  readonly mchid: string;
  readonly appid: string;
  readonly merchantSerialNo: string;
  /** PEM, or null when the app registered its own key (the simulator then holds only the public half). */
  readonly merchantPrivateKey: string | null;
  readonly apiV3Key: string;
  readonly wechatpayPublicKey: string;
  readonly wechatpayPublicKeyId: string;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function randomAlnum(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length)) if (byte < 248 && out.length < length) out += ALNUM[byte % 62];
  }
  return out;
}

function rsa(): KeyObject {
  return generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
}

export class PayKeys {
  private merchantPrivate: KeyObject | null = null;
  private merchantPublicKey: KeyObject | null = null;
  private serial = "";
  private v3Key = "";
  private platformPrivate: KeyObject | null = null;
  private platformPublicKey: KeyObject | null = null;
  private publicKeyIdValue = "";

  constructor(
    private readonly mchid: string,
    private readonly appid: () => string,
    private readonly options: PayKeyOptions = {},
  ) {
    if (options.apiV3Key !== undefined && Buffer.byteLength(options.apiV3Key) !== 32) {
      throw new SimulatorInputError("apiV3Key must be 32 bytes");
    }
  }

  private ensure(): void {
    if (this.platformPrivate) return;
    this.merchantPrivate = this.options.merchantPrivateKey ? createPrivateKey(this.options.merchantPrivateKey) : rsa();
    this.merchantPublicKey = createPublicKey(this.merchantPrivate);
    this.serial = this.options.merchantSerialNo ?? randomBytes(20).toString("hex").toUpperCase();
    this.v3Key = this.options.apiV3Key ?? randomAlnum(32);
    this.platformPrivate = this.options.platformPrivateKey ? createPrivateKey(this.options.platformPrivateKey) : rsa();
    this.platformPublicKey = createPublicKey(this.platformPrivate);
    this.publicKeyIdValue =
      this.options.platformPublicKeyId ?? `PUB_KEY_ID_01${this.mchid}${randomBytes(8).toString("hex").toUpperCase()}`;
  }

  /** The public key requests are verified with, and the serial they must name. */
  merchant(): { publicKey: KeyObject; serialNo: string } {
    this.ensure();
    return { publicKey: this.merchantPublicKey!, serialNo: this.serial };
  }

  platform(): { privateKey: KeyObject; publicKeyId: string } {
    this.ensure();
    return { privateKey: this.platformPrivate!, publicKeyId: this.publicKeyIdValue };
  }

  apiV3Key(): string {
    this.ensure();
    return this.v3Key;
  }

  /**
   * The app brings its own merchant key (e.g. WECHAT_PAY_PRIVATE_KEY set in development): from now on
   * requests are verified with this public key and serial. Kept across reset().
   */
  registerMerchant(publicKeyPem: string, serialNo: string): void {
    let key: KeyObject;
    try {
      key = createPublicKey(publicKeyPem);
    } catch {
      throw new SimulatorInputError("publicKey must be a PEM public key");
    }
    if (/PRIVATE/.test(publicKeyPem)) throw new SimulatorInputError("send the public key, not the private one");
    if (!/^[0-9A-Za-z]{1,64}$/.test(serialNo))
      throw new SimulatorInputError("serialNo must be the certificate's serial");
    this.ensure();
    this.merchantPrivate = null;
    this.merchantPublicKey = key;
    this.serial = serialNo;
  }

  /** Everything the app needs to talk to this simulator. */
  material(): MerchantMaterial {
    this.ensure();
    return {
      mchid: this.mchid,
      appid: this.appid(),
      merchantSerialNo: this.serial,
      merchantPrivateKey: this.merchantPrivate
        ? (this.merchantPrivate.export({ type: "pkcs8", format: "pem" }) as string)
        : null,
      apiV3Key: this.v3Key,
      wechatpayPublicKey: this.platformPublicKey!.export({ type: "spki", format: "pem" }) as string,
      wechatpayPublicKeyId: this.publicKeyIdValue,
    };
  }
}
