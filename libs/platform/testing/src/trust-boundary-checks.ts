import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CompleteResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { DomainContract } from '@mcpfed/contract-common';
import { ERROR_CODES } from '@mcpfed/errors';
import { hostileArgumentCases, stringFieldPaths, valueAt } from './contract-cases.ts';
import type { ScopeCase } from './contract-cases.ts';

/** Where raw JSON-RPC goes: a server's base URL and a bearer token. */
export interface RawTarget {
  readonly url: string;
  readonly token: string;
}

/** What a raw POST /mcp answered. */
export interface RawAnswer {
  readonly status: number;
  readonly body: Record<string, unknown> | undefined;
}

let nextId = 1;

/** POSTs one JSON-RPC request (params given as JSON text, so prototype keys travel as sent). */
export async function postRaw(target: RawTarget, method: string, paramsJson: string): Promise<RawAnswer> {
  const res = await fetch(`${target.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${target.token}` },
    body: `{"jsonrpc":"2.0","id":${nextId++},"method":${JSON.stringify(method)},"params":${paramsJson}}`,
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  return { status: res.status, body };
}

function toolError(answer: RawAnswer): { code?: string; details?: Record<string, unknown> } | undefined {
  const result = answer.body?.['result'] as
    { isError?: boolean; structuredContent?: { error?: { code?: string; details?: Record<string, unknown> } } } | undefined;
  return result?.isError === true ? (result.structuredContent?.error ?? {}) : undefined;
}

function rpcError(error: unknown): { code?: number; data?: { code?: string } } {
  return (typeof error === 'object' && error !== null ? error : {}) as { code?: number; data?: { code?: string } };
}

/**
 * Runs a scope matrix through real clients (`connect` gives one holding exactly the granted scopes, over HTTP or
 * stdio; one per distinct set is made). Each entry must be absent from the caller's list and refused: a tool with an
 * isError result whose code is FORBIDDEN, a resource or prompt with JSON-RPC -32000 and `data.code` FORBIDDEN.
 * Completing a prompt's or resource template's argument (`completion/complete`) must be refused the same way, before
 * the server looks at the argument. Returns what did not hold.
 */
export async function checkScopeMatrix(cases: readonly ScopeCase[], connect: (granted: readonly string[]) => Promise<Client>): Promise<string[]> {
  const failures: string[] = [];
  const clients = new Map<string, Promise<Client>>();
  const clientFor = (granted: readonly string[]) => {
    const key = [...granted].sort().join(' ');
    let client = clients.get(key);
    if (client === undefined) clients.set(key, (client = connect(granted)));
    return client;
  };
  for (const entry of cases) {
    const client = await clientFor(entry.granted);
    const about = `${entry.kind} ${entry.name} without ${entry.missing}`;
    if (entry.kind === 'tool') {
      if ((await client.listTools()).tools.some((tool) => tool.name === entry.name)) failures.push(`${about}: listed`);
      const result = (await client.callTool({ name: entry.name, arguments: {} })) as { isError?: boolean; structuredContent?: { error?: { code?: string } } };
      if (result.isError !== true || result.structuredContent?.error?.code !== 'FORBIDDEN')
        failures.push(`${about}: answered ${JSON.stringify(result).slice(0, 200)}`);
      continue;
    }
    if (entry.kind === 'resource') {
      const listed = entry.name.includes('{')
        ? (await client.listResourceTemplates()).resourceTemplates.some((template) => template.uriTemplate === entry.name)
        : (await client.listResources()).resources.some((resource) => resource.uri === entry.name);
      if (listed) failures.push(`${about}: listed`);
    } else if ((await client.listPrompts()).prompts.some((prompt) => prompt.name === entry.name)) {
      failures.push(`${about}: listed`);
    }
    const read = entry.kind === 'resource' ? client.readResource({ uri: entry.target }) : client.getPrompt({ name: entry.name, arguments: entry.args });
    const refusal = await read.then(
      () => undefined,
      (error: unknown) => rpcError(error),
    );
    if (refusal?.code !== -32000 || refusal.data?.code !== 'FORBIDDEN') failures.push(`${about}: answered ${JSON.stringify(refusal ?? 'content')}`);
    if (entry.kind === 'resource' && !entry.name.includes('{')) continue;
    const ref = entry.kind === 'prompt' ? { type: 'ref/prompt', name: entry.name } : { type: 'ref/resource', uri: entry.name };
    const completion = await client
      .request({ method: 'completion/complete', params: { ref, argument: { name: 'id', value: 'a' } } }, CompleteResultSchema)
      .then(
        () => undefined,
        (error: unknown) => rpcError(error),
      );
    if (completion?.code !== -32000 || completion.data?.code !== 'FORBIDDEN')
      failures.push(`completion of ${about}: answered ${JSON.stringify(completion ?? 'a completion')}`);
  }
  return failures;
}

/**
 * Sends every hostile argument set of every tool of the contract (see hostileArgumentCases) as a caller with every
 * scope. Each must get HTTP 200 and a tools/call result: a success, or an error with a code of the closed set other
 * than INTERNAL. Returns what did not hold (a 5xx, a protocol error, INTERNAL, no answer).
 */
export async function checkHostileArguments(contract: DomainContract, target: RawTarget): Promise<string[]> {
  const failures: string[] = [];
  for (const tool of contract.tools) {
    for (const hostile of hostileArgumentCases(tool)) {
      const about = `${tool.name} with ${hostile.name}`;
      const answer: RawAnswer = await postRaw(target, 'tools/call', `{"name":${JSON.stringify(tool.name)},"arguments":${hostile.argumentsJson}}`).catch(
        (error: unknown) => ({ status: 0, body: { failed: String(error) } }),
      );
      const result = answer.body?.['result'];
      if (answer.status !== 200 || result === undefined) {
        failures.push(`${about}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
        continue;
      }
      const error = toolError(answer);
      if (error !== undefined && (error.code === 'INTERNAL' || !(ERROR_CODES as readonly string[]).includes(error.code ?? '')))
        failures.push(`${about}: ${JSON.stringify(error)}`);
    }
  }
  return failures;
}

/**
 * Sends a NUL character in every string field of every tool (nested fields and array items too), in every resource
 * URI and in every prompt argument, as a caller with every scope. Each must be refused before anything runs: a tool
 * with VALIDATION_FAILED naming exactly that field, a resource or prompt with JSON-RPC -32602. Returns what did not hold.
 */
export async function checkNulEverywhere(contract: DomainContract, target: RawTarget): Promise<string[]> {
  const failures: string[] = [];
  for (const tool of contract.tools) {
    for (const path of stringFieldPaths(tool)) {
      const field = path.join('.');
      const answer = await postRaw(target, 'tools/call', JSON.stringify({ name: tool.name, arguments: valueAt(path, 'a\u0000b') }));
      const error = toolError(answer);
      const issues = error?.details?.['issues'] as Array<{ path?: string }> | undefined;
      if (error?.code !== 'VALIDATION_FAILED' || issues?.[0]?.path !== field)
        failures.push(`${tool.name}.${field}: ${JSON.stringify(answer.body).slice(0, 300)}`);
    }
  }
  for (const resource of contract.resources) {
    const answer = await postRaw(target, 'resources/read', JSON.stringify({ uri: `${resource.uri.replace(/\{[^}]+\}/g, 'x1')}\u0000` }));
    if ((answer.body?.['error'] as { code?: number } | undefined)?.code !== -32602)
      failures.push(`resource ${resource.uri}: ${JSON.stringify(answer.body).slice(0, 300)}`);
  }
  for (const prompt of contract.prompts) {
    const keys = Object.keys(prompt.args.shape);
    // A prompt without arguments gets the NUL in its name.
    const params =
      keys.length > 0 ? { name: prompt.name, arguments: Object.fromEntries(keys.map((key) => [key, 'a\u0000b'])) } : { name: `${prompt.name}\u0000` };
    const answer = await postRaw(target, 'prompts/get', JSON.stringify(params));
    if ((answer.body?.['error'] as { code?: number } | undefined)?.code !== -32602)
      failures.push(`prompt ${prompt.name}: ${JSON.stringify(answer.body).slice(0, 300)}`);
  }
  return failures;
}
