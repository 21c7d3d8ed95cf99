// How the viewer cuts a page into images. Page sizes reach the window validated (Rust
// refuses absurd sizes and shapes); these bounds hold even so, whatever the page.
import type { PageSize } from './bindings';

/** Past this many pixels a page is drawn in strips: the reader never makes one bitmap
 * over ~16 megapixels, and smaller pieces arrive sooner. */
export const STRIP_PIXELS = 8 * 1024 * 1024;
/** Strips per page at most: a very long page is drawn less sharp, never with more images. */
export const MAX_STRIPS = 12;

/** Pixels to ask for: the shown size times the screen's density, in steps so zooming reuses images. */
export function pixelWidth(cssWidth: number, density: number): number {
  return Math.ceil((cssWidth * density) / 64) * 64;
}

/** Pixels to ask for a page shown `cssWidth` wide: fewer for a page so long that it would
 * take more than MAX_STRIPS strips. */
export function pagePixels(page: PageSize, cssWidth: number, density: number): number {
  const most = Math.sqrt((MAX_STRIPS * STRIP_PIXELS * page.width) / page.height);
  return Math.max(64, Math.min(pixelWidth(cssWidth, density), Math.floor(most / 64) * 64));
}

/** The rows of each strip a page is drawn in, at `pixels` wide; none for a page drawn whole. */
export function strips(page: PageSize, pixels: number): { top: number; rows: number }[] {
  const total = Math.round((pixels * page.height) / page.width);
  const count = Math.min(MAX_STRIPS, Math.ceil((pixels * total) / STRIP_PIXELS));
  if (count <= 1) return [];
  const rows = Math.ceil(total / count);
  return Array.from({ length: count }, (_, i) => ({ top: i * rows, rows: Math.min(rows, total - i * rows) }));
}
