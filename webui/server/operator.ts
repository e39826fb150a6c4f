import { bearerToken, matchesHash, secretHash } from "@food-ordering/contracts";
import { HttpError } from "@food-ordering/kit";

/**
 * Who is asking for an operator's data: anonymous visitors get the public view; a request that
 * shows the operator token (`Authorization: Bearer <OPERATOR_TOKEN>`) the full one. A request that
 * shows any other credential is refused with 401 rather than quietly served the public view, so a
 * mistyped or rotated token is noticed. Without a configured token there is no operator view.
 */
export type Access = "public" | "operator";

export function operatorAccess(operatorToken: string) {
  const tokenHash = operatorToken ? secretHash(operatorToken) : undefined;
  return (authorization: string | undefined): Access => {
    if (authorization === undefined) return "public";
    const presented = bearerToken(authorization);
    if (presented && matchesHash(presented, tokenHash)) return "operator";
    throw new HttpError(
      401,
      tokenHash
        ? "not the operator token: send Authorization: Bearer <OPERATOR_TOKEN>, or no Authorization for the public view"
        : "this shop has no operator view (OPERATOR_TOKEN is not set): send no Authorization for the public view",
      undefined,
      { "www-authenticate": 'Bearer realm="operator"' },
    );
  };
}
