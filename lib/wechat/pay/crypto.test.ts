import { createCipheriv, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  answerMessage,
  apiV3KeyBytes,
  authorizationHeader,
  bridgeMessage,
  decryptAes256Gcm,
  loadPrivateKey,
  loadPublicKey,
  randomNonce,
  requestMessage,
  signSha256WithRsa,
  verifySha256WithRsa,
} from "./crypto";

/**
 * Official test vectors, from Tencent's own SDKs (data only):
 * - wechatpay-apiv3/wechatpay-go, utils/sign_test.go and core/auth/verifiers/sha256withrsa_pubkey_verifier_test.go:
 *   a 2048-bit test key, "source" and its SHA256withRSA signature. Its PEM label is "TESTING KEY" there, as
 *   here, so that no scanner takes it for a leaked key; it is relabelled before use.
 * - wechatpay-apiv3/wechatpay-java, core/src/test/java/.../cipher/AeadAesCipherTest.java and model/TestConfig.java:
 *   an APIv3 key, nonce, associated data, "message" and its AEAD_AES_256_GCM ciphertext.
 */
const GO_TEST_KEY = `-----BEGIN TESTING KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDZUJN33V+dSfvd
fL0Mu+39XrZNXFFMQSy1V15FpncHeV47SmV0TzTqZc7hHB0ddqAdDi8Z5k3TKqb7
6sOwYr5TcAfuR6PIPaleyE0/0KrljBum2Isa2Nyq7Dgc3ElBQ6YN4l/a+DpvKaz1
FSKmKrhLNskqokWVSlu4g8OlKlbPXQ9ibII14MZRQrrkTmHYHzfi7GXXM0thAKuR
0HNvyhTHBh4/lrYM3GaMvmWwkwvsMavnOex6+eioZHBOb1/EIZ/LzC6zuHArPpyW
3daGaZ1rtQB1vVzTyERAVVFsXXgBHvfFud3w3ShsJYk8JvMwK2RpJ5/gV0QSARcm
LDRUAlPzAgMBAAECggEBAMc7rDeUaXiWv6bMGbZ3BTXpg1FhdddnWUnYE8HfX/km
OFI7XtBHXcgYFpcjYz4D5787pcsk7ezPidAj58zqenuclmjKnUmT3pfbI5eCA2v4
C9HnbYDrmUPK1ZcADtka4D6ScDccpNYNa1g2TFHzkIrEa6H+q7S3O2fqxY/DRVtN
0JIXalBb8daaqL5QVzSmM2BMVnHy+YITJWIkP2a3pKs9C0W65JGDsnG0wVrHinHF
+cnhFZIbaPEI//DAFMc9NkrWOKVRTEgcCUxCFaHOZVNxDWZD7A2ZfJB2rK6eg//y
gEiFDR2h6mTaDowMB4YF2n2dsIO4/dCG8vPHI20jn4ECgYEA/ZGu6lEMlO0XZnam
AZGtiNgLcCfM/C2ZERZE7QTRPZH1WdK92Al9ndldsswFw4baJrJLCmghjF/iG4zi
hhBvLnOLksnZUfjdumxoHDWXo2QBWbI5QsWIE7AuTiWgWj1I7X4fCXSQf6i+M/y2
6TogQ7d0ANpZFyOkTNMn/tiJvLECgYEA22XqlamG/yfAGWery5KNH2DGlTIyd6xJ
WtJ9j3jU99lZ0bCQ5xhiBbU9ImxCi3zgTsoqLWgA/p00HhNFNoUcTl9ofc0G3zwT
D1y0ZzcnVKxGJdZ6ohW52V0hJStAigtjYAsUgjm7//FH7PiQDBDP1Wa6xSRkDQU/
aSbQxvEE8+MCgYEA3bb8krW7opyM0XL9RHH0oqsFlVO30Oit5lrqebS0oHl3Zsr2
ZGgoBlWBsEzk3UqUhTFwm/DhJLTSJ/TQPRkxnhQ5/mewNhS9C7yua7wQkzVmWN+V
YeUGTvDGDF6qDz12/vJAgSwDDRym8x4NcXD5tTw7mmNRcwIfL22SkysThIECgYAV
BgccoEoXWS/HP2/u6fQr9ZIR6eV8Ij5FPbZacTG3LlS1Cz5XZra95UgebFFUHHtC
EY1JHJY7z8SWvTH8r3Su7eWNaIAoFBGffzqqSVazfm6aYZsOvRY6BfqPHT3p/H1h
Tq6AbBffxrcltgvXnCTORjHPglU0CjSxVs7awW3AEQKBgB5WtaC8VLROM7rkfVIq
+RXqE5vtJfa3e3N7W3RqxKp4zHFAPfr82FK5CX2bppEaxY7SEZVvVInKDc5gKdG/
jWNRBmvvftZhY59PILHO2X5vO4FXh7suEjy6VIh0gsnK36mmRboYIBGsNuDHjXLe
BDa+8mDLkWu5nHEhOxy2JJZl
-----END TESTING KEY-----`.replaceAll("TESTING KEY", "PRIVATE KEY");

const GO_TEST_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA2VCTd91fnUn73Xy9DLvt
/V62TVxRTEEstVdeRaZ3B3leO0pldE806mXO4RwdHXagHQ4vGeZN0yqm++rDsGK+
U3AH7kejyD2pXshNP9Cq5YwbptiLGtjcquw4HNxJQUOmDeJf2vg6byms9RUipiq4
SzbJKqJFlUpbuIPDpSpWz10PYmyCNeDGUUK65E5h2B834uxl1zNLYQCrkdBzb8oU
xwYeP5a2DNxmjL5lsJML7DGr5znsevnoqGRwTm9fxCGfy8wus7hwKz6clt3Whmmd
a7UAdb1c08hEQFVRbF14AR73xbnd8N0obCWJPCbzMCtkaSef4FdEEgEXJiw0VAJT
8wIDAQAB
-----END PUBLIC KEY-----`;

const GO_SOURCE_SIGNATURE =
  "BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoVz+pp4hAm6pHU4ld815U4jsKu1RkyaII" +
  "+1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguLli/K8V29QiOhuH6IEqLNJn8e9b3nwNcQ7be3CzY" +
  "GpDAKBfDGPCqCv8Rw5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj1aJGH6/L+hdwfLpUtJm4QYVazzW7DFD27EpSQEqA8bX9+8m1rLg==";

const JAVA_APIV3_KEY = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
const JAVA_AEAD = {
  ciphertext: "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=",
  nonce: "uluk4a9R25RW",
  associatedData: "associatedData",
};

function encrypt(key: string, nonce: string, associatedData: string, plaintext: string): string {
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(key), Buffer.from(nonce));
  cipher.setAAD(Buffer.from(associatedData));
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return Buffer.concat([data, cipher.getAuthTag()]).toString("base64");
}

function flipByte(base64: string, index: number): string {
  const bytes = Buffer.from(base64, "base64");
  const i = index < 0 ? bytes.length + index : index;
  bytes[i] = bytes[i]! ^ 0x01;
  return bytes.toString("base64");
}

describe("SHA256withRSA", () => {
  const privateKey = loadPrivateKey(GO_TEST_KEY);
  const publicKey = loadPublicKey(GO_TEST_PUBLIC_KEY);

  it('signs the official vector exactly (wechatpay-go\'s "source")', () => {
    expect(signSha256WithRsa("source", privateKey)).toBe(GO_SOURCE_SIGNATURE);
  });

  it("verifies the official vector, and refuses it for another message or another key", () => {
    expect(verifySha256WithRsa("source", GO_SOURCE_SIGNATURE, publicKey)).toBe(true);
    expect(verifySha256WithRsa("wrong source", GO_SOURCE_SIGNATURE, publicKey)).toBe(false);
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
    expect(verifySha256WithRsa("source", GO_SOURCE_SIGNATURE, other)).toBe(false);
  });

  it("refuses, without throwing, signatures that are not base64 of the key's length", () => {
    expect(verifySha256WithRsa("source", "", publicKey)).toBe(false);
    expect(verifySha256WithRsa("source", "invalid base64 signature", publicKey)).toBe(false);
    expect(verifySha256WithRsa("source", GO_SOURCE_SIGNATURE.slice(4), publicKey)).toBe(false);
    expect(verifySha256WithRsa("source", `${GO_SOURCE_SIGNATURE}AAAA`, publicKey)).toBe(false);
    expect(verifySha256WithRsa("source", flipByte(GO_SOURCE_SIGNATURE, 10), publicKey)).toBe(false);
  });

  it("signs UTF-8: a Chinese body verifies as its bytes", () => {
    const message = requestMessage("POST", "/v3/pay/transactions/jsapi", "1", "N", '{"description":"会员卡"}');
    expect(verifySha256WithRsa(message, signSha256WithRsa(message, privateKey), publicKey)).toBe(true);
  });
});

describe("keys", () => {
  it("takes PKCS#8 and PKCS#1 private keys and KeyObjects", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    expect(loadPrivateKey(privateKey.export({ type: "pkcs1", format: "pem" }) as string).type).toBe("private");
    expect(loadPrivateKey(privateKey).type).toBe("private");
  });

  it("refuses keys shorter than 2048 bits, non-RSA keys, and a private key given as the public one", () => {
    const short = generateKeyPairSync("rsa", { modulusLength: 1024 });
    expect(() => loadPrivateKey(short.privateKey)).toThrow(/2048/);
    expect(() => loadPublicKey(short.publicKey)).toThrow(/2048/);
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    expect(() => loadPrivateKey(ec.privateKey)).toThrow(/RSA/);
    expect(() => loadPublicKey(GO_TEST_KEY)).toThrow(/not a private one/);
    expect(() => loadPublicKey(loadPrivateKey(GO_TEST_KEY))).toThrow(/public key/);
    expect(() => loadPrivateKey(loadPublicKey(GO_TEST_PUBLIC_KEY))).toThrow(/private key/);
  });

  it("never quotes the PEM when it cannot parse it", () => {
    const broken = GO_TEST_KEY.replace("MIIEvgIBADANBgkq", "MIIEvgIBADANBgkX");
    let message = "";
    try {
      loadPrivateKey(broken);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe("merchant private key is not a PEM private key");
  });
});

describe("the signed messages", () => {
  it("are one line per part, every line ending in \\n, the body empty for GET", () => {
    expect(requestMessage("GET", "/v3/certificates", "1554208460", "593BEC0C930BF1AFEB40B4A08C8FB242", "")).toBe(
      "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n",
    );
    expect(answerMessage("1554209980", "c5ac7061fccab6bf3e254dcf98995b8c", '{"data":[]}')).toBe(
      '1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n{"data":[]}\n',
    );
    expect(bridgeMessage("wx8888888888888888", "1414561699", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS", "prepay_id=wx1")).toBe(
      "wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx1\n",
    );
  });

  it("builds the Authorization header with every value quoted, and refuses a value that would break it", () => {
    const parts = {
      mchid: "1900009191",
      nonce: "N1",
      timestamp: "1554208460",
      serialNo: "1DDE55AD98ED71D6",
      signature: "c2ln",
    };
    expect(authorizationHeader(parts)).toBe(
      'WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="N1",signature="c2ln",timestamp="1554208460",serial_no="1DDE55AD98ED71D6"',
    );
    expect(() => authorizationHeader({ ...parts, mchid: 'x",serial_no="evil' })).toThrow(TypeError);
    expect(() => authorizationHeader({ ...parts, nonce: "" })).toThrow(TypeError);
  });
});

describe("randomNonce", () => {
  it("is 32 capital letters and digits by default, from the bytes given", () => {
    const nonce = randomNonce((n) => Uint8Array.from({ length: n }, (_, i) => i));
    expect(nonce).toBe("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345");
  });

  it("skips the bytes that would favour the first characters (>= 252)", () => {
    const bytes = [252, 255, 0, 35, 25];
    const nonce = randomNonce((n) => Uint8Array.from(bytes.splice(0, n)), 3);
    expect(nonce).toBe("A9Z");
  });

  it("gives up on a source that never yields a usable byte, and refuses lengths over 32", () => {
    expect(() => randomNonce((n) => new Uint8Array(n).fill(255))).toThrow(/unusable/);
    expect(() => randomNonce((n) => new Uint8Array(n), 33)).toThrow(RangeError);
  });
});

describe("AEAD_AES_256_GCM", () => {
  const key = apiV3KeyBytes(JAVA_APIV3_KEY);

  it('decrypts the official vector (wechatpay-java\'s "message")', () => {
    expect(decryptAes256Gcm(key, JAVA_AEAD)).toBe("message");
  });

  it("refuses the vector with its tag, ciphertext, nonce or associated data altered, or another key", () => {
    expect(decryptAes256Gcm(key, { ...JAVA_AEAD, ciphertext: flipByte(JAVA_AEAD.ciphertext, -1) })).toBeNull();
    expect(decryptAes256Gcm(key, { ...JAVA_AEAD, ciphertext: flipByte(JAVA_AEAD.ciphertext, 0) })).toBeNull();
    expect(decryptAes256Gcm(key, { ...JAVA_AEAD, nonce: "uluk4a9R25RX" })).toBeNull();
    expect(decryptAes256Gcm(key, { ...JAVA_AEAD, associatedData: "transaction" })).toBeNull();
    expect(decryptAes256Gcm(key, { ...JAVA_AEAD, associatedData: "" })).toBeNull();
    expect(decryptAes256Gcm(apiV3KeyBytes("b7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb"), JAVA_AEAD)).toBeNull();
  });

  it("refuses what is not base64, shorter than a tag, or not UTF-8 once decrypted", () => {
    expect(decryptAes256Gcm(key, { ...JAVA_AEAD, ciphertext: "invalid cipher" })).toBeNull();
    expect(decryptAes256Gcm(key, { ...JAVA_AEAD, ciphertext: "SGVsbG8=" })).toBeNull();
    const cipher = createCipheriv("aes-256-gcm", key, Buffer.from("0123456789ab"));
    const data = Buffer.concat([cipher.update(Buffer.from([0xff, 0xfe])), cipher.final(), cipher.getAuthTag()]);
    expect(
      decryptAes256Gcm(key, { ciphertext: data.toString("base64"), nonce: "0123456789ab", associatedData: "" }),
    ).toBeNull();
  });

  it("round-trips a Chinese transaction with associated data", () => {
    const plain = JSON.stringify({ out_trade_no: "SO2026", attach: "会员卡 🐱" });
    const ciphertext = encrypt(JAVA_APIV3_KEY, "fdasfwefdsa2", "transaction", plain);
    expect(decryptAes256Gcm(key, { ciphertext, nonce: "fdasfwefdsa2", associatedData: "transaction" })).toBe(plain);
  });

  it("wants a 32-byte APIv3 key (wechatpay-go's 16-byte test key is AES-128, not WeChat Pay's)", () => {
    expect(() => apiV3KeyBytes("testAPIv3Key0000")).toThrow(/32 bytes/);
    expect(() => apiV3KeyBytes("密钥".repeat(4) + "01234567")).not.toThrow();
    expect(() => decryptAes256Gcm(Buffer.alloc(16), JAVA_AEAD)).toThrow(/32 bytes/);
  });
});
