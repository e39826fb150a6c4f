import { createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { base58, restatePublicKey } from "../../src/request-identity.ts";

describe("request identity keys", () => {
  it("encodes base58 as Bitcoin's alphabet does, leading zero bytes as 1s", () => {
    expect(base58(Buffer.from("hello world"))).toBe("StV1DL6CwTryKyV");
    expect(base58(Uint8Array.from([0, 0, 1]))).toBe("112");
    expect(base58(Uint8Array.from([]))).toBe("");
  });

  it("names an Ed25519 public key as restate-server logs it", () => {
    // The public half of a key restate-server 1.7.12 loaded, and the name it logged for it.
    const x = "YYxR5CH8FE_DG0MjxPT0T3yeTbZDEN5CeNn8ax5J3xo";
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
    expect(restatePublicKey(key)).toBe("publickeyv1_7ZneVANVpATh8WEpZ49ATgd8ERAwMD8iPyoEGkv92Yb3");
  });
});
