import { describe, expect, it, vi } from 'vitest';
import { PAGE_GAP, PageLayout } from './pageLayout.svelte';

const A4 = { width: 595, height: 842, problem: null };

/** Ten A4 pages in a viewer 627 × 600 pixels: fitted to its width, one point is one pixel. */
function tenPages(): PageLayout {
  const layout = new PageLayout();
  layout.pages = Array.from({ length: 10 }, () => A4);
  layout.viewportWidth = 627;
  layout.viewportHeight = 600;
  return layout;
}

describe('the pages laid out in the viewer', () => {
  it('fits a page to the width, whole in the viewer, or at the zoom chosen', () => {
    const layout = tenPages();
    expect(layout.scaleOf(A4)).toBe(1);
    layout.fit = 'page';
    expect(layout.scaleOf(A4) * A4.height, 'the height is what limits it').toBeCloseTo(600 - 32);
    layout.fit = 'width';
    layout.zoomBy(2);
    expect(layout.fit).toBe('zoom');
    expect(layout.scaleOf(A4), 'twice the size the page was drawn at').toBeCloseTo(2);
  });

  it('from the scroll position, knows the page being read and the pages on screen', () => {
    const layout = tenPages();
    const pageHeight = A4.height + PAGE_GAP;
    expect(layout.measure(0, 600), 'the pages on screen changed').toBe(true);
    expect([layout.current, layout.firstShown, layout.lastShown]).toEqual([1, 0, 0]);
    expect(layout.measure(0, 600), 'nothing new to tell').toBe(false);

    layout.measure(4.5 * pageHeight, 600);
    expect([layout.current, layout.firstShown, layout.lastShown]).toEqual([5, 4, 5]);
    expect(layout.near(4) && layout.near(5), 'the pages on screen are asked for at once').toBe(true);
    expect(layout.near(6), 'the pages near wait for the screen to draw').toBe(false);
    layout.drawn(7);
    expect(layout.near(6), 'a page drawn off screen does not settle it').toBe(false);
    layout.drawn(5);
    expect(layout.near(7), 'two pages past the screen').toBe(true);
    expect(layout.near(8)).toBe(false);
    expect(layout.near(2)).toBe(true);
    expect(layout.near(1)).toBe(false);
  });

  it('asks for the pages near the screen a moment later when the page on screen cannot be drawn', () => {
    vi.useFakeTimers();
    const layout = tenPages();
    layout.measure(4.5 * (A4.height + PAGE_GAP), 600);
    expect(layout.near(6)).toBe(false);
    vi.advanceTimersByTime(300);
    expect(layout.near(6), 'no page on screen drew, and the pages near are asked for all the same').toBe(true);
    vi.useRealTimers();
  });

  it('at the bottom, reads the last page', () => {
    const layout = tenPages();
    const pageHeight = A4.height + PAGE_GAP;
    layout.measure(10 * pageHeight - 600, 600);
    expect([layout.current, layout.lastShown]).toEqual([10, 9]);
  });
});
