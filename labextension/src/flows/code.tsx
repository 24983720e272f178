/**
 * "Show as code": the SQL the engine runs, or the flow as a Polars script to copy into a
 * notebook cell (POST /galilean/flows/code with `language`), for the selected node or
 * the whole flow, in a panel with a SQL / Polars switch, Copy and Close. The code is read
 * when the panel opens and again when what it shows (the node, the flow, the language)
 * changes.
 */
import { Clipboard } from '@jupyterlab/apputils';
import * as React from 'react';

import { errorText } from '../request';
import { IFlow } from './model';

/** The languages the server writes a flow in. */
export type CodeLanguage = 'sql' | 'polars';

export const LANGUAGES: { value: CodeLanguage; label: string; what: string }[] =
  [
    { value: 'sql', label: 'SQL', what: 'SQL' },
    { value: 'polars', label: 'Polars', what: 'Polars script' }
  ];

/** What the panel asks for the code (the designer's client). */
export interface ICodeSource {
  code(
    path: string,
    content: unknown,
    node?: string,
    language?: CodeLanguage
  ): Promise<string>;
}

type CodeState =
  | { kind: 'loading' }
  | { kind: 'shown'; code: string }
  | { kind: 'failed'; message: string };

/** The panel's heading: what is shown, of what. */
export function codeTitle(language: CodeLanguage, node: string | null): string {
  const what = LANGUAGES.find(l => l.value === language)?.what ?? language;
  return node ? `${what} of ${node}` : `${what} of the whole flow`;
}

/** The code of `node` (or of the flow's outputs), read again when the flow changes. */
function useCode(
  source: ICodeSource,
  path: () => string,
  flow: IFlow,
  node: string | null,
  language: CodeLanguage
): CodeState {
  const [state, setState] = React.useState<CodeState>({ kind: 'loading' });
  React.useEffect(() => {
    let live = true;
    setState({ kind: 'loading' });
    source.code(path(), flow, node ?? undefined, language).then(
      code => live && setState({ kind: 'shown', code }),
      reason => live && setState({ kind: 'failed', message: errorText(reason) })
    );
    return () => {
      live = false;
    };
  }, [source, flow, node, language]);
  return state;
}

/** The SQL / Polars switch: a labelled group of two radio buttons. */
function LanguageSwitch(props: {
  language: CodeLanguage;
  onChange(language: CodeLanguage): void;
}): JSX.Element {
  return (
    <span role="radiogroup" aria-label="Code language">
      {LANGUAGES.map(({ value, label }) => (
        <label key={value}>
          <input
            type="radio"
            name="galilean-flow-code-language"
            value={value}
            checked={props.language === value}
            onChange={() => props.onChange(value)}
          />{' '}
          {label}
        </label>
      ))}
    </span>
  );
}

/** The panel: the node's or the flow's code, its language, Copy, Close. */
export function CodePanel(props: {
  designer: ICodeSource;
  path: () => string;
  flow: IFlow;
  /** The selected node, if one is. */
  selected: string | null;
  onClose(): void;
}): JSX.Element {
  const { designer, path, flow, selected, onClose } = props;
  const [whole, setWhole] = React.useState(selected === null);
  const [language, setLanguage] = React.useState<CodeLanguage>('sql');
  const node = whole ? null : selected;
  const state = useCode(designer, path, flow, node, language);
  const title = codeTitle(language, node);
  const what = language === 'sql' ? 'the SQL' : 'the Polars script';
  return (
    <section className="jp-GalileanFlow-code" aria-label="Show as code">
      <div className="jp-GalileanFlow-codeBar" role="toolbar">
        <strong>{title}</strong>
        <LanguageSwitch language={language} onChange={setLanguage} />
        <label>
          <input
            type="checkbox"
            checked={whole || selected === null}
            disabled={selected === null}
            onChange={event => setWhole(event.target.checked)}
          />{' '}
          Whole flow
        </label>
        <button
          aria-label={`Copy ${what}`}
          disabled={state.kind !== 'shown'}
          onClick={() =>
            state.kind === 'shown' && Clipboard.copyToSystem(state.code)
          }
        >
          Copy
        </button>
        <button aria-label="Close the code" onClick={onClose}>
          Close
        </button>
      </div>
      {state.kind === 'loading' && (
        <p className="jp-GalileanFlow-hint">Compiling…</p>
      )}
      {state.kind === 'failed' && (
        <p className="jp-GalileanFlow-error" role="alert">
          {state.message}
        </p>
      )}
      {state.kind === 'shown' && (
        <pre className="jp-GalileanFlow-sql" aria-label={title}>
          {state.code}
        </pre>
      )}
    </section>
  );
}
