import { Hono } from "hono";
import { trimTrailingSlash } from "hono/trailing-slash";
import { ASSET_VERSION, ASSETS } from "./assets.generated";
import { renderDashboardPage } from "./page";

/**
 * The usage dashboard, mounted by the app at `/dashboard`. The page is static:
 * it signs in with a tenant key typed by the operator and calls the public v1
 * API from the browser, so these routes need no bindings and no auth.
 */
export const dashboardRoutes = new Hono();

// `/dashboard/` (a common way to type it) redirects to the page rather than a 404.
dashboardRoutes.use(trimTrailingSlash());

// Everything the page loads comes from this origin; nothing inline, no CDN.
const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const securityHeaders = {
  "Content-Security-Policy": contentSecurityPolicy,
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
};

// Maps, not object lookups: a file named `toString` must be a 404, not a prototype method.
const CONTENT_TYPES = new Map([
  ["js", "text/javascript; charset=utf-8"],
  ["css", "text/css; charset=utf-8"],
]);
const FILES = new Map(Object.entries(ASSETS));

dashboardRoutes.get("/", (c) =>
  c.body(renderDashboardPage(), 200, {
    ...securityHeaders,
    "Content-Type": "text/html; charset=utf-8",
    // The shell names the current asset version, so it must be revalidated.
    "Cache-Control": "no-cache",
  }),
);

dashboardRoutes.get("/assets/:version/:file", (c) => {
  const { version, file } = c.req.param();
  const body = FILES.get(file);
  const contentType = CONTENT_TYPES.get(file.slice(file.lastIndexOf(".") + 1));
  if (version !== ASSET_VERSION || body === undefined || contentType === undefined) return c.notFound();
  return c.body(body, 200, {
    ...securityHeaders,
    "Content-Type": contentType,
    "Cache-Control": "public, max-age=31536000, immutable",
    ETag: `"${ASSET_VERSION}"`,
  });
});
