import type { DeploymentSummary, Subscription } from "./admin-client.ts";

/**
 * How the registrar recognises what it created, so it deletes only its own objects and never
 * a subscription or deployment someone else registered by hand.
 *
 * - Deployments carry Restate's own `metadata` map, which nothing else reads.
 * - Subscriptions have no metadata: every option goes to librdkafka, which rejects unknown keys
 *   (measured: the consumer then fails in a loop with "No such configuration property"). The
 *   marker therefore lives in `client.id`, a real consumer property whose only effect is the
 *   name the consumer shows to the brokers (Restate sets it to "restate" when absent).
 */
export const MANAGED_BY = "restate-registrar";

export function deploymentMarker(owner: string): Record<string, string> {
  return { "managed-by": MANAGED_BY, owner };
}

export function ownsDeployment(d: DeploymentSummary, owner: string): boolean {
  return d.metadata?.["managed-by"] === MANAGED_BY && d.metadata.owner === owner;
}

export function subscriptionClientId(owner: string): string {
  return `${MANAGED_BY}.${owner}`;
}

export function ownsSubscription(s: Subscription, owner: string): boolean {
  return s.options["client.id"] === subscriptionClientId(owner);
}
