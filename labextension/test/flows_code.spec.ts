/**
 * The "show as code" panel: a SQL / Polars switch (a labelled radio group) that asks the
 * server for the code in the chosen language, for the selected node or the whole flow,
 * and a Copy button named for what it copies; rendered in jsdom.
 */
import * as React from 'react';

import {
  CodeLanguage,
  CodePanel,
  codeTitle,
  ICodeSource
} from '../src/flows/code';
import { IFlow } from '../src/flows/model';

import { act, createRoot } from './react_root';

/** Answers as the server does, remembering what it was asked. */
class Recorded implements ICodeSource {
  asked: [string | undefined, CodeLanguage | undefined][] = [];

  code(
    path: string,
    content: unknown,
    node?: string,
    language?: CodeLanguage
  ): Promise<string> {
    this.asked.push([node, language]);
    const what = language === 'polars' ? 'import polars as pl' : 'SELECT 1';
    return Promise.resolve(`${what} -- ${node ?? 'all'}`);
  }
}

const FLOW = {
  galilean_flow: 1,
  name: 'f',
  nodes: [],
  edges: []
} as unknown as IFlow;

async function settle(): Promise<void> {
  await act(async () => {
    await Promise.resolve();
  });
}

describe('show as code', () => {
  it('titles what it shows', () => {
    expect(codeTitle('sql', null)).toBe('SQL of the whole flow');
    expect(codeTitle('polars', 'big')).toBe('Polars script of big');
  });

  it('switches between SQL and the Polars script', async () => {
    const host = document.createElement('div');
    document.body.appendChild(host);
    const root = createRoot(host);
    const source = new Recorded();
    act(() => {
      root.render(
        React.createElement(CodePanel, {
          designer: source,
          path: () => 'work/f.flow',
          flow: FLOW,
          selected: 'big',
          onClose: () => undefined
        })
      );
    });
    await settle();
    const group = host.querySelector('[role="radiogroup"]');
    expect(group?.getAttribute('aria-label')).toBe('Code language');
    const shown = () => host.querySelector('pre')?.textContent;
    expect(shown()).toBe('SELECT 1 -- big');
    const copy = host.querySelector('button[aria-label^="Copy"]');
    expect(copy?.getAttribute('aria-label')).toBe('Copy the SQL');

    const radios = Array.from(
      host.querySelectorAll<HTMLInputElement>('input[type="radio"]')
    );
    expect(radios.map(r => r.parentElement?.textContent?.trim())).toEqual([
      'SQL',
      'Polars'
    ]);
    act(() => radios[1].click());
    await settle();
    expect(source.asked).toEqual([
      ['big', 'sql'],
      ['big', 'polars']
    ]);
    expect(shown()).toBe('import polars as pl -- big');
    expect(host.querySelector('pre')?.getAttribute('aria-label')).toBe(
      'Polars script of big'
    );
    expect(
      host
        .querySelector('button[aria-label^="Copy"]')
        ?.getAttribute('aria-label')
    ).toBe('Copy the Polars script');
    act(() => root.unmount());
  });
});
