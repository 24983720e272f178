/**
 * Validation as the user edits: the flow is sent to the server extension's validator a
 * moment after each change, and every problem is listed at once (a click goes to the
 * node at fault); the canvas outlines the nodes and edges the problems are on.
 */
import * as React from 'react';

import { errorText } from '../request';
import { IFlow } from './model';
import { issueNode } from './problems';
import { IFlowIssue, IFlowsDesigner } from './tokens';

/** How long after the last change the flow is validated. */
export const VALIDATE_AFTER_MS = 400;

export function useValidation(
  designer: IFlowsDesigner,
  path: () => string,
  flow: IFlow | null
): {
  issues: IFlowIssue[];
  error: string | null;
  columns: Record<string, string[] | null>;
} {
  const [issues, setIssues] = React.useState<IFlowIssue[]>([]);
  const [columns, setColumns] = React.useState<Record<string, string[] | null>>(
    {}
  );
  const [error, setError] = React.useState<string | null>(null);
  React.useEffect(() => {
    if (flow === null) {
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      designer.validate(path(), flow).then(
        answer => {
          if (live) {
            setIssues(answer.issues);
            setColumns(answer.columns ?? {});
            setError(null);
          }
        },
        reason => {
          if (live) {
            setError(`The flow could not be checked: ${errorText(reason)}`);
          }
        }
      );
    }, VALIDATE_AFTER_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [designer, flow]);
  return { issues, error, columns };
}

export interface IProblemsProps {
  issues: IFlowIssue[];
  error: string | null;
  onGo(node: string): void;
}

export function ProblemsList(props: IProblemsProps): JSX.Element | null {
  const { issues, error, onGo } = props;
  if (issues.length === 0 && error === null) {
    return null;
  }
  return (
    <section className="jp-GalileanFlow-problems" aria-label="Problems">
      {error && <div className="jp-GalileanFlow-error">{error}</div>}
      {issues.length > 0 && (
        <h3>
          {issues.length} problem{issues.length > 1 ? 's' : ''}
        </h3>
      )}
      <ul>
        {issues.map((issue, i) => {
          const node = issueNode(issue);
          return (
            <li key={i}>
              <button
                disabled={node === null}
                onClick={() => node && onGo(node)}
                title={node ? `Go to ${node}` : issue.code}
              >
                {node && <strong>{node}: </strong>}
                {issue.message}
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
