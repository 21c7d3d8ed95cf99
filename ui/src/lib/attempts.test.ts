import { describe, expect, it, vi } from 'vitest';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn(), convertFileSrc: vi.fn() }));
vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn() }));
vi.mock('@tauri-apps/api/webview', () => ({ getCurrentWebview: vi.fn() }));

const { Attempts, background, reportedAs } = await import('./attempts.svelte');

describe('reportedAs', () => {
  it('keeps a failed background load for the banner and answers the fallback', async () => {
    background.problem = null;
    const answer = await Promise.reject({ code: 'storeUnreadable', detail: '/p' }).catch(reportedAs([]));
    expect(answer, 'the page goes on with the fallback').toEqual([]);
    expect(background.problem, 'the failure is not swallowed').toEqual({ code: 'storeUnreadable', detail: '/p' });
  });
});

describe('Attempts', () => {
  it('shows why an action failed and reloads only after one that worked', async () => {
    let reloads = 0;
    const attempts = new Attempts(() => (reloads += 1));
    expect(await attempts.run(() => Promise.reject(new Error('boom'))), 'told it failed').toBe(false);
    expect(attempts.problem?.code, 'anything not an IpcError is internal').toBe('internal');
    expect(reloads, 'no reload after a failure').toBe(0);
    expect(await attempts.run(() => Promise.resolve())).toBe(true);
    expect(attempts.problem, 'the old problem goes with a new attempt').toBeNull();
    expect(reloads).toBe(1);
  });
});
