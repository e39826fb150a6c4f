/**
 * The matcher's rules as pure functions over its state, so they can be tested as a state machine
 * (property tests) apart from Restate. FIFO on both sides; whenever a driver and a delivery are
 * both waiting, they are paired at once — so at most one of the two queues is ever non-empty.
 */
export interface MatcherState {
  drivers: string[];
  pending: string[];
  roster: string[];
}
export interface Match {
  deliveryId: string;
  driverId: string;
}
export type Step = { state: MatcherState; match?: Match };

export const emptyMatcher = (): MatcherState => ({ drivers: [], pending: [], roster: [] });

export function driverAvailable(s: MatcherState, driverId: string): Step {
  const roster = s.roster.includes(driverId) ? s.roster : [...s.roster, driverId];
  if (s.drivers.includes(driverId)) return { state: { ...s, roster } };
  const [deliveryId, ...pending] = s.pending;
  if (deliveryId) return { state: { ...s, pending, roster }, match: { deliveryId, driverId } };
  return { state: { ...s, drivers: [...s.drivers, driverId], roster } };
}

export function driverGone(s: MatcherState, driverId: string): MatcherState {
  return s.drivers.includes(driverId) ? { ...s, drivers: s.drivers.filter((d) => d !== driverId) } : s;
}

export function deliveryRequested(s: MatcherState, deliveryId: string): Step {
  if (s.pending.includes(deliveryId)) return { state: s };
  const [driverId, ...drivers] = s.drivers;
  if (driverId) return { state: { ...s, drivers }, match: { deliveryId, driverId } };
  return { state: { ...s, pending: [...s.pending, deliveryId] } };
}
