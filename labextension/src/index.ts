import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { aboutPlugin } from './about';
import { schemaPlugin } from './schema';
import { sqlCellPlugin } from './sqlcell';
import { tablePlugin } from './table';
import { workspacePlugin } from './workspace';

/** One plugin per feature; later features add theirs here. */
const plugins: JupyterFrontEndPlugin<any>[] = [
  aboutPlugin,
  tablePlugin,
  sqlCellPlugin,
  schemaPlugin,
  workspacePlugin
];

export default plugins;
