/** Display formats shared by the pages; pure so they are unit-tested without a browser. */

const money = new Intl.NumberFormat("en", { style: "currency", currency: "EUR" });

/** Cents as euros, e.g. 1250 → "€12.50". */
export const formatCents = (cents: number): string => money.format(cents / 100);

/** Wall-clock time of an epoch ms, e.g. "14:03:27". */
export function formatTime(epochMs: number): string {
  const d = new Date(epochMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}

/** Time left until `target`, e.g. "1:05", "12:00:03", or "any moment" once it passed. */
export function formatCountdown(target: number, now: number): string {
  const left = Math.ceil((target - now) / 1000);
  if (left <= 0) return "any moment";
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = String(left % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** Shortens long generated ids for headings; the full id stays in the page for copying. */
export const shortId = (id: string): string => (id.length > 16 ? `${id.slice(0, 12)}…` : id);
