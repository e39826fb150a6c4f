import { Link } from "./components/Link.tsx";
import { Shop } from "./components/Shop.tsx";
import { Tracking } from "./components/Tracking.tsx";
import { Fleet } from "./components/Fleet.tsx";
import { useRoute } from "./lib/router.ts";

export function App() {
  const route = useRoute();
  return (
    <>
      <header className="site-header">
        <Link href="/" className="brand">
          <svg viewBox="0 0 24 24" aria-hidden="true" className="logo">
            <circle cx="12" cy="12" r="8" />
            <path d="M3 4v6M5 4v16M7 4v6M21 4c-2 0-3 3-3 7h3v9" />
          </svg>
          Food ordering
        </Link>
        <nav aria-label="Main">
          <Link href="/" aria-current={route.page === "shop" ? "page" : undefined}>
            Shop
          </Link>
          <Link href="/fleet" aria-current={route.page === "fleet" ? "page" : undefined}>
            Fleet
          </Link>
        </nav>
      </header>
      <main id="main">
        {route.page === "shop" && <Shop />}
        {route.page === "order" && <Tracking id={route.id} />}
        {route.page === "fleet" && <Fleet region={route.region} />}
        {route.page === "missing" && (
          <section>
            <h1>Page not found</h1>
            <p>
              <Link href="/">Back to the shop</Link>
            </p>
          </section>
        )}
      </main>
    </>
  );
}
