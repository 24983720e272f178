/**
 * The validator's issues as the canvas shows them: per node and per edge, the messages
 * to outline it with; and the problems list's lines, each with the node to go to.
 */
import { IFlowIssue } from './tokens';

function add(map: Map<string, string[]>, id: string, message: string): void {
  const known = map.get(id);
  if (known) {
    known.push(message);
  } else {
    map.set(id, [message]);
  }
}

/** Node id → the messages of the issues on it (a cycle's on each of its nodes). */
export function problemsByNode(issues: IFlowIssue[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const issue of issues) {
    const ids = new Set([
      ...(issue.node ? [issue.node] : []),
      ...(issue.nodes ?? [])
    ]);
    ids.forEach(id => add(map, id, issue.message));
  }
  return map;
}

/** Edge id → the messages of the issues on it. */
export function problemsByEdge(issues: IFlowIssue[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  issues.forEach(issue => issue.edge && add(map, issue.edge, issue.message));
  return map;
}

/** The node a problem list line goes to: its own, or the first of several. */
export function issueNode(issue: IFlowIssue): string | null {
  return issue.node ?? issue.nodes?.[0] ?? null;
}
