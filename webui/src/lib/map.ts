import type { Location } from "@food-ordering/contracts";

/**
 * Region maps are drawn in an SVG whose user units are kilometres, with a margin so markers at
 * the edge stay visible. The region's y axis points north, SVG's points down: flip it here.
 */
export const MAP_MARGIN_KM = 0.6;

export function viewBoxOf(sizeKm: number): string {
  return `${-MAP_MARGIN_KM} ${-MAP_MARGIN_KM} ${sizeKm + 2 * MAP_MARGIN_KM} ${sizeKm + 2 * MAP_MARGIN_KM}`;
}

export function toSvg(p: Location, sizeKm: number): { cx: number; cy: number } {
  const clamp = (v: number) => Math.min(sizeKm, Math.max(0, v));
  return { cx: clamp(p.x), cy: sizeKm - clamp(p.y) };
}

/** Grid lines every `stepKm`, as the positions to draw (both axes share them: maps are square). */
export function gridLines(sizeKm: number, stepKm = 1): number[] {
  const n = Math.floor(sizeKm / stepKm);
  return Array.from({ length: n + 1 }, (_, i) => i * stepKm);
}
