/**
 * The order server's trust boundaries, generated from its contract and run against the real process over HTTP and
 * stdio: scopes on every tool, resource and prompt, hostile arguments, NUL in every string field, and an audit
 * trail that keeps recording after hostile bytes (see trustBoundarySuite).
 */
import { SCOPES } from '@mcpfed/contract-common';
import { orderContract } from '@mcpfed/contract-order';
import { trustBoundarySuite } from '@mcpfed/testing';

trustBoundarySuite({ app: 'order-server', contract: orderContract, scopes: SCOPES, label: 'ord_trust' });
