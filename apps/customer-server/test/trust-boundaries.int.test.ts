/**
 * The customer server's trust boundaries, generated from its contract and run against the real process over HTTP and
 * stdio: scopes on every tool, resource and prompt, hostile arguments, NUL in every string field, and an audit
 * trail that keeps recording after hostile bytes (see trustBoundarySuite).
 */
import { SCOPES } from '@mcpfed/contract-common';
import { customerContract } from '@mcpfed/contract-customer';
import { trustBoundarySuite } from '@mcpfed/testing';

trustBoundarySuite({ app: 'customer-server', contract: customerContract, scopes: SCOPES, label: 'cus_trust' });
