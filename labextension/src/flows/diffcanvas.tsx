/**
 * The diff of two versions drawn on a canvas (FlowCanvas, its edits discarded): the
 * newer version with the removed nodes put back, every node marked added, removed,
 * changed (its params before → after pinned under it) or moved. It opens in a dialog:
 * the versions panel is too narrow to read a flow in.
 */
import { Dialog, ReactWidget } from '@jupyterlab/apputils';
import { ReactFlowProvider } from '@xyflow/react';
import * as React from 'react';

import { errorText } from '../request';
import { FlowCanvas } from './canvas';
import { IFlowService, IServiceDiff } from './service_client';
import { contentAsFlow, diffDrawing, IDiffDrawing } from './versions_model';
import { IFlowsDesigner, IKindInfo } from './tokens';

const NONE = new Map<string, string[]>();
const ignore = () => undefined;

export function DiffCanvas(props: {
  service: IFlowService;
  designer: IFlowsDesigner;
  path: string;
  diff: IServiceDiff;
}): JSX.Element {
  const { service, designer, path, diff } = props;
  const [drawing, setDrawing] = React.useState<IDiffDrawing | null>(null);
  const [kinds, setKinds] = React.useState(new Map<string, IKindInfo>());
  const [error, setError] = React.useState('');
  React.useEffect(() => {
    let current = true;
    Promise.all([
      service.version(path, diff.from),
      service.version(path, diff.to),
      designer.kinds()
    ]).then(
      ([older, newer, known]) => {
        if (current) {
          const [a, b] = [
            contentAsFlow(older.content),
            contentAsFlow(newer.content)
          ];
          setKinds(new Map(known.map(k => [k.kind, k])));
          setDrawing(diffDrawing(a, b, diff));
        }
      },
      e => current && setError(errorText(e))
    );
    return () => {
      current = false;
    };
  }, [service, designer, path, diff]);
  if (error) {
    return <p className="jp-GalileanFlow-error">{error}</p>;
  }
  if (drawing === null) {
    return <p className="jp-GalileanFlow-hint">Drawing the changes…</p>;
  }
  return (
    <div
      className="jp-GalileanFlow-versionsCanvas"
      aria-label={`Canvas of the changes from version ${diff.from} to version ${diff.to}`}
    >
      <ReactFlowProvider>
        <FlowCanvas
          flow={drawing.flow}
          kinds={kinds}
          problems={NONE}
          edgeProblems={NONE}
          focus={null}
          decorations={drawing.decorations}
          onChange={ignore}
          onSelect={ignore}
          onMessage={ignore}
          onAdd={ignore}
        />
      </ReactFlowProvider>
    </div>
  );
}

/** The diff drawn on a canvas, in a large dialog. */
export function showDiffCanvas(
  service: IFlowService,
  designer: IFlowsDesigner,
  path: string,
  diff: IServiceDiff
): void {
  const body = ReactWidget.create(
    <DiffCanvas service={service} designer={designer} path={path} diff={diff} />
  );
  body.addClass('jp-GalileanFlow-diffBody');
  const dialog = new Dialog({
    title: `Changes from version ${diff.from} to version ${diff.to}`,
    body,
    buttons: [Dialog.okButton({ label: 'Close' })]
  });
  dialog.addClass('jp-GalileanFlow-diffDialog');
  void dialog.launch().then(() => dialog.dispose());
}
