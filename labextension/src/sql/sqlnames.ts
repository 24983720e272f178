/**
 * Result names of new SQL cells: `sql_1`, `sql_2`, … never a name the kernel already
 * holds nor one another SQL cell of the notebook uses (issue 11: a new SQL cell must not
 * replace the user's `df`). The kernel refuses to replace an object a cell did not make
 * anyway (sql_results.py); choosing a free name keeps that refusal for deliberate cases.
 */
import { Cell } from '@jupyterlab/cells';
import { NotebookPanel } from '@jupyterlab/notebook';

export const PREFIX = 'sql_';
const FRESH = /^sql_(\d+)$/;
/** A busy kernel answers after its running cell: do not wait that long for a name. */
const KERNEL_WAIT_MS = 2000;

/** Result names the other SQL cells of the notebook use (their metadata). */
export function notebookNames(
  panel: NotebookPanel,
  variableOf: (cell: Cell) => string | undefined,
  except?: Cell
): Set<string> {
  const names = new Set<string>();
  for (const cell of panel.content.widgets) {
    const name = cell === except ? undefined : variableOf(cell);
    if (name) {
      names.add(name);
    }
  }
  return names;
}

/**
 * Names of the form `sql_N` the notebook's kernel holds; empty if there is no kernel or
 * it does not answer in time (the kernel's own check still protects its objects).
 */
export async function kernelNames(panel: NotebookPanel): Promise<Set<string>> {
  const kernel = panel.sessionContext.session?.kernel;
  if (!kernel) {
    return new Set();
  }
  const future = kernel.requestExecute(
    {
      code: '',
      silent: true,
      store_history: false,
      user_expressions: {
        names: `[k for k in get_ipython().user_ns if k.startswith('${PREFIX}')]`
      }
    },
    true
  );
  let timer = 0;
  const late = new Promise<null>(resolve => {
    timer = window.setTimeout(() => resolve(null), KERNEL_WAIT_MS);
  });
  try {
    const reply = await Promise.race([future.done, late]);
    const content = reply?.content as
      | { user_expressions?: Record<string, { data?: Record<string, string> }> }
      | undefined;
    const text = content?.user_expressions?.names?.data?.['text/plain'] ?? '';
    return new Set(text.match(/sql_\d+/g) ?? []);
  } catch {
    return new Set();
  } finally {
    window.clearTimeout(timer);
  }
}

/** The first `sql_N` (N = 1, 2, …) not in `taken`. */
export function freshName(taken: Set<string>): string {
  let highest = 0;
  for (const name of taken) {
    const match = FRESH.exec(name);
    if (match) {
      highest = Math.max(highest, Number(match[1]));
    }
  }
  for (let n = 1; n <= highest + 1; n++) {
    if (!taken.has(`${PREFIX}${n}`)) {
      return `${PREFIX}${n}`;
    }
  }
  return `${PREFIX}${highest + 1}`;
}
