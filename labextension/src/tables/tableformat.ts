/**
 * Cells as people read them: floats to a chosen number of decimals (the full value on
 * hover and when copied), numbers right-aligned, missing values marked.
 */

export interface IColumn {
  id: string;
  name: string;
  type: string;
  kind: 'number' | 'date' | 'bool' | 'text';
  labels?: string[];
}

/** The text shown for a value, and the full value when the text shortens it. */
export function formatCell(
  value: unknown,
  column: IColumn,
  precision: number
): { text: string; full: string | null } {
  if (value === null || value === undefined) {
    return { text: '', full: null };
  }
  if (typeof value === 'number' && !Number.isInteger(value)) {
    const full = String(value);
    const size = Math.abs(value);
    const text =
      size >= 1e15 || (size > 0 && size < Math.pow(10, -precision))
        ? value.toExponential(Math.max(precision, 1))
        : value.toLocaleString('en-US', {
            maximumFractionDigits: precision,
            minimumFractionDigits: 0,
            useGrouping: false
          });
    return { text, full: text === full ? null : full };
  }
  if (column.kind === 'date' && typeof value === 'string') {
    // ISO timestamps: a space instead of T, midnight times dropped.
    const text = value.replace('T', ' ').replace(/ 00:00:00$/, '');
    return { text, full: text === value ? null : value };
  }
  return { text: String(value), full: null };
}

/** Copying cells of `table` copies their full values, tab-separated by row. */
export function copyFullValues(
  table: HTMLTableElement,
  event: ClipboardEvent
): void {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || !event.clipboardData) {
    return;
  }
  const lines: string[] = [];
  for (const row of Array.from(table.rows)) {
    const cells = Array.from(row.cells).filter(cell =>
      selection.containsNode(cell, true)
    );
    if (cells.length) {
      lines.push(
        cells
          .map(cell => cell.dataset.full ?? cell.textContent ?? '')
          .join('\t')
      );
    }
  }
  if (lines.length) {
    event.clipboardData.setData('text/plain', lines.join('\n'));
    event.preventDefault();
  }
}
