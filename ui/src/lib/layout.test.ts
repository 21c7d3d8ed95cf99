import { describe, expect, it } from 'vitest';
import { MAX_STRIPS, STRIP_PIXELS, pagePixels, strips } from './layout';

const A4 = { width: 595, height: 842 };

describe('strips of a page', () => {
  it('an A4 page at screen width is one image', () => {
    expect(strips(A4, pagePixels(A4, 800, 1))).toEqual([]);
  });

  it('a page zoomed far in comes in strips that cover it once, each under the limit', () => {
    const pixels = pagePixels(A4, 3200, 1);
    const pieces = strips(A4, pixels);
    expect(pieces.length).toBeGreaterThan(1);
    const total = Math.round((pixels * A4.height) / A4.width);
    expect(pieces.reduce((sum, piece) => sum + piece.rows, 0), 'every row once').toBe(total);
    for (const piece of pieces) expect(piece.rows * pixels).toBeLessThanOrEqual(STRIP_PIXELS);
  });

  it('no page, however long, takes more than MAX_STRIPS images, even on a dense screen at full zoom', () => {
    const shapes = [
      { width: 595, height: 14_400 },
      { width: 144, height: 14_400 },
      { width: 595, height: 2_147_483_647 },
      { width: 1, height: 14_400 },
    ];
    for (const page of shapes) {
      for (const [css, density] of [
        [800, 1],
        [3200, 2],
      ]) {
        const pixels = pagePixels(page, css, density);
        expect(strips(page, pixels).length, `${page.width}×${page.height} at ${css}px ×${density}`).toBeLessThanOrEqual(
          MAX_STRIPS,
        );
        expect(pixels).toBeGreaterThanOrEqual(64);
      }
    }
  });
});
