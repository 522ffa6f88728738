/**
 * The payment server's trust boundaries, generated from its contract and run against the real process over HTTP and
 * stdio: scopes on every tool, resource and prompt, hostile arguments, NUL in every string field, and an audit
 * trail that keeps recording after hostile bytes (see trustBoundarySuite).
 */
import { SCOPES } from '@mcpfed/contract-common';
import { paymentContract } from '@mcpfed/contract-payment';
import { trustBoundarySuite } from '@mcpfed/testing';

trustBoundarySuite({ app: 'payment-server', contract: paymentContract, scopes: SCOPES, label: 'pay_trust' });
