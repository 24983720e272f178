/**
 * The Datasets sidebar: the list and the "New dataset" form, or one dataset's timeline.
 * `startNew(folder)` opens the form filled in for a folder (the file browser's "Make a
 * dataset of this folder").
 */
import { ReactWidget } from '@jupyterlab/apputils';
import { LabIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { errorText } from '../request';
import { NodeAction } from './lineage_model';
import { DatasetList, IDraft, NewDatasetForm } from './list';
import { ExplorerContext, OpenExplorer } from './explorer_context';
import { accessOf } from './share_model';
import { DatasetView } from './timeline';
import { IDataset, IDatasets } from './tokens';

export const datasetsIcon = new LabIcon({
  name: 'galilean:datasets',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24">' +
    '<g class="jp-icon3" fill="#616161"><path d="M12 3C7.6 3 4 4.3 4 6v12c0 ' +
    '1.7 3.6 3 8 3s8-1.3 8-3V6c0-1.7-3.6-3-8-3zm0 2c3.9 0 6 1.1 6 1s-2.1 1-6 ' +
    '1-6-1-6-1 2.1-1 6-1zm6 13c0 .1-2.1 1-6 1s-6-.9-6-1v-2.3c1.5.8 3.6 1.3 6 ' +
    '1.3s4.5-.5 6-1.3V18zm0-5c0 .1-2.1 1-6 1s-6-.9-6-1v-2.3c1.5.8 3.6 1.3 6 ' +
    '1.3s4.5-.5 6-1.3V13z"/></g></svg>'
});

export interface ISidebarOptions {
  client: IDatasets;
  /** The signed-in user (the hub's name; "" outside a hub: everything is theirs). */
  user: string;
  /** The file browser's current folder. */
  currentFolder(): string;
  /** After a restore: the file browser reads its folder again. */
  onRestored(): void;
  /** Open a file of the user's folder (a flow in the designer, a notebook). */
  openPath(path: string): void;
  /** Open an MLflow page (an experiment run of the lineage) in JupyterLab. */
  openMlflow?(url: string): void;
  /** Show a dataset's lineage graph in the main area. */
  openLineage(dataset: IDataset, onAction: (action: NodeAction) => void): void;
  /** Show a dataset's explorer in the main area; its edits call `onEdited`. */
  openExplorer?(
    dataset: IDataset,
    writable: boolean,
    onEdited: (snapshot: number) => void
  ): void;
  now?(): number;
}

type Page =
  { kind: 'list' } | { kind: 'new' } | { kind: 'dataset'; dataset: IDataset };

function DatasetsRoot(props: ISidebarOptions & { draft: IDraft | null }) {
  const { client, draft } = props;
  const [page, setPage] = React.useState<Page>({ kind: 'list' });
  const [datasets, setDatasets] = React.useState<IDataset[] | null>(null);
  const [error, setError] = React.useState('');
  // Bumped by an explorer's edit: the timeline shown reads its snapshots again.
  const [revision, setRevision] = React.useState(0);
  const { openExplorer } = props;
  const explore = React.useMemo<OpenExplorer | null>(
    () =>
      openExplorer
        ? (dataset, writable) =>
            openExplorer(dataset, writable, () => setRevision(r => r + 1))
        : null,
    [openExplorer]
  );
  const load = React.useCallback(() => {
    client.list().then(
      found => {
        setDatasets(found);
        setError('');
      },
      e => setError(errorText(e))
    );
  }, [client]);
  React.useEffect(load, [load]);
  React.useEffect(() => {
    if (draft) {
      setPage({ kind: 'new' });
    }
  }, [draft?.seq]);

  const openDataset = (dataset: IDataset) => {
    setPage({ kind: 'dataset', dataset });
    load();
  };
  const { openPath, openMlflow } = props;
  const onLineageAction = React.useCallback(
    (action: NodeAction) => {
      if (action.kind === 'open-file') {
        openPath(action.path);
      } else if (action.kind === 'open-run' && action.flow) {
        openPath(action.flow); // the flows panel has no command for one run yet
      } else if (action.kind === 'open-mlflow') {
        if (openMlflow) {
          openMlflow(action.url);
        } else {
          window.open(action.url, '_blank', 'noopener');
        }
      } else if (action.kind === 'open-dataset') {
        client.list().then(
          found => {
            const named = found.find(d => d.name === action.name);
            if (named) {
              setPage({ kind: 'dataset', dataset: named });
            }
          },
          e => setError(errorText(e))
        );
      }
    },
    [client, openPath, openMlflow]
  );

  if (page.kind === 'dataset') {
    const { dataset } = page;
    return (
      <ExplorerContext.Provider value={explore}>
        <DatasetView
          key={`${dataset.id}-${revision}`}
          client={client}
          dataset={dataset}
          writable={accessOf(dataset, props.user, null) !== 'read'}
          owner={accessOf(dataset, props.user, null) === 'owner'}
          now={props.now ?? Date.now}
          onRestored={props.onRestored}
          onOpenDataset={openDataset}
          onLineageAction={onLineageAction}
          openLineage={props.openLineage}
          onBack={() => {
            setPage({ kind: 'list' });
            load();
          }}
        />
      </ExplorerContext.Provider>
    );
  }
  return (
    <>
      <div className="jp-GalileanDatasets-header">
        <button
          className="jp-mod-styled jp-mod-accept"
          aria-label="New dataset"
          onClick={() => setPage({ kind: 'new' })}
        >
          New dataset
        </button>
        <button
          className="jp-mod-styled"
          aria-label="Refresh datasets"
          onClick={load}
        >
          Refresh
        </button>
      </div>
      {page.kind === 'new' && (
        <NewDatasetForm
          client={client}
          draft={draft}
          currentFolder={props.currentFolder}
          onCreated={made => {
            load();
            setPage({ kind: 'dataset', dataset: made });
          }}
          onCancel={() => setPage({ kind: 'list' })}
        />
      )}
      <DatasetList
        datasets={datasets}
        user={props.user}
        error={error}
        onOpen={dataset => setPage({ kind: 'dataset', dataset })}
      />
    </>
  );
}

export class DatasetsSidebar extends ReactWidget {
  private draft: IDraft | null = null;

  constructor(private options: ISidebarOptions) {
    super();
    this.id = 'galilean-datasets';
    this.addClass('jp-GalileanDatasets');
    this.title.icon = datasetsIcon;
    this.title.caption = 'Datasets';
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', 'Datasets');
  }

  /** Open the "New dataset" form for `folder` (a path in the file browser). */
  startNew(folder: string): void {
    this.draft = { folder, seq: (this.draft?.seq ?? 0) + 1 };
    this.update();
  }

  protected render(): JSX.Element {
    return (
      <>
        <h2 className="jp-GalileanDatasets-title">Datasets</h2>
        <DatasetsRoot {...this.options} draft={this.draft} />
      </>
    );
  }
}
