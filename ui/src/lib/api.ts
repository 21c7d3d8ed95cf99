import { convertFileSrc } from '@tauri-apps/api/core';
import type { UnlistenFn } from '@tauri-apps/api/event';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import type { IpcError, Sha256Hex } from './bindings';
import { commands, events } from './commands';

/**
 * The UI's only way out: the Tauri commands and events, typed from Rust
 * (./commands.ts), and the drop events of the window itself. The UI never talks to the hub.
 */
export const api = {
  ...commands,
  ...events,
  /** Calls `handler` with the paths of files dropped on the window and where (CSS pixels). */
  onFilesDropped: (handler: (paths: string[], x: number, y: number) => void): Promise<UnlistenFn> =>
    getCurrentWebview().onDragDropEvent((event) => {
      if (event.payload.type !== 'drop') return;
      const scale = window.devicePixelRatio || 1;
      handler(event.payload.paths, event.payload.position.x / scale, event.payload.position.y / scale);
    }),
};

/** Commands reject with an IpcError; anything else is a bug shown as an internal error. */
export function asIpcError(error: unknown): IpcError {
  if (typeof error === 'object' && error !== null && 'code' in error && 'detail' in error) {
    return error as IpcError;
  }
  return { code: 'internal', detail: String(error) };
}

/**
 * Where the webview loads page `index` (zero-based) of a document, `width` pixels wide;
 * with `strip`, only those rows of it (for pages too large for one image).
 */
export function pageImageUrl(
  sha256: Sha256Hex,
  index: number,
  width: number,
  strip?: { top: number; rows: number },
  thumbnail = false,
  attempt = 0,
): string {
  const rows = strip ? `&strip=${strip.top},${strip.rows}` : '';
  const small = thumbnail ? '&thumbnail=1' : '';
  // A new address for a new attempt: the webview does not ask twice for a failed one.
  const again = attempt > 0 ? `&attempt=${attempt}` : '';
  return `${convertFileSrc(`${sha256}-${index}`, 'page')}?width=${width}${rows}${small}${again}`;
}
