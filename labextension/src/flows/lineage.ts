/**
 * Column lineage on the canvas: a preview column's way back to its sources, as node
 * decorations (`lineage-source`, `lineage-changes`, `lineage-passes`, `lineage-unknown`),
 * each with a badge naming the column at that node and what the node does to it.
 */
import * as React from 'react';

import { errorText } from '../request';
import { IFlow } from './model';
import {
  IFlowsDesigner,
  ILineage,
  ILineageStep,
  INodeDecoration,
  LineageRole
} from './tokens';

/** The canvas status of each role: the sources, the nodes that change it, the rest. */
const STATUS: Record<LineageRole, string> = {
  source: 'lineage-source',
  passes: 'lineage-passes',
  renames: 'lineage-changes',
  derives: 'lineage-changes',
  filters: 'lineage-changes',
  groups: 'lineage-changes',
  joins: 'lineage-changes'
};

/** How a badge says a role ("revenue: derived"). */
const SAID: Record<LineageRole, string> = {
  source: 'from source',
  passes: 'passes',
  renames: 'renamed',
  derives: 'derived',
  filters: 'rows filtered',
  groups: 'grouped by',
  joins: 'joined'
};

/** "revenue: derived"; a node reached under several names lists each. */
function badgeOf(steps: ILineageStep[]): string {
  return steps.map(s => `${s.column}: ${SAID[s.role]}`).join(', ');
}

/** The node's strongest status: a source, else a change, else passing. */
function statusOf(steps: ILineageStep[]): string {
  const statuses = steps.map(s => STATUS[s.role]);
  for (const status of ['lineage-source', 'lineage-changes']) {
    if (statuses.includes(status)) {
      return status;
    }
  }
  return 'lineage-passes';
}

/** The canvas decorations of a lineage answer. */
export function lineageDecorations(
  lineage: ILineage
): Map<string, INodeDecoration> {
  const byNode = new Map<string, ILineageStep[]>();
  for (const step of lineage.path) {
    byNode.set(step.node, [...(byNode.get(step.node) ?? []), step]);
  }
  const shown = new Map<string, INodeDecoration>();
  for (const [node, steps] of byNode) {
    const expressions = steps
      .filter(s => s.role === 'derives' && s.expression)
      .map(s => `${s.column} = ${s.expression}`);
    shown.set(node, {
      status: statusOf(steps),
      badge: badgeOf(steps),
      ...(expressions.length ? { message: expressions.join('\n') } : {})
    });
  }
  for (const node of lineage.unknown) {
    shown.set(node, {
      status: 'lineage-unknown',
      badge: 'known only after a run'
    });
  }
  return shown;
}

/** One line saying where the column comes from. */
export function lineageSummary(lineage: ILineage): string {
  const from = lineage.origins.map(o => `${o.node}.${o.column}`);
  const changed = [
    ...new Set(
      lineage.path
        .filter(s => STATUS[s.role] === 'lineage-changes')
        .map(s => s.node)
    )
  ];
  const parts = [
    `${lineage.node}.${lineage.column} comes from ${
      from.length ? from.join(', ') : 'no source column'
    }`
  ];
  if (changed.length) {
    parts.push(`changed by ${changed.join(', ')}`);
  }
  if (lineage.unknown.length) {
    parts.push(`not known before a run: ${lineage.unknown.join(', ')}`);
  }
  return parts.join('; ');
}

export type LineageState =
  | { kind: 'none' }
  | { kind: 'loading'; node: string; column: string }
  | { kind: 'shown'; lineage: ILineage }
  | { kind: 'failed'; message: string };

/** The lineage shown on the canvas: `show(node, column)` asks, `clear()` forgets. */
export function useLineage(
  designer: IFlowsDesigner,
  path: () => string,
  flow: IFlow | null
): {
  state: LineageState;
  decorations: Map<string, INodeDecoration> | undefined;
  show(node: string, column: string): void;
  clear(): void;
} {
  const [state, setState] = React.useState<LineageState>({ kind: 'none' });
  const latest = React.useRef(0);
  const show = (node: string, column: string) => {
    if (flow === null) {
      return;
    }
    const ticket = ++latest.current;
    setState({ kind: 'loading', node, column });
    designer.lineage(path(), flow, node, column).then(
      lineage => {
        if (ticket === latest.current) {
          setState({ kind: 'shown', lineage });
        }
      },
      reason => {
        if (ticket === latest.current) {
          setState({ kind: 'failed', message: errorText(reason) });
        }
      }
    );
  };
  const clear = () => {
    latest.current++;
    setState({ kind: 'none' });
  };
  const decorations = React.useMemo(
    () =>
      state.kind === 'shown' ? lineageDecorations(state.lineage) : undefined,
    [state]
  );
  return { state, decorations, show, clear };
}
