import { describe, expect, it } from 'vitest';
import { corner, pointOnPage, rectBetween, svgRect } from './geometry';

const A4 = { width: 595, height: 842 };

describe('where things are on a page', () => {
  it('turns a pointer at pixels from the top-left into PDF points from the bottom-left', () => {
    expect(pointOnPage(A4, 2, 100, 0)).toEqual({ x: 50, y: 842 });
    expect(pointOnPage(A4, 2, 0, 1684)).toEqual({ x: 0, y: 0 });
  });

  it('makes one box of a drag in any direction, and draws it as stored', () => {
    const box = rectBetween({ x: 300, y: 100 }, { x: 100, y: 400 });
    expect(box).toEqual({ left: 100, right: 300, bottom: 100, top: 400 });
    expect(rectBetween({ x: 100, y: 400 }, { x: 300, y: 100 })).toEqual(box);
    expect(svgRect(box)).toEqual({ x: 100, y: 100, width: 200, height: 300 });
  });

  it('puts an annotation menu at the top-left of its shape', () => {
    const strokes = [{ points: [{ x: 40, y: 10 }, { x: 20, y: 30 }], width: 2 }];
    expect(corner({ kind: 'ink', strokes })).toEqual({ x: 20, y: 30 });
    expect(corner({ kind: 'rectangle', rect: { left: 1, bottom: 2, right: 3, top: 4 } })).toEqual({ x: 1, y: 4 });
  });
});
