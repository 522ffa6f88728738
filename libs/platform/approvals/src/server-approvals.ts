import { ConfigError } from '@mcpfed/config';
import type { Kysely } from '@mcpfed/db';
import type { HttpPages } from '@mcpfed/mcp-runtime';
import type { Logger } from '@mcpfed/telemetry';
import { ApprovalGate } from './approval-gate.ts';
import { createApprovalPages } from './approval-pages.ts';
import type { ApprovalTables } from './approval-record.ts';

/** The approval settings of a server with approval pages, as its config parses them. */
export interface ApprovalSettings {
  readonly APPROVAL_ISSUER?: string | undefined;
  readonly AUTH_ISSUER?: string | undefined;
  readonly APPROVAL_CLIENT_ID: string;
  readonly APPROVAL_CLIENT_SECRET?: string | undefined;
  readonly APPROVAL_TTL_MS: number;
  readonly AUDIT_DIGEST_KEY: string;
}

/** A server's approvals: the gate its tools ask, and the pages where the person decides. Both absent when off. */
export interface ServerApprovals {
  readonly gate: ApprovalGate | undefined;
  readonly pages: HttpPages | undefined;
}

/**
 * Wires a server's approvals from its settings: on over HTTP with `APPROVAL_CLIENT_SECRET` set (a person needs a page
 * to open), off otherwise — then an operation that needs a person is refused, never done without one. The person logs
 * in at `APPROVAL_ISSUER`, else `AUTH_ISSUER`; a secret without either throws a `ConfigError` naming the setting,
 * for the composition root to print and exit on.
 */
export function serverApprovals<DB extends ApprovalTables>(
  settings: ApprovalSettings,
  options: { readonly http: boolean; readonly db: Kysely<DB>; readonly name: string; readonly publicUrl: string; readonly logger: Logger },
): ServerApprovals {
  const secret = settings.APPROVAL_CLIENT_SECRET;
  if (!options.http || secret === undefined) return { gate: undefined, pages: undefined };
  const issuer = settings.APPROVAL_ISSUER ?? settings.AUTH_ISSUER;
  if (issuer === undefined)
    throw new ConfigError([{ setting: 'APPROVAL_ISSUER', message: 'required with APPROVAL_CLIENT_SECRET when AUTH_ISSUER is not set' }]);
  return {
    gate: new ApprovalGate({ ttlMs: settings.APPROVAL_TTL_MS, urlOf: (id) => `${options.publicUrl}/approvals/${id}` }),
    pages: createApprovalPages({
      db: options.db,
      name: options.name,
      issuer,
      clientId: settings.APPROVAL_CLIENT_ID,
      clientSecret: secret,
      publicUrl: options.publicUrl,
      sessionTtlMs: settings.APPROVAL_TTL_MS,
      approvedTtlMs: settings.APPROVAL_TTL_MS,
      auditDigestKey: settings.AUDIT_DIGEST_KEY,
      logger: options.logger,
    }),
  };
}
