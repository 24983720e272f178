/**
 * The designer editor's parts that hold no editing logic: the document and the kind
 * catalogue as React state, where a clicked kind goes, and the view of a file that is
 * not a flow.
 */
import * as React from 'react';

import { errorText } from '../request';
import { FlowDocument } from './document';
import { IFlow, IPosition } from './model';
import { IFlowsDesigner, IKindInfo } from './tokens';

export function useDocument(doc: FlowDocument) {
  const [state, setState] = React.useState({
    flow: doc.flow,
    problem: doc.problem
  });
  React.useEffect(() => {
    const changed = () => setState({ flow: doc.flow, problem: doc.problem });
    doc.changed.connect(changed);
    changed();
    return () => {
      doc.changed.disconnect(changed);
    };
  }, [doc]);
  return state;
}

export function useKinds(designer: IFlowsDesigner) {
  const [kinds, setKinds] = React.useState<IKindInfo[]>([]);
  const [error, setError] = React.useState<string | null>(null);
  React.useEffect(() => {
    designer
      .kinds()
      .then(setKinds, reason =>
        setError(`The node kinds could not be read: ${errorText(reason)}`)
      );
  }, [designer]);
  const byName = React.useMemo(
    () => new Map(kinds.map(k => [k.kind, k])),
    [kinds]
  );
  return { kinds, byName, error };
}

/** Where a clicked kind goes: right of the rightmost node. */
export function nextPosition(flow: IFlow): IPosition {
  const xs = flow.nodes.map(n => n.position?.x ?? 0);
  return { x: xs.length > 0 ? Math.max(...xs) + 220 : 40, y: 40 };
}

export const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable ||
    ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

export function NotAFlow(props: { message: string }): JSX.Element {
  return (
    <div className="jp-GalileanFlow-notFlow" role="alert">
      <h3>This file is not a flow the designer can draw</h3>
      <pre>{props.message}</pre>
      <p>
        Fix it with Open With → Editor; the designer redraws as soon as the text
        is a flow again. Nothing was changed in the file.
      </p>
    </div>
  );
}
