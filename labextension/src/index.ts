/**
 * The labextension's plugins, one folder per feature (src/<feature>/): a feature talks
 * to another only through the tokens in its tokens.ts, and to a backend only through a
 * client behind a token (IConnections; later IFlows, IDatasets) built on request.ts.
 */
import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { aboutPlugin } from './about/about';
import { aiCompletionPlugin } from './ai/completion';
import { aiPreparePlugin } from './ai/prepare';
import { aiStatusPlugin } from './ai/status';
import { commentsPlugin } from './comments/plugin';
import { connectionFormPlugin, connectionsPlugin } from './connections/plugin';
import { datasetsPlugin } from './datasets/plugin';
import { flowDocumentPlugin, flowsDesignerPlugin } from './flows/plugin';
import { historyPlugin } from './history/plugin';
import { publishPlugin } from './publish/plugin';
import { mlflowPlugin } from './mlflow/plugin';
import { schemaPlugin } from './schema/plugin';
import { secretsPlugin } from './secrets/plugin';
import { sqlCellPlugin } from './sql/plugin';
import { storageStatusPlugin } from './storage/status';
import { tablePlugin } from './tables/plugin';
import { workspacePlugin } from './workspace/workspace';

const plugins: JupyterFrontEndPlugin<any>[] = [
  aboutPlugin,
  tablePlugin,
  connectionsPlugin,
  connectionFormPlugin,
  sqlCellPlugin,
  schemaPlugin,
  workspacePlugin,
  flowsDesignerPlugin,
  flowDocumentPlugin,
  datasetsPlugin,
  mlflowPlugin,
  secretsPlugin,
  historyPlugin,
  commentsPlugin,
  publishPlugin,
  aiPreparePlugin,
  aiStatusPlugin,
  storageStatusPlugin,
  aiCompletionPlugin
];

export default plugins;
