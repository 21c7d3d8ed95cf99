// The pages of the open document laid out in the viewer, one under the other: how large
// each is drawn, the page being read, and which pages are on screen.
import type { Page, PageSize } from './bindings';

/** As wide as the viewer, whole in it, or at the zoom the reader chose. */
export type Fit = 'width' | 'page' | 'zoom';

/** Room left beside a page fitted to the viewer, in CSS pixels. */
const MARGIN = 32;
/** The space under each page, in CSS pixels: the `margin-bottom` of PageView's `.page`. */
export const PAGE_GAP = 12;
// PDF points are 1/72 inch; CSS pixels 1/96.
const POINT = 96 / 72;
/** Pages before and after those on screen whose images are asked for. */
const NEAR = 2;
/** How long the pages near the screen wait at most for one on screen to draw: a page that
 * cannot be drawn does not hold them back. */
const SETTLE_MS = 250;

export class PageLayout {
  pages = $state<Page[] | null>(null);
  fit = $state<Fit>('width');
  zoom = $state(1);
  /** The page being read, from 1. */
  current = $state(1);
  /** Zero-based pages on screen; images are asked for only on and near them. */
  firstShown = $state(0);
  lastShown = $state(1);
  /**
   * Whether a page on screen has drawn since the pages on screen last changed: until then
   * the pages near them wait, so the page turned to is not drawn beside them on the same
   * cores (the reader also renders the next pages ahead on its own).
   */
  settled = $state(true);
  #settling: ReturnType<typeof setTimeout> | undefined;
  /** The size of the scrolling area the pages are drawn in, in CSS pixels. */
  viewportWidth = $state(800);
  viewportHeight = $state(600);

  /** CSS pixels per PDF point for `page`. */
  scaleOf(page: PageSize): number {
    const across = (this.viewportWidth - MARGIN) / page.width;
    if (this.fit === 'width') return Math.max(0.1, across);
    if (this.fit === 'page') return Math.max(0.1, Math.min(across, (this.viewportHeight - MARGIN) / page.height));
    return this.zoom * POINT;
  }

  /** Zooms by `factor` from the size the page being read is drawn at. */
  zoomBy(factor: number) {
    const reading = this.pages?.[this.current - 1];
    this.zoom = Math.min(4, Math.max(0.25, (reading ? this.scaleOf(reading) / POINT : this.zoom) * factor));
    this.fit = 'zoom';
  }

  /** Whether page `index` (zero-based) is on screen, or near it once the screen has drawn. */
  near(index: number): boolean {
    if (this.#onScreen(index)) return true;
    return this.settled && index >= this.firstShown - NEAR && index <= this.lastShown + NEAR;
  }

  /** The image of page `index` (zero-based) arrived: once one on screen has, the pages near may come. */
  drawn(index: number) {
    if (this.#onScreen(index)) this.settled = true;
  }

  #onScreen(index: number): boolean {
    return index >= this.firstShown && index <= this.lastShown;
  }

  /**
   * Works out, from the scroll position (`top`, and the `height` on screen), the page being
   * read and the pages on screen; answers whether the pages on screen changed.
   */
  measure(top: number, height: number): boolean {
    const pages = this.pages;
    if (!pages) return false;
    const bottom = top + height;
    const probe = top + height / 3;
    let start = 0;
    let first = -1;
    let last = pages.length - 1;
    let reading = 0;
    for (let i = 0; i < pages.length; i += 1) {
      const end = start + pages[i].height * this.scaleOf(pages[i]) + PAGE_GAP;
      if (first < 0 && end > top) first = i;
      if (reading === 0 && end > probe) reading = i + 1;
      if (start > bottom) {
        last = i - 1;
        break;
      }
      start = end;
    }
    this.current = reading || pages.length;
    const shownFirst = Math.max(0, first);
    const shownLast = Math.max(shownFirst, last);
    if (shownFirst === this.firstShown && shownLast === this.lastShown) return false;
    this.firstShown = shownFirst;
    this.lastShown = shownLast;
    this.settled = false;
    clearTimeout(this.#settling);
    this.#settling = setTimeout(() => (this.settled = true), SETTLE_MS);
    return true;
  }
}
