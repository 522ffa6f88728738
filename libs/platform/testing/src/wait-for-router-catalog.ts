/**
 * Resolves once the router at `routerUrl` has discovered every upstream (`/status` says `ok`); rejects after
 * `timeoutMs` (default 30 s). `/readyz` is 200 as soon as one upstream is available; callers want the whole catalog.
 */
export async function waitForRouterCatalog(routerUrl: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const status = (await (await fetch(`${routerUrl}/status`)).json()) as { status: string };
    if (status.status === 'ok') return;
    if (Date.now() > until) throw new Error(`the router did not discover every upstream within ${timeoutMs / 1000} s: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
