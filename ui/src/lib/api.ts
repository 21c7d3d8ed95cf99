// The UI's only way out: Tauri commands over the local store. The UI never talks to the hub.
import { convertFileSrc, invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import type {
  AgendaItemId,
  Attached,
  AgendaNotes,
  Annotation,
  AnnotationEdit,
  AnnotationId,
  Attendance,
  Capabilities,
  AttendanceBoard,
  Color,
  MarkupKind,
  Member,
  MemberId,
  NewPollSubject,
  Poll,
  PollCard,
  PollId,
  Report,
  ResultFiles,
  PageRef,
  ShownAnnotation,
  DocumentId,
  Draft,
  ExportedFile,
  InviteeReadiness,
  IpcError,
  ItemFloor,
  Language,
  Meeting,
  MeetingId,
  MeetingSummary,
  PagePoint,
  PageRect,
  Page,
  RejectedOperation,
  SearchHit,
  SinceLastLook,
  SpeechKind,
  Sha256Hex,
  SyncStatus,
  SyncView,
} from './bindings';

export const api = {
  listMeetings: () => invoke<MeetingSummary[]>('list_meetings'),
  getMeeting: (id: MeetingId) => invoke<Meeting>('get_meeting', { id }),
  lookAtMeeting: (meetingId: MeetingId) => invoke<SinceLastLook>('look_at_meeting', { meetingId }),
  getLanguage: () => invoke<Language>('get_language'),
  setLanguage: (language: Language) => invoke<null>('set_language', { language }),
  syncStatus: () => invoke<SyncView>('sync_status'),
  documentPages: (sha256: Sha256Hex) => invoke<Page[]>('document_pages', { sha256 }),
  /** Why page `page` did not arrive, when the reader knows. */
  pageProblem: (sha256: Sha256Hex, page: number) => invoke<IpcError | null>('page_problem', { sha256, page }),
  unlockDocument: (sha256: Sha256Hex, password: string) => invoke<Page[]>('unlock_document', { sha256, password }),
  search: (query: string, meetingId: MeetingId | null) => invoke<SearchHit[]>('search', { query, meetingId }),
  annotations: (sha256: Sha256Hex) => invoke<ShownAnnotation[]>('annotations', { sha256 }),
  unanchoredAnnotations: (documentId: DocumentId) =>
    invoke<ShownAnnotation[]>('unanchored_annotations', { documentId }),
  addNote: (at: PageRef, point: PagePoint, text: string) => invoke<Annotation>('add_note', { at, point, text }),
  addMarkup: (at: PageRef, selection: PageRect, kind: MarkupKind, color: Color) =>
    invoke<Annotation | null>('add_markup', { at, selection, kind, color }),
  addInk: (at: PageRef, points: PagePoint[], color: Color, width: number) =>
    invoke<Annotation>('add_ink', { at, points, color, width }),
  addRectangle: (at: PageRef, rect: PageRect, color: Color) => invoke<Annotation>('add_rectangle', { at, rect, color }),
  editAnnotation: (id: AnnotationId, edit: AnnotationEdit) => invoke<Annotation>('edit_annotation', { id, edit }),
  deleteAnnotation: (id: AnnotationId) => invoke<null>('delete_annotation', { id }),
  exportAnnotatedCopy: (documentId: DocumentId, title: string) =>
    invoke<ExportedFile>('export_annotated_copy', { documentId, title }),
  myNotes: (meetingId: MeetingId) => invoke<AgendaNotes[]>('my_notes', { meetingId }),
  saveNotesList: (title: string, text: string) => invoke<ExportedFile>('save_notes_list', { title, text }),
  pagesOnScreen: (sha256: Sha256Hex, first: number, last: number) =>
    invoke<null>('pages_on_screen', { sha256, first, last }),
  findInPage: (sha256: Sha256Hex, page: number, query: string) =>
    invoke<PageRect[]>('find_in_page', { sha256, page, query }),
  polls: (meetingId: MeetingId | null) => invoke<PollCard[]>('polls', { meetingId }),
  members: () => invoke<Member[]>('members'),
  /** What the member may do in a meeting, or with none in their committee. */
  capabilities: (meetingId: MeetingId | null) => invoke<Capabilities>('capabilities', { meetingId }),
  me: () => invoke<Member | null>('me'),
  decisions: (meetingId: MeetingId) => invoke<string[]>('decisions', { meetingId }),
  saveDecision: (meetingId: MeetingId, itemId: AgendaItemId, decision: string) =>
    invoke<null>('save_decision', { meetingId, itemId, decision }),
  saveMinutes: (title: string, report: Report) => invoke<ExportedFile>('save_minutes', { title, report }),
  attendance: (meetingId: MeetingId) => invoke<AttendanceBoard>('attendance', { meetingId }),
  checkIn: (meetingId: MeetingId) => invoke<null>('check_in', { meetingId }),
  markAttendance: (meetingId: MeetingId, memberId: MemberId, attendance: Attendance) =>
    invoke<null>('mark_attendance', { meetingId, memberId, attendance }),
  floor: (meetingId: MeetingId) => invoke<ItemFloor[]>('floor', { meetingId }),
  requestFloor: (meetingId: MeetingId, agendaItemId: AgendaItemId, speech: SpeechKind) =>
    invoke<null>('request_floor', { meetingId, agendaItemId, speech }),
  giveFloor: (meetingId: MeetingId, agendaItemId: AgendaItemId, memberId: MemberId, speech: SpeechKind) =>
    invoke<null>('give_floor', { meetingId, agendaItemId, memberId, speech }),
  drafts: () => invoke<Draft[]>('drafts'),
  newDraft: (title: string, startsAt: string, location: string) =>
    invoke<Meeting>('new_draft', { title, startsAt, location }),
  editMeeting: (meetingId: MeetingId) => invoke<Meeting>('edit_meeting', { meetingId }),
  saveDraft: (meeting: Meeting, removedDocuments: DocumentId[]) =>
    invoke<Meeting>('save_draft', { meeting, removedDocuments }),
  addItem: (meetingId: MeetingId, title: string, presenter: string, plannedMinutes: number) =>
    invoke<Meeting>('add_item', { meetingId, title, presenter, plannedMinutes }),
  moveItem: (meetingId: MeetingId, itemId: AgendaItemId, to: number) =>
    invoke<Meeting>('move_item', { meetingId, itemId, to }),
  attachFile: (meetingId: MeetingId, itemId: AgendaItemId, fileName: string, bytes: number[]) =>
    invoke<Attached>('attach_file', { meetingId, itemId, fileName, bytes }),
  publish: (meetingId: MeetingId) => invoke<null>('publish', { meetingId }),
  discardDraft: (meetingId: MeetingId) => invoke<null>('discard_draft', { meetingId }),
  attachPath: (meetingId: MeetingId, itemId: AgendaItemId, path: string) =>
    invoke<Attached>('attach_path', { meetingId, itemId, path }),
  /** Calls `handler` with the paths of files dropped on the window and where (CSS pixels). */
  onFilesDropped: (handler: (paths: string[], x: number, y: number) => void): Promise<UnlistenFn> =>
    getCurrentWebview().onDragDropEvent((event) => {
      if (event.payload.type !== 'drop') return;
      const scale = window.devicePixelRatio || 1;
      handler(event.payload.paths, event.payload.position.x / scale, event.payload.position.y / scale);
    }),
  watchFolder: (meetingId: MeetingId, folder: string) => invoke<null>('watch_folder', { meetingId, folder }),
  endFloor: (meetingId: MeetingId, agendaItemId: AgendaItemId) => invoke<null>('end_floor', { meetingId, agendaItemId }),
  readiness: (meetingId: MeetingId) => invoke<InviteeReadiness[]>('readiness', { meetingId }),
  /** Writes the report as PDF and `rows` as CSV (made safe for spreadsheets in Rust). */
  saveResults: (title: string, report: Report, rows: string[][]) =>
    invoke<ResultFiles>('save_results', { title, report, rows }),
  createPoll: (subject: NewPollSubject, question: string, secret: boolean) =>
    invoke<Poll>('create_poll', { subject, question, secret }),
  runPoll: (pollId: PollId, open: boolean) => invoke<null>('run_poll', { pollId, open }),
  castBallot: (pollId: PollId, forMember: MemberId, optionKey: string, comment: string | null) =>
    invoke<null>('cast_ballot', { pollId, forMember, optionKey, comment }),
  delegate: (meetingId: MeetingId, delegate: MemberId | null) => invoke<null>('delegate', { meetingId, delegate }),
  myDelegate: (meetingId: MeetingId) => invoke<MemberId | null>('my_delegate', { meetingId }),
  rejectedOperations: () => invoke<RejectedOperation[]>('rejected_operations'),
  /** Calls `handler` when new documents' text has been extracted. */
  onTextsExtracted: (handler: () => void): Promise<UnlistenFn> => listen('texts-extracted', () => handler()),
  /** Calls `handler` when annotations moved to a document's new version. */
  onAnnotationsMoved: (handler: () => void): Promise<UnlistenFn> => listen('annotations-moved', () => handler()),
  /** Calls `handler` with every new sync status the background engine reports. */
  onSyncStatus: (handler: (status: SyncStatus) => void): Promise<UnlistenFn> =>
    listen<SyncStatus>('sync-status', (event) => handler(event.payload)),
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
