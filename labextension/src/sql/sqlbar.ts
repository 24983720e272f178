/**
 * The bar over a SQL cell: the connection picker, the result's name and a Format
 * button (sqlglot on the server, in the connection's dialect).
 */
import { Cell } from '@jupyterlab/cells';
import { Widget } from '@lumino/widgets';

import { IConnections } from '../connections/tokens';
import { GalileanRequestError } from '../request';
import {
  ISqlChoice,
  isResultName,
  sqlBody,
  sqlChoice,
  withFormatted
} from './magic';

/** What the bar needs of the SQL cells: to save a choice, to refresh highlighting. */
export interface ISqlBarHost {
  connections: IConnections;
  choose(cell: Cell, choice: ISqlChoice): void;
  highlight(cell: Cell): void;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  title?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (title !== undefined) {
    node.title = title;
  }
  return node;
}

export class SqlBar extends Widget {
  private select = element(
    'select',
    'galilean-SqlBar-connection',
    'Connection'
  );
  private variable = element(
    'input',
    'galilean-SqlBar-variable',
    'Name of the result DataFrame'
  );
  private format = element(
    'button',
    'galilean-SqlBar-format jp-mod-styled',
    "Format the SQL in the connection's dialect"
  );
  private message = element('span', 'galilean-SqlBar-message');

  constructor(
    private cell: Cell,
    private host: ISqlBarHost
  ) {
    super();
    this.addClass('galilean-SqlBar');
    const label = element('span', 'galilean-SqlBar-label');
    label.textContent = 'SQL';
    const arrow = document.createElement('span');
    arrow.textContent = '→';
    this.format.textContent = 'Format';
    this.message.setAttribute('role', 'status');
    this.node.append(
      label,
      this.select,
      arrow,
      this.variable,
      this.format,
      this.message
    );
    this.select.onchange = () => this.save();
    this.variable.oninput = () => this.save();
    this.format.onclick = () => void this.formatSql();
    void this.fill();
  }

  /** Format the SQL below the magic line on the server (sqlglot, the connection's
   * dialect); the magic line and `{{ name }}` references stay as they are. */
  private async formatSql(): Promise<void> {
    const choice = sqlChoice(this.cell);
    if (!choice) {
      return;
    }
    const source = this.cell.model.sharedModel.getSource();
    const body = sqlBody(this.cell);
    this.message.textContent = '';
    this.message.classList.remove('galilean-SqlBar-error');
    try {
      const sql = await this.host.connections.format(
        choice.connection,
        body,
        2
      );
      if (this.cell.model.sharedModel.getSource() !== source) {
        return; // edited while formatting: keep the user's text
      }
      this.cell.model.sharedModel.setSource(withFormatted(source, sql));
    } catch (error) {
      const text =
        error instanceof GalileanRequestError
          ? (error.body?.error ?? error.message)
          : String(error);
      this.message.textContent = text;
      this.message.title = text;
      this.message.classList.add('galilean-SqlBar-error');
    }
  }

  private async fill(): Promise<void> {
    let names: string[] = [];
    try {
      names = (await this.host.connections.list()).map(c => c.name);
    } catch {
      names = ['duckdb'];
    }
    // Read the choice after the wait: the user (or another fill) may have changed it.
    const current = sqlChoice(this.cell)?.connection ?? 'duckdb';
    if (!names.includes(current)) {
      names.push(current);
    }
    this.host.highlight(this.cell); // the connection's dialect is known now
    this.select.textContent = '';
    for (const name of names) {
      const option = document.createElement('option');
      option.value = option.textContent = name;
      option.selected = name === current;
      this.select.appendChild(option);
    }
  }

  update(): void {
    const choice = sqlChoice(this.cell);
    if (choice) {
      if (document.activeElement !== this.variable) {
        this.variable.value = choice.variable;
      }
      if (
        this.select.options.length > 0 &&
        this.select.value !== choice.connection
      ) {
        void this.fill();
      }
    }
  }

  protected onAfterAttach(): void {
    this.update();
  }

  private save(): void {
    const variable = this.variable.value.trim();
    if (!isResultName(variable)) {
      this.variable.classList.add('galilean-invalid');
      this.variable.title = 'A Python name: letters, digits and _';
      return;
    }
    this.variable.classList.remove('galilean-invalid');
    this.host.choose(this.cell, { connection: this.select.value, variable });
  }
}
