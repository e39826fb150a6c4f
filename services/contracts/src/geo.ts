import { z } from "zod";

/** A point on a region's map, in kilometres from the region's south-west corner. */
export const Location = z.strictObject({
  x: z.number().finite().min(0).max(1000),
  y: z.number().finite().min(0).max(1000),
});
export type Location = z.infer<typeof Location>;

export function distanceKm(a: Location, b: Location): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/** Moves `from` towards `to` by at most `stepKm`; returns the destination once it is within reach. */
export function stepTowards(from: Location, to: Location, stepKm: number): Location {
  const d = distanceKm(from, to);
  if (d <= stepKm || d === 0) return { ...to };
  const f = stepKm / d;
  return { x: from.x + (to.x - from.x) * f, y: from.y + (to.y - from.y) * f };
}
