/**
 * Where the canvas looks when it opens: the whole flow, centred, when it fits at a
 * readable zoom; otherwise the readable zoom (FIT_MIN_ZOOM: a node stays about 28 px
 * tall) showing the flow's start (its left and top, where its sources are), the
 * minimap showing the rest. Fitting a wide flow into a narrow canvas at any zoom would
 * draw nodes a few pixels tall.
 */
import type { Rect, Viewport } from '@xyflow/react';

export const FIT_MIN_ZOOM = 0.4;
export const FIT_MAX_ZOOM = 1;
/** The share of the canvas left around a flow that fits (xyflow's fitView padding). */
export const FIT_PADDING = 0.15;
/** Pixels left before the flow's start when it does not fit. */
const START_MARGIN = 24;

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

/** The viewport for a flow within `bounds` on a canvas of `width` × `height` px. */
export function openingViewport(
  bounds: Rect,
  width: number,
  height: number
): Viewport {
  const fits = (view: number, size: number) =>
    size > 0 ? (view * (1 - FIT_PADDING)) / size : Infinity;
  const zoom = clamp(
    Math.min(fits(width, bounds.width), fits(height, bounds.height)),
    FIT_MIN_ZOOM,
    FIT_MAX_ZOOM
  );
  const axis = (start: number, size: number, view: number) =>
    size * zoom <= view * (1 - FIT_PADDING / 2)
      ? view / 2 - (start + size / 2) * zoom
      : START_MARGIN - start * zoom;
  return {
    x: axis(bounds.x, bounds.width, width),
    y: axis(bounds.y, bounds.height, height),
    zoom
  };
}
