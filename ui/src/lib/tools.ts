import type { Color } from './bindings';

/** The viewer's annotation tools; `read` is none. */
export type Markup = 'highlight' | 'underline' | 'strikeOut';
export type Tool = 'read' | 'note' | Markup | 'pen' | 'rectangle';

export const TOOLS: Tool[] = ['note', 'highlight', 'underline', 'strikeOut', 'pen', 'rectangle'];
export const COLORS: Color[] = ['yellow', 'green', 'blue', 'red', 'black'];
export const PEN_WIDTHS = [1, 2, 4];

/** The colour a tool starts with: a marker is yellow, a pen red. */
export const FIRST_COLOR: Record<Tool, Color> = {
  read: 'yellow',
  note: 'yellow',
  highlight: 'yellow',
  underline: 'blue',
  strikeOut: 'red',
  pen: 'red',
  rectangle: 'red',
};

export function isMarkup(kind: Tool): kind is Markup {
  return kind === 'highlight' || kind === 'underline' || kind === 'strikeOut';
}
