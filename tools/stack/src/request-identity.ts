import { generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Restate's request identity (v1): restate-server signs every request to a service endpoint
 * with an Ed25519 key; the endpoint accepts only requests signed by the keys it is given, so
 * nothing else that reaches its port can invoke handlers. Restate names a public key
 * `publickeyv1_<base58 of the raw 32 bytes>`, the form the SDK's `identityKeys` takes.
 */
const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

export function base58(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes) n = n * 256n + BigInt(b);
  let out = "";
  while (n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}

/** The `publickeyv1_…` name of an Ed25519 public key. */
export function restatePublicKey(publicKey: KeyObject): string {
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
  return `publickeyv1_${base58(raw)}`;
}

export interface RequestIdentity {
  /** PEM file (PKCS#8) restate-server signs with. */
  privateKeyFile: string;
  /** What the endpoint verifies with. */
  publicKey: string;
}

/** The stack's key pair, made once per data directory and kept with it. */
export function ensureRequestIdentity(dataDir: string): RequestIdentity {
  const dir = path.join(dataDir, "request-identity");
  const privateKeyFile = path.join(dir, "private.pem");
  const publicKeyFile = path.join(dir, "public-key");
  if (!fs.existsSync(publicKeyFile)) {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(privateKeyFile, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    fs.writeFileSync(publicKeyFile, restatePublicKey(publicKey));
  }
  return { privateKeyFile, publicKey: fs.readFileSync(publicKeyFile, "utf8").trim() };
}

/**
 * The stack's shared secrets, made once per data directory and kept with it (as the chart keeps
 * its Secrets across upgrades): the POS signing key (restaurant callbacks), the driver enrollment
 * key (driver credentials), the operator token (the web UI's operator view) and the order signing
 * key (the order producers' signatures).
 */
export type StackSecret = "pos-signing-key" | "driver-enrollment-key" | "operator-token" | "order-signing-key";

export const stackSecretFile = (dataDir: string, name: StackSecret): string =>
  path.join(dataDir, "request-identity", name);

export function ensureStackSecret(dataDir: string, name: StackSecret): string {
  const file = stackSecretFile(dataDir, name);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 });
  }
  return fs.readFileSync(file, "utf8").trim();
}
