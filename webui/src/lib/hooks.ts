import { useEffect, useState } from "react";
import type { CatalogResponse, OrderStatusView } from "../../server/api-types.ts";
import { api } from "./api.ts";

/** The catalog, read once per page load: a region or restaurant added at run time shows on the next load. */
let catalogOnce: Promise<CatalogResponse> | null = null;
export function useCatalog(): { catalog: CatalogResponse | null; error: string | null } {
  const [catalog, setCatalog] = useState<CatalogResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    catalogOnce ??= api.catalog().catch((e: unknown) => {
      catalogOnce = null;
      throw e;
    });
    catalogOnce.then(
      (c) => live && setCatalog(c),
      (e: unknown) => live && setError((e as Error).message),
    );
    return () => {
      live = false;
    };
  }, []);
  return { catalog, error };
}

/** Re-renders every `ms` with the current time, for countdowns. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export type StreamState = "connecting" | "waiting" | "live" | "interrupted" | "ended" | "not-found";

/**
 * Follows an order over server-sent events. EventSource reconnects by itself after a network
 * error; an `end` event means the order is over (or unknown), so the stream is closed for good.
 */
export function useOrderStream(id: string): {
  view: OrderStatusView | null;
  state: StreamState;
  problem: string | null;
} {
  const [view, setView] = useState<OrderStatusView | null>(null);
  const [state, setState] = useState<StreamState>("connecting");
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    setView(null);
    setState("connecting");
    const source = new EventSource(api.orderEventsUrl(id));
    const data = <T>(e: Event) => JSON.parse((e as MessageEvent<string>).data) as T;
    source.addEventListener("order", (e) => {
      setView(data<OrderStatusView>(e));
      setState("live");
      setProblem(null);
    });
    // The driver's latest GPS fix, between the order's own changes: only the marker moves.
    source.addEventListener("driver", (e) => {
      const fix = data<{ driverId: string; location: OrderStatusView["driverLocation"] }>(e);
      setView((v) => (v && v.driverId === fix.driverId ? { ...v, driverLocation: fix.location } : v));
    });
    source.addEventListener("waiting", () => setState("waiting"));
    source.addEventListener("problem", (e) => {
      setProblem(data<{ error: string }>(e).error);
      setState("interrupted");
    });
    source.addEventListener("end", (e) => {
      source.close();
      setState(data<{ reason: string }>(e).reason === "not found" ? "not-found" : "ended");
    });
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED) setState((s) => (s === "ended" ? s : "interrupted"));
    };
    return () => source.close();
  }, [id]);
  return { view, state, problem };
}

/** Polls a loader every `ms` while mounted; keeps the last good value when a poll fails. */
export function usePolling<T>(
  load: () => Promise<T>,
  ms: number,
  key: string,
): { value: T | null; error: string | null } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setValue(null);
    const tick = async () => {
      try {
        const v = await load();
        if (live) {
          setValue(v);
          setError(null);
        }
      } catch (e) {
        if (live) setError((e as Error).message);
      }
      if (live) timer = setTimeout(() => void tick(), ms);
    };
    void tick();
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // `key` names what `load` reads; a new key restarts polling.
  }, [key, ms]);
  return { value, error };
}
