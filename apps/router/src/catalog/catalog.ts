import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import type { Upstream } from '../upstream/upstream.ts';

/** `_meta` key under which each upstream tool, resource, template and prompt lists the scopes it needs (mcpfed convention). */
export const SCOPES_META = 'io.mcpfed/scopes';
/** `_meta` key under which an upstream publishes the deadline it gives a tool (or resource, prompt), in milliseconds. */
export const DEADLINE_META = 'io.mcpfed/deadline_ms';
/** `_meta` key under which an upstream lists a renamed tool's former names, which it still answers. */
export const ALIASES_META = 'io.mcpfed/aliases';
/** `_meta` key the router adds: the upstream serving the tool. */
export const UPSTREAM_META = 'io.mcpfed/upstream';
/** `_meta` key the router adds, `false` while the tool's upstream is unavailable (calls then fail fast). */
export const AVAILABLE_META = 'io.mcpfed/available';

/** A name offered by more than one upstream: the first in ROUTER_UPSTREAMS serves it, the others' copies are hidden. */
export interface Collision {
  kind: 'tool' | 'prompt' | 'resource' | 'resource_template';
  /** Tool or prompt name, resource URI or URI template. */
  name: string;
  /** The upstream that serves it in the merged catalog. */
  served_by: string;
  /** Upstreams whose copy is hidden from the merged catalog (still served at `/mcp/<name>`). */
  hidden: string[];
}

/** The lists of a catalog a client can be told changed. */
export type ListKind = 'tools' | 'prompts' | 'resources';

/** Every {@link ListKind}. */
export const LIST_KINDS: readonly ListKind[] = ['tools', 'prompts', 'resources'];

/** Longest deadline taken from an upstream's catalog, in milliseconds; a larger one is ignored (as is a malformed one). */
const MAX_DEADLINE_MS = 600_000;

/** Where a tool call, resource read or prompt goes and what it needs. */
export interface Route {
  upstream: Upstream;
  /** Scopes the caller must hold, all of them, as the upstream published them; empty when it published none. */
  scopes: readonly string[];
  /** The deadline the upstream gives it, in milliseconds, when it published one. */
  deadlineMs?: number | undefined;
}

/** Where a tool goes and what it needs. */
export type ToolRoute = Route;

interface Entry extends Route {
  json: Record<string, unknown>;
}

/** The scopes of `route` that `scopes` lacks (empty: the caller may use it). */
export function missingScopes(route: Route, scopes: ReadonlySet<string>): string[] {
  return route.scopes.filter((scope) => !scopes.has(scope));
}

/** Scopes and deadline an upstream published in an entry's `_meta`; anything malformed counts as not published. */
function routeOf(upstream: Upstream, json: Record<string, unknown>): Route {
  const meta = json['_meta'];
  const published = typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? (meta as Record<string, unknown>) : {};
  const scopes = Array.isArray(published[SCOPES_META]) ? (published[SCOPES_META] as unknown[]).filter((s): s is string => typeof s === 'string') : [];
  const deadline = published[DEADLINE_META];
  const deadlineMs = Number.isSafeInteger(deadline) && (deadline as number) > 0 && (deadline as number) <= MAX_DEADLINE_MS ? (deadline as number) : undefined;
  return { upstream, scopes, deadlineMs };
}

/**
 * The merged catalog of a set of upstreams at one moment, with the routing tables built from it: tools and
 * prompts by name, resources by exact URI, then by URI template, then by URI scheme when exactly one upstream
 * uses it. Built anew whenever an upstream's catalog, health or breaker changes; immutable afterwards.
 *
 * Name collisions: the upstream listed first in ROUTER_UPSTREAMS keeps the name, the later ones' copies are
 * hidden and reported (`collisions`). Order, not arrival, decides, so a newly deployed upstream can never take a
 * name away from one that already had it.
 */
export class Catalog {
  readonly upstreams: readonly Upstream[];
  readonly collisions: readonly Collision[];
  /** One fingerprint per list a client can be told changed (`notifications/<kind>/list_changed`). */
  readonly fingerprints: Readonly<Record<ListKind, string>>;
  /** Whether any upstream offers completions. */
  readonly completions: boolean;
  readonly #tools = new Map<string, Entry>();
  /** Former names of renamed tools: routed like the tool, never listed; a real tool of the same name wins. */
  readonly #aliases = new Map<string, Entry>();
  readonly #prompts = new Map<string, Entry>();
  readonly #resources = new Map<string, Route>();
  readonly #templates: Array<Entry & { template: UriTemplate }> = [];
  readonly #schemes = new Map<string, Set<Upstream>>();

  constructor(upstreams: readonly Upstream[]) {
    this.upstreams = upstreams;
    const collisions = new Map<string, Collision>();
    const collide = (kind: Collision['kind'], name: string, servedBy: string, hidden: string) => {
      const key = `${kind}\u0000${name}`;
      const existing = collisions.get(key);
      if (existing) existing.hidden.push(hidden);
      else collisions.set(key, { kind, name, served_by: servedBy, hidden: [hidden] });
    };
    const templateNames = new Map<string, Upstream>();
    for (const upstream of upstreams) {
      const snapshot = upstream.snapshot;
      if (!snapshot) continue;
      const available = upstream.available;
      for (const tool of snapshot.tools) {
        const name = String(tool['name']);
        const owner = this.#tools.get(name);
        if (owner) {
          collide('tool', name, owner.upstream.name, upstream.name);
          continue;
        }
        const meta = (tool['_meta'] as Record<string, unknown> | undefined) ?? {};
        const json = { ...tool, _meta: { ...meta, [UPSTREAM_META]: upstream.name, ...(available ? {} : { [AVAILABLE_META]: false }) } };
        const entry = { ...routeOf(upstream, tool), json };
        this.#tools.set(name, entry);
        const aliases = meta[ALIASES_META];
        for (const alias of Array.isArray(aliases) ? aliases : []) {
          if (typeof alias === 'string' && !this.#aliases.has(alias)) this.#aliases.set(alias, entry);
        }
      }
      for (const prompt of snapshot.prompts) {
        const name = String(prompt['name']);
        const owner = this.#prompts.get(name);
        if (owner) collide('prompt', name, owner.upstream.name, upstream.name);
        else this.#prompts.set(name, { ...routeOf(upstream, prompt), json: prompt });
      }
      for (const resource of snapshot.resources) {
        const uri = String(resource['uri']);
        const owner = this.#resources.get(uri);
        if (owner) collide('resource', uri, owner.upstream.name, upstream.name);
        else this.#resources.set(uri, routeOf(upstream, resource));
        this.#addScheme(uri, upstream);
      }
      for (const json of snapshot.resourceTemplates) {
        const uriTemplate = String(json['uriTemplate']);
        const owner = templateNames.get(uriTemplate);
        if (owner) {
          collide('resource_template', uriTemplate, owner.name, upstream.name);
          continue;
        }
        templateNames.set(uriTemplate, upstream);
        this.#templates.push({ ...routeOf(upstream, json), template: new UriTemplate(uriTemplate), json });
        this.#addScheme(uriTemplate, upstream);
      }
    }
    this.collisions = [...collisions.values()];
    this.completions = upstreams.some((u) => u.snapshot?.capabilities['completions'] !== undefined);
    this.fingerprints = {
      tools: JSON.stringify([...this.#tools.values()].map((t) => t.json)),
      prompts: JSON.stringify([...this.#prompts.values()].map((p) => p.json)),
      resources: JSON.stringify([[...this.#resources.entries()].map(([uri, r]) => [uri, r.scopes]), this.#templates.map((t) => t.json)]),
    };
  }

  /** The tool's route (by its name or a former one), or undefined for a name no upstream offers. */
  tool(name: string): ToolRoute | undefined {
    return this.#tools.get(name) ?? this.#aliases.get(name);
  }

  /** The tool's definition as listed (with the router's `_meta`), or undefined for a name no upstream offers. */
  toolDefinition(name: string): Record<string, unknown> | undefined {
    return (this.#tools.get(name) ?? this.#aliases.get(name))?.json;
  }

  /** Tool definitions a caller with `scopes` may call (each tool's `_meta["io.mcpfed/scopes"]`). */
  listTools(scopes: ReadonlySet<string>): Array<Record<string, unknown>> {
    return allowed(this.#tools.values(), scopes);
  }

  /** Number of tools in this catalog. */
  get toolCount(): number {
    return this.#tools.size;
  }

  /** The route of prompt `name`. */
  prompt(name: string): Route | undefined {
    return this.#prompts.get(name);
  }

  /** Prompts a caller with `scopes` may get. */
  listPrompts(scopes: ReadonlySet<string>): Array<Record<string, unknown>> {
    return allowed(this.#prompts.values(), scopes);
  }

  /** Resource templates a caller with `scopes` may read. */
  listResourceTemplates(scopes: ReadonlySet<string>): Array<Record<string, unknown>> {
    return allowed(this.#templates, scopes);
  }

  /** The route of the resource template `uriTemplate` (exactly as listed), if one is served. */
  template(uriTemplate: string): Route | undefined {
    return this.#templates.find((entry) => entry.json['uriTemplate'] === uriTemplate);
  }

  /**
   * The route of `uri`: exact URI, then URI template, then a scheme only one upstream uses. A URI found by its
   * scheme alone has no published scopes: its upstream decides.
   */
  resource(uri: string): Route | undefined {
    const exact = this.#resources.get(uri);
    if (exact) return exact;
    for (const entry of this.#templates) {
      if (entry.template.match(uri)) return entry;
    }
    const owners = this.#schemes.get(schemeOf(uri));
    return owners?.size === 1 ? { upstream: [...owners][0] as Upstream, scopes: [] } : undefined;
  }

  #addScheme(uri: string, upstream: Upstream): void {
    const scheme = schemeOf(uri);
    if (scheme === '') return;
    const owners = this.#schemes.get(scheme) ?? new Set<Upstream>();
    owners.add(upstream);
    this.#schemes.set(scheme, owners);
  }
}

function allowed(entries: Iterable<Entry>, scopes: ReadonlySet<string>): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const entry of entries) {
    if (missingScopes(entry, scopes).length === 0) out.push(entry.json);
  }
  return out;
}

function schemeOf(uri: string): string {
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(uri);
  return match ? (match[1] as string).toLowerCase() : '';
}
