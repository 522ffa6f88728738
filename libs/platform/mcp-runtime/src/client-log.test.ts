import { describe, expect, it } from 'vitest';
import { MAX_CLIENT_LOG_MESSAGES, clientLog } from './client-log.ts';

function recorder() {
  const sent: Array<{ level: string; logger: string; data: Record<string, unknown> }> = [];
  return {
    sent,
    send: async (notification: { params: { level: string; logger: string; data: Record<string, unknown> } }) => void sent.push(notification.params),
  };
}

describe('clientLog', () => {
  it('sends nothing when the client asked for no level', async () => {
    const { sent, send } = recorder();
    await clientLog('order-server', undefined, send)('emergency', 'down');
    expect(sent).toEqual([]);
  });

  it('sends what is at or above the level, as message plus scalar details', async () => {
    const { sent, send } = recorder();
    const log = clientLog('order-server', 'notice', send);
    await log('info', 'step done', { order_id: 'ord_1' });
    await log('notice', 'completed', { order_id: 'ord_1', message: 'not this', done: 6, ok: true });
    await log('error', 'failed');
    expect(sent).toEqual([
      { level: 'notice', logger: 'order-server', data: { message: 'completed', order_id: 'ord_1', done: 6, ok: true } },
      { level: 'error', logger: 'order-server', data: { message: 'failed' } },
    ]);
  });

  it('caps the messages of one request, cuts long text and never throws when sending fails', async () => {
    const { sent, send } = recorder();
    const log = clientLog('s', 'debug', send);
    for (let i = 0; i < MAX_CLIENT_LOG_MESSAGES + 5; i += 1) await log('debug', `m${i}`, { text: 'x'.repeat(600) });
    expect(sent).toHaveLength(MAX_CLIENT_LOG_MESSAGES);
    expect((sent[0]?.data['text'] as string).startsWith(`${'x'.repeat(500)}…[600 chars]`)).toBe(true);
    await expect(clientLog('s', 'debug', async () => Promise.reject(new Error('stream closed')))('info', 'x')).resolves.toBeUndefined();
  });
});
