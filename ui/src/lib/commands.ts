// Generated from the Tauri commands and events in src-tauri/src. Do not edit: run
// `cargo test -p quorum-app write_bindings -- --ignored` instead.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { AgendaItemId, AgendaNotes, Annotation, AnnotationEdit, AnnotationId, Attached, Attendance, AttendanceBoard, Color, DocumentId, Draft, ExportedFile, InviteeReadiness, IpcError, ItemFloor, Language, MarkupKind, Meeting, MeetingContext, MeetingId, MeetingSummary, Member, MemberId, NewPollSubject, Page, PagePoint, PageRect, PageRef, Poll, PollCard, PollId, RejectedOperation, Report, ResultFiles, SearchHit, Sha256Hex, ShownAnnotation, SinceLastLook, SpeechKind, SyncStatus, SyncView } from './bindings';

export const commands = {
  annotations: (sha256: Sha256Hex) => invoke<ShownAnnotation[]>('annotations', { sha256 }),
  unanchoredAnnotations: (documentId: DocumentId) => invoke<ShownAnnotation[]>('unanchored_annotations', { documentId }),
  addNote: (at: PageRef, point: PagePoint, text: string) => invoke<Annotation>('add_note', { at, point, text }),
  addMarkup: (at: PageRef, selection: PageRect, kind: MarkupKind, color: Color) => invoke<Annotation | null>('add_markup', { at, selection, kind, color }),
  addInk: (at: PageRef, points: PagePoint[], color: Color, width: number) => invoke<Annotation>('add_ink', { at, points, color, width }),
  addRectangle: (at: PageRef, rect: PageRect, color: Color) => invoke<Annotation>('add_rectangle', { at, rect, color }),
  editAnnotation: (id: AnnotationId, edit: AnnotationEdit) => invoke<Annotation>('edit_annotation', { id, edit }),
  deleteAnnotation: (id: AnnotationId) => invoke<null>('delete_annotation', { id }),
  getLanguage: () => invoke<Language>('get_language'),
  listMeetings: () => invoke<MeetingSummary[]>('list_meetings'),
  getMeeting: (id: MeetingId) => invoke<Meeting>('get_meeting', { id }),
  lookAtMeeting: (meetingId: MeetingId) => invoke<SinceLastLook>('look_at_meeting', { meetingId }),
  setLanguage: (language: Language) => invoke<null>('set_language', { language }),
  syncStatus: () => invoke<SyncView>('sync_status'),
  rejectedOperations: () => invoke<RejectedOperation[]>('rejected_operations'),
  search: (query: string, meetingId: MeetingId | null) => invoke<SearchHit[]>('search', { query, meetingId }),
  saveResults: (title: string, report: Report, rows: string[][]) => invoke<ResultFiles>('save_results', { title, report, rows }),
  exportAnnotatedCopy: (documentId: DocumentId, title: string) => invoke<ExportedFile>('export_annotated_copy', { documentId, title }),
  myNotes: (meetingId: MeetingId) => invoke<AgendaNotes[]>('my_notes', { meetingId }),
  saveNotesList: (title: string, text: string) => invoke<ExportedFile>('save_notes_list', { title, text }),
  decisions: (meetingId: MeetingId) => invoke<string[]>('decisions', { meetingId }),
  saveDecision: (meetingId: MeetingId, itemId: AgendaItemId, decision: string) => invoke<null>('save_decision', { meetingId, itemId, decision }),
  saveMinutes: (title: string, report: Report) => invoke<ExportedFile>('save_minutes', { title, report }),
  pagesOnScreen: (sha256: Sha256Hex, first: number, last: number) => invoke<null>('pages_on_screen', { sha256, first, last }),
  documentPages: (sha256: Sha256Hex) => invoke<Page[]>('document_pages', { sha256 }),
  pageProblem: (sha256: Sha256Hex, page: number) => invoke<IpcError | null>('page_problem', { sha256, page }),
  unlockDocument: (sha256: Sha256Hex, password: string) => invoke<Page[]>('unlock_document', { sha256, password }),
  findInPage: (sha256: Sha256Hex, page: number, query: string) => invoke<PageRect[]>('find_in_page', { sha256, page, query }),
  readiness: (meetingId: MeetingId) => invoke<InviteeReadiness[]>('readiness', { meetingId }),
  attendance: (meetingId: MeetingId) => invoke<AttendanceBoard>('attendance', { meetingId }),
  checkIn: (meetingId: MeetingId) => invoke<null>('check_in', { meetingId }),
  markAttendance: (meetingId: MeetingId, memberId: MemberId, attendance: Attendance) => invoke<null>('mark_attendance', { meetingId, memberId, attendance }),
  floor: (meetingId: MeetingId) => invoke<ItemFloor[]>('floor', { meetingId }),
  requestFloor: (meetingId: MeetingId, agendaItemId: AgendaItemId, speech: SpeechKind) => invoke<null>('request_floor', { meetingId, agendaItemId, speech }),
  giveFloor: (meetingId: MeetingId, agendaItemId: AgendaItemId, memberId: MemberId, speech: SpeechKind) => invoke<null>('give_floor', { meetingId, agendaItemId, memberId, speech }),
  endFloor: (meetingId: MeetingId, agendaItemId: AgendaItemId) => invoke<null>('end_floor', { meetingId, agendaItemId }),
  drafts: () => invoke<Draft[]>('drafts'),
  newDraft: (title: string, startsAt: string, location: string) => invoke<Meeting>('new_draft', { title, startsAt, location }),
  editMeeting: (meetingId: MeetingId) => invoke<Meeting>('edit_meeting', { meetingId }),
  saveDraft: (meeting: Meeting, removedDocuments: DocumentId[]) => invoke<Meeting>('save_draft', { meeting, removedDocuments }),
  addItem: (meetingId: MeetingId, title: string, presenter: string, plannedMinutes: number) => invoke<Meeting>('add_item', { meetingId, title, presenter, plannedMinutes }),
  moveItem: (meetingId: MeetingId, itemId: AgendaItemId, to: number) => invoke<Meeting>('move_item', { meetingId, itemId, to }),
  attachFile: (meetingId: MeetingId, itemId: AgendaItemId, fileName: string, bytes: number[]) => invoke<Attached>('attach_file', { meetingId, itemId, fileName, bytes }),
  attachPath: (meetingId: MeetingId, itemId: AgendaItemId, path: string) => invoke<Attached>('attach_path', { meetingId, itemId, path }),
  discardDraft: (meetingId: MeetingId) => invoke<null>('discard_draft', { meetingId }),
  publish: (meetingId: MeetingId) => invoke<null>('publish', { meetingId }),
  watchFolder: (meetingId: MeetingId, folder: string) => invoke<null>('watch_folder', { meetingId, folder }),
  castBallot: (pollId: PollId, forMember: MemberId, optionKey: string, comment: string | null) => invoke<null>('cast_ballot', { pollId, forMember, optionKey, comment }),
  polls: (meetingId: MeetingId | null) => invoke<PollCard[]>('polls', { meetingId }),
  members: () => invoke<Member[]>('members'),
  me: () => invoke<Member | null>('me'),
  meetingContext: (meetingId: MeetingId | null) => invoke<MeetingContext>('meeting_context', { meetingId }),
  createPoll: (subject: NewPollSubject, question: string, secret: boolean) => invoke<Poll>('create_poll', { subject, question, secret }),
  runPoll: (pollId: PollId, open: boolean) => invoke<null>('run_poll', { pollId, open }),
  delegate: (meetingId: MeetingId, delegate: MemberId | null) => invoke<null>('delegate', { meetingId, delegate }),
  myDelegate: (meetingId: MeetingId) => invoke<MemberId | null>('my_delegate', { meetingId }),
};

export const events = {
  onSyncStatus: (handler: (payload: SyncStatus) => void): Promise<UnlistenFn> =>
    listen<SyncStatus>('sync-status', (event) => handler(event.payload)),
  onTextsExtracted: (handler: (payload: null) => void): Promise<UnlistenFn> =>
    listen<null>('texts-extracted', (event) => handler(event.payload)),
  onAnnotationsMoved: (handler: (payload: null) => void): Promise<UnlistenFn> =>
    listen<null>('annotations-moved', (event) => handler(event.payload)),
};
