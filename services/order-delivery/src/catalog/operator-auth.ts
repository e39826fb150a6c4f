import { bearerToken, matchesHash, secretHash } from "@food-ordering/contracts";
import type { AuthRefusal } from "../delivery/driver-auth.ts";

/**
 * Who may change the catalog: whoever shows the operator token (OPERATOR_TOKEN, the same
 * credential as the web UI's operator view). Compared as SHA-256 digests in constant time.
 * Missing: 401; wrong, or no token configured (then nobody may write): 403.
 */
export function operatorCheck(operatorToken: string) {
  const tokenHash = operatorToken ? secretHash(operatorToken) : undefined;
  return (authorization: string | undefined): AuthRefusal | undefined => {
    const presented = bearerToken(authorization);
    if (!presented)
      return {
        errorCode: 401,
        reason: "missing",
        message: "the operator token is required to change the catalog: send Authorization: Bearer <OPERATOR_TOKEN>",
      };
    if (matchesHash(presented, tokenHash)) return undefined;
    return {
      errorCode: 403,
      reason: "forged",
      message: tokenHash
        ? "not the operator token: the catalog is unchanged"
        : "this endpoint has no OPERATOR_TOKEN configured: the catalog cannot be changed",
    };
  };
}
