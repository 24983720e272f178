/**
 * How the dataset's tools (tools.tsx) open the explorer without every view between
 * them passing it down: the sidebar (widget.tsx) provides the opener.
 */
import * as React from 'react';

import { IDataset } from './tokens';

/** Open `dataset`'s explorer in the main area, with its edits when `writable`; null
 * where there is none. */
export type OpenExplorer = (dataset: IDataset, writable: boolean) => void;

export const ExplorerContext = React.createContext<OpenExplorer | null>(null);
