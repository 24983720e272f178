/** What changed between two snapshots: counts, then each file or table added, removed
 * or modified (with sizes or row counts). */
import * as React from 'react';

import { diffLines, diffSummary } from './model';
import { DatasetDiff } from './tokens';

export function DiffView(props: {
  diff: DatasetDiff;
  older: number;
  newer: number;
}): JSX.Element {
  const lines = diffLines(props.diff);
  return (
    <section
      className="jp-GalileanDatasets-diff"
      aria-label={`Changes from snapshot ${props.older} to snapshot ${props.newer}`}
    >
      <h4>
        #{props.older} → #{props.newer}
      </h4>
      <p>{diffSummary(props.diff)}</p>
      <ul>
        {lines.map(line => (
          <li
            key={`${line.change}:${line.name}`}
            className={`jp-GalileanDatasets-diff-${line.change}`}
            aria-label={`${line.change} ${line.name}`}
          >
            <span className="jp-GalileanDatasets-change">{line.change}</span>{' '}
            <code>{line.name}</code>
            {line.detail && (
              <span className="jp-GalileanDatasets-detail"> {line.detail}</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
