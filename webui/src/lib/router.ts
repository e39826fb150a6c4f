import { useEffect, useState } from "react";

/**
 * A three-page app needs no router library: the path is the state, history.pushState moves it,
 * and the server answers index.html for every non-API path so deep links work.
 */
export type Route =
  { page: "shop" } | { page: "order"; id: string } | { page: "fleet"; region: string | null } | { page: "missing" };

export function parseRoute(pathname: string): Route {
  if (pathname === "/" || pathname === "") return { page: "shop" };
  const order = /^\/orders\/([^/]+)\/?$/.exec(pathname);
  if (order) return { page: "order", id: decodeURIComponent(order[1]!) };
  const fleet = /^\/fleet(?:\/([^/]+))?\/?$/.exec(pathname);
  if (fleet) return { page: "fleet", region: fleet[1] ? decodeURIComponent(fleet[1]) : null };
  return { page: "missing" };
}

export function navigate(path: string): void {
  window.history.pushState(null, "", path);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const onPop = () => setRoute(parseRoute(window.location.pathname));
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);
  return route;
}
