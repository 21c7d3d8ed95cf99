// The UI's only way out: Tauri commands over the local store. The UI never talks to the hub.
import { invoke } from '@tauri-apps/api/core';
import type { IpcError, Language, Meeting, MeetingId, MeetingSummary } from './bindings';

export const api = {
  listMeetings: () => invoke<MeetingSummary[]>('list_meetings'),
  getMeeting: (id: MeetingId) => invoke<Meeting>('get_meeting', { id }),
  getLanguage: () => invoke<Language>('get_language'),
  setLanguage: (language: Language) => invoke<null>('set_language', { language }),
};

/** Commands reject with an IpcError; anything else is a bug shown as an internal error. */
export function asIpcError(error: unknown): IpcError {
  if (typeof error === 'object' && error !== null && 'code' in error && 'detail' in error) {
    return error as IpcError;
  }
  return { code: 'internal', detail: String(error) };
}
