import { describe, expect, it } from 'vitest';
import {
  acceptsUrlElicitation,
  cancelTaskResult,
  declaresTasksExtension,
  createTaskResult,
  decodeTaskId,
  encodeTaskId,
  getTaskResult,
  taskCapabilities,
  taskRevisionOf,
  tasksExtensionMissing,
  urlElicitationAnswer,
  wireStatus,
  wireTask,
} from './task-wire.ts';
import { ProtocolError } from './protocol-error.ts';

const state = { status: 'working' as const, message: 'Step 1 of 6.', createdAt: new Date('2026-12-06T10:00:00Z'), updatedAt: new Date('2026-12-06T10:00:01Z') };

describe('task ids', () => {
  it('name their tool and handle, and refuse anything else', () => {
    expect(encodeTaskId('order_place', 'ord_1')).toBe('order_place:ord_1');
    expect(decodeTaskId('order_place:ord_1')).toEqual({ tool: 'order_place', handle: 'ord_1' });
    for (const bad of [
      undefined,
      42,
      '',
      'order_place',
      ':ord_1',
      'order_place:',
      'Order:x',
      "order_place:x'; --",
      'order_place:a:b',
      `order_place:${'a'.repeat(129)}`,
    ]) {
      expect(decodeTaskId(bad)).toBeUndefined();
    }
  });
});

describe('the wire of each revision', () => {
  it('2025-11-25: the task utility (ttl, pollInterval, tasks capability, -32042)', () => {
    expect(taskRevisionOf(undefined)).toBe('2025-11-25');
    expect(taskRevisionOf('2025-06-18')).toBe('2025-11-25');
    const task = wireTask('2025-11-25', 'order_place:ord_1', state, 1000);
    expect(task).toEqual({
      taskId: 'order_place:ord_1',
      status: 'working',
      statusMessage: 'Step 1 of 6.',
      createdAt: '2026-12-06T10:00:00.000Z',
      lastUpdatedAt: '2026-12-06T10:00:01.000Z',
      ttl: null,
      pollInterval: 1000,
    });
    expect(createTaskResult('2025-11-25', task, 'started')).toEqual({ task, _meta: { 'io.modelcontextprotocol/model-immediate-response': 'started' } });
    expect(getTaskResult('2025-11-25', task, { content: [] })).toBe(task);
    expect(cancelTaskResult('2025-11-25', task)).toBe(task);
    expect(taskCapabilities('2025-11-25')).toEqual({ tasks: { cancel: {}, requests: { tools: { call: {} } } } });
    const answer = urlElicitationAnswer('2025-11-25', { elicitationId: 'apr_1', url: 'https://shop.example/approvals/apr_1', message: 'Approve it.' });
    expect('error' in answer && answer.error).toBeInstanceOf(ProtocolError);
    expect('error' in answer && { code: answer.error.code, data: answer.error.data }).toEqual({
      code: -32042,
      data: { elicitations: [{ mode: 'url', elicitationId: 'apr_1', url: 'https://shop.example/approvals/apr_1', message: 'Approve it.' }] },
    });
  });

  it('2026-07-28: the tasks extension (resultType, ttlMs, pollIntervalMs, result inline, empty cancel ack, input_required)', () => {
    expect(taskRevisionOf('2026-07-28')).toBe('2026-07-28');
    const task = wireTask('2026-07-28', 'order_place:ord_1', state, 1000);
    expect(task).toMatchObject({ ttlMs: null, pollIntervalMs: 1000 });
    expect(task).not.toHaveProperty('ttl');
    expect(createTaskResult('2026-07-28', task, 'started')).toMatchObject({ resultType: 'task', ...task });
    expect(createTaskResult('2026-07-28', task, 'started')).not.toHaveProperty('task');
    expect(getTaskResult('2026-07-28', task, { content: [] })).toEqual({ resultType: 'complete', ...task, result: { content: [] } });
    expect(cancelTaskResult('2026-07-28', task)).toEqual({ resultType: 'complete' });
    expect(taskCapabilities('2026-07-28')).toEqual({ extensions: { 'io.modelcontextprotocol/tasks': {} } });
    // A tool error ends the task `completed` there (`failed` is for JSON-RPC errors); 2025-11-25 keeps `failed`.
    const failed = { ...state, status: 'failed' as const };
    expect(wireStatus('2026-07-28', failed).status).toBe('completed');
    expect(wireStatus('2025-11-25', failed).status).toBe('failed');
    expect(wireStatus('2026-07-28', { ...state, status: 'cancelled' }).status).toBe('cancelled');
    // Only a request declaring the extension in its own capabilities gets tasks; others get -32021.
    const caps = (c: unknown) => ({ 'io.modelcontextprotocol/clientCapabilities': c });
    expect(declaresTasksExtension(caps({ extensions: { 'io.modelcontextprotocol/tasks': {} } }))).toBe(true);
    expect(declaresTasksExtension(caps({ extensions: { 'io.modelcontextprotocol/tasks': true } }))).toBe(false);
    expect(declaresTasksExtension(caps({ elicitation: { url: {} } }))).toBe(false);
    expect(declaresTasksExtension(undefined)).toBe(false);
    expect(tasksExtensionMissing('tasks/get')).toMatchObject({
      code: -32021,
      data: { requiredCapabilities: { extensions: { 'io.modelcontextprotocol/tasks': {} } } },
    });
    expect(urlElicitationAnswer('2026-07-28', { elicitationId: 'apr_1', url: 'https://shop.example/approvals/apr_1', message: 'Approve it.' })).toEqual({
      result: {
        resultType: 'input_required',
        inputRequests: {
          apr_1: { method: 'elicitation/create', params: { mode: 'url', url: 'https://shop.example/approvals/apr_1', message: 'Approve it.' } },
        },
      },
    });
  });
});

describe('URL-mode elicitation', () => {
  it('is accepted when the request or the connection declares elicitation.url, the request winning', () => {
    const meta = (elicitation: unknown) => ({ 'io.modelcontextprotocol/clientCapabilities': { elicitation } });
    expect(acceptsUrlElicitation(meta({ url: {} }), undefined)).toBe(true);
    expect(acceptsUrlElicitation(meta({ form: {} }), { elicitation: { url: {} } })).toBe(false);
    expect(acceptsUrlElicitation(undefined, { elicitation: { url: {} } })).toBe(true);
    expect(acceptsUrlElicitation(undefined, { elicitation: {} })).toBe(false);
    expect(acceptsUrlElicitation(meta({ url: true }), undefined)).toBe(false);
    expect(acceptsUrlElicitation(undefined, undefined)).toBe(false);
  });
});
