/**
 * Rendering React in the specs' jsdom: react-dom's createRoot (react-dom has no type
 * declarations here: its one function used, typed by hand) and React's act, with React
 * told it runs under a test.
 */
import * as React from 'react';

export interface IRoot {
  render(node: React.ReactNode): void;
  unmount(): void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { createRoot } = require('react-dom/client') as {
  createRoot(host: Element): IRoot;
};
export const { act } = React;

(globalThis as Record<string, unknown>).IS_REACT_ACT_ENVIRONMENT = true;
