import { Hono } from "hono";
import { renderDashboardPage } from "./page";

/**
 * The usage dashboard, mounted by the app at `/dashboard`. The page is static:
 * it signs in with a tenant key typed by the operator and talks to the public
 * v1 API from the browser, so these routes need no bindings and no auth.
 */
export const dashboardRoutes = new Hono();

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

const pageHeaders = {
  "Content-Type": "text/html; charset=utf-8",
  "Content-Security-Policy": contentSecurityPolicy,
  "Cache-Control": "no-cache",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
};

dashboardRoutes.get("/", (c) => c.body(renderDashboardPage(), 200, pageHeaders));
