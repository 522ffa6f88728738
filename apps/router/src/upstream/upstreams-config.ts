import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** One upstream server of the router, as written in `ROUTER_UPSTREAMS` (snake_case: it is a file format). */
export const upstreamEntrySchema = z.strictObject({
  /** Logical name: `[a-z][a-z0-9-]*`, unique. Names the upstream in `/mcp/<name>`, errors, metrics and /status. */
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, 'must match [a-z][a-z0-9-]* (lowercase letters, digits, dashes)')
    .max(40)
    .refine((name) => name !== 'x' && name !== 'readonly', "x and readonly name the router's own views (/mcp/x/<toolset>, /mcp/readonly)"),
  /** Its Streamable HTTP endpoint, e.g. `http://127.0.0.1:8081/mcp`. */
  url: z.url({ protocol: /^https?$/ }),
  /**
   * Its resource identifier: the audience of the tokens the router exchanges for it (ROUTER_UPSTREAM_AUTH=exchange),
   * the `resource` of its RFC 9728 metadata. Default its `url`.
   */
  resource: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * Timeout of a request to it whose deadline it did not publish (`_meta["io.mcpfed/deadline_ms"]`; a published
   * deadline is waited for plus ROUTER_DEADLINE_MARGIN_MS), in milliseconds. Default 5000.
   */
  timeout_ms: z.int().min(1).max(600_000).default(5000),
  /** Timeouts of single tools, overriding everything else (e.g. `{ "order_place": 35000 }`), in milliseconds. Default none. */
  tool_timeout_ms: z.record(z.string().min(1), z.int().min(1).max(600_000)).default({}),
  /** Calls in flight to it at once; one more fails at once with UPSTREAM_UNAVAILABLE. Default 64. */
  concurrency: z.int().min(1).max(10_000).default(64),
  /** `false` leaves it out entirely (not discovered, not routed). Default true. */
  enabled: z.boolean().default(true),
});

/** An upstream entry after defaults. */
export type UpstreamEntry = z.output<typeof upstreamEntrySchema>;

/** The `ROUTER_UPSTREAMS` document: `{ "upstreams": [ ... ] }`, names unique. */
export const upstreamsDocumentSchema = z
  .strictObject({ upstreams: z.array(upstreamEntrySchema).min(1, 'at least one upstream is required') })
  .superRefine((doc, ctx) => {
    const seen = new Set<string>();
    doc.upstreams.forEach((upstream, index) => {
      if (seen.has(upstream.name)) ctx.addIssue({ code: 'custom', path: ['upstreams', index, 'name'], message: `duplicate upstream name "${upstream.name}"` });
      seen.add(upstream.name);
    });
  });

/**
 * Reads `ROUTER_UPSTREAMS`: the JSON document itself when the value starts with `{`, else the path of a file
 * holding it. Returns the enabled upstreams in the order written (the order decides name collisions: the
 * first upstream keeps the name). Throws an Error whose message names the problem (for the config line).
 */
export function parseUpstreams(value: string): UpstreamEntry[] {
  const text = value.trimStart().startsWith('{') ? value : readUpstreamsFile(value.trim());
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = upstreamsDocumentSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; '));
  }
  return parsed.data.upstreams.filter((upstream) => upstream.enabled);
}

function readUpstreamsFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
}
