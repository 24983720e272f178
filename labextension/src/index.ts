import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { aboutPlugin } from './about';

/** One plugin per feature; later features add theirs here. */
const plugins: JupyterFrontEndPlugin<any>[] = [aboutPlugin];

export default plugins;
