// Where things are on a page. Annotations are kept in PDF points, y up from the page's
// bottom-left corner (as Rust stores them); the screen counts CSS pixels, y down.
import type { AnnotationShape, PagePoint, PageRect, PageSize } from './bindings';

/** The point (`x`, `y`) CSS pixels from the top-left of a page drawn `scale` pixels per point. */
export function pointOnPage(page: PageSize, scale: number, x: number, y: number): PagePoint {
  return { x: x / scale, y: page.height - y / scale };
}

/** The box with `a` and `b` at opposite corners. */
export function rectBetween(a: PagePoint, b: PagePoint): PageRect {
  return {
    left: Math.min(a.x, b.x),
    right: Math.max(a.x, b.x),
    bottom: Math.min(a.y, b.y),
    top: Math.max(a.y, b.y),
  };
}

/** The attributes of an SVG `rect` drawing `rect`, inside a group that turns the page y-up. */
export function svgRect(rect: PageRect): { x: number; y: number; width: number; height: number } {
  return { x: rect.left, y: rect.bottom, width: rect.right - rect.left, height: rect.top - rect.bottom };
}

/** The `points` attribute of an SVG `polyline` through `line`. */
export function svgPoints(line: PagePoint[]): string {
  return line.map((p) => `${p.x},${p.y}`).join(' ');
}

/** Where a menu for an annotation goes: the top-left of its shape. */
export function corner(shape: AnnotationShape): PagePoint {
  switch (shape.kind) {
    case 'note':
      return shape.at;
    case 'rectangle':
      return { x: shape.rect.left, y: shape.rect.top };
    case 'ink': {
      const all = shape.strokes.flatMap((line) => line.points);
      return { x: Math.min(...all.map((p) => p.x)), y: Math.max(...all.map((p) => p.y)) };
    }
    default:
      return { x: shape.rects[0]?.left ?? 0, y: shape.rects[0]?.top ?? 0 };
  }
}
