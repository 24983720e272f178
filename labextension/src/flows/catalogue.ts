/**
 * The kind catalogue as the palette and the canvas use it: ports by name, the palette's
 * search and its grouping by category, and the ports of a node whose kind the catalogue
 * does not know (read from its edges, so the canvas still draws them).
 */
import { IFlow } from './model';
import { IKindInfo, KindCategory, KindPort } from './tokens';

export const CATEGORIES: KindCategory[] = [
  'source',
  'transform',
  'destination',
  'control'
];

export const CATEGORY_TITLES: Record<string, string> = {
  source: 'Sources',
  transform: 'Transforms',
  destination: 'Destinations',
  control: 'Control'
};

export function portName(port: KindPort): string {
  return typeof port === 'string' ? port : port.name;
}

/** Whether `kind` matches every word of `query` (title, name, description). */
export function kindMatches(kind: IKindInfo, query: string): boolean {
  const haystack =
    `${kind.title} ${kind.kind} ${kind.description ?? ''}`.toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(w => w.length > 0)
    .every(word => haystack.includes(word));
}

/** The kinds matching `query`, grouped by category in palette order (empty groups left out). */
export function paletteGroups(
  kinds: IKindInfo[],
  query: string
): { category: string; title: string; kinds: IKindInfo[] }[] {
  const known = new Set<string>(CATEGORIES);
  const extra = [...new Set(kinds.map(k => k.category))].filter(
    c => !known.has(c)
  );
  return [...CATEGORIES, ...extra]
    .map(category => ({
      category,
      title: CATEGORY_TITLES[category] ?? category,
      kinds: kinds
        .filter(k => k.category === category && kindMatches(k, query))
        .sort((a, b) => a.title.localeCompare(b.title))
    }))
    .filter(group => group.kinds.length > 0);
}

export interface INodePorts {
  inputs: string[];
  outputs: string[];
}

/** The ports of node `id`: its kind's, plus any its edges use that the kind lacks. */
export function nodePorts(
  flow: IFlow,
  id: string,
  kind: IKindInfo | undefined
): INodePorts {
  const inputs = (kind?.inputs ?? []).map(portName);
  const outputs = (kind?.outputs ?? []).map(portName);
  for (const edge of flow.edges) {
    if (edge.to.node === id && !inputs.includes(edge.to.port)) {
      inputs.push(edge.to.port);
    }
    if (edge.from.node === id && !outputs.includes(edge.from.port)) {
      outputs.push(edge.from.port);
    }
  }
  if (!kind && outputs.length === 0) {
    outputs.push('out');
  }
  return { inputs, outputs };
}
