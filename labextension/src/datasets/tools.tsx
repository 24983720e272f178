/**
 * One dataset's tools over its timeline: Sample (tables, the owner), Export (the owner),
 * Lineage (anyone who sees it: opens the graph in the main area), Clean up and Share (the
 * owner: with the hub's groups, to read or to edit); one dialog open at a time.
 */
import * as React from 'react';

import { ExplorerContext } from './explorer_context';
import { ExportForm } from './export';
import { NodeAction } from './lineage_model';
import { RetentionForm } from './retention';
import { SampleForm } from './sample';
import { ShareForm } from './share';
import { IDataset, IDatasets, ISnapshot } from './tokens';

type Tool = 'sample' | 'export' | 'lineage' | 'cleanup' | 'share';

const LABELS: Record<Tool, string> = {
  sample: 'Sample',
  export: 'Export',
  lineage: 'Lineage',
  cleanup: 'Clean up',
  share: 'Share'
};

export interface IDatasetToolsProps {
  client: IDatasets;
  dataset: IDataset;
  /** May change its content (the owner, a member of a writer group). */
  writable: boolean;
  /** Owns it: samples, exports, cleans up and shares it (default: `writable`). */
  owner?: boolean;
  snapshots: ISnapshot[] | null;
  now(): number;
  /** A sample was saved as this new dataset: open it. */
  onOpenDataset(dataset: IDataset): void;
  /** A file was written or snapshots removed. */
  onChanged(): void;
  onLineageAction(action: NodeAction): void;
  /** Show the lineage graph (in the main area: it needs the room). */
  openLineage(dataset: IDataset, onAction: (action: NodeAction) => void): void;
}

/** The table a dialog starts with: the one the newest snapshot names, if any. */
export function lastTable(snapshots: ISnapshot[] | null): string {
  return snapshots?.find(s => s.origin.table)?.origin.table ?? '';
}

/** The tools for a dataset: the ones that write into the owner's folder or change who
 * sees it are the owner's (the service answers 403 to anyone else). */
function toolsOf(dataset: IDataset, owner: boolean): Tool[] {
  const tools: Tool[] = [];
  if (owner && dataset.driver === 'tables') {
    tools.push('sample');
  }
  if (owner) {
    tools.push('export');
  }
  tools.push('lineage');
  if (owner) {
    tools.push('cleanup', 'share');
  }
  return tools;
}

export function DatasetTools(props: IDatasetToolsProps): JSX.Element {
  const { client } = props;
  // The dataset as the last share saved it (its groups), else as the list gave it.
  const [shared, setShared] = React.useState<IDataset | null>(null);
  const dataset = shared?.id === props.dataset.id ? shared : props.dataset;
  const [open, setOpen] = React.useState<Tool | null>(null);
  const close = () => setOpen(null);
  const table = lastTable(props.snapshots);
  const openExplorer = React.useContext(ExplorerContext);
  return (
    <>
      <div className="jp-GalileanDatasets-buttons" aria-label="Dataset tools">
        {openExplorer && (
          <button
            type="button"
            className="jp-mod-styled"
            onClick={() => openExplorer(dataset, props.writable)}
          >
            Explore
          </button>
        )}
        {toolsOf(dataset, props.owner ?? props.writable).map(tool => (
          <button
            key={tool}
            type="button"
            className="jp-mod-styled"
            aria-pressed={open === tool}
            onClick={() =>
              tool === 'lineage'
                ? props.openLineage(dataset, props.onLineageAction)
                : setOpen(open === tool ? null : tool)
            }
          >
            {LABELS[tool]}
          </button>
        ))}
      </div>
      {open === 'sample' && (
        <SampleForm
          client={client}
          dataset={dataset}
          table={table}
          onMade={props.onOpenDataset}
          onCancel={close}
        />
      )}
      {open === 'export' && (
        <ExportForm
          client={client}
          dataset={dataset}
          table={table}
          onWritten={props.onChanged}
          onCancel={close}
        />
      )}
      {open === 'share' && (
        <ShareForm
          client={client}
          dataset={dataset}
          onShared={setShared}
          onCancel={close}
        />
      )}
      {open === 'cleanup' && (
        <RetentionForm
          client={client}
          dataset={dataset}
          onCleaned={props.onChanged}
          onCancel={close}
        />
      )}
    </>
  );
}
