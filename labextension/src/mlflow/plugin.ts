/**
 * MLflow in a JupyterLab tab: the hub's MLflow service (behind the hub login, each user
 * seeing what MLflow's permissions give them) in an iframe of this origin, from the
 * launcher, the command palette, or the About panel. Offered only when the server says
 * the hub runs MLflow (GET galilean/status, feature "mlflow").
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  IFrame,
  MainAreaWidget,
  WidgetTracker
} from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { LabIcon } from '@jupyterlab/ui-components';

import { requestAPI } from '../request';
import { IPlatformStatus, LAUNCHER_CATEGORY } from '../tokens';
import { mlflowUrl, SANDBOX } from './frame';
import { CommandIDs } from './tokens';

const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16">
  <path class="jp-icon3" fill="#616161" d="M3 20h18v2H3zM5 17l4-6 4 3 5-8 2 1.3-6.2 9.7-4-3-2.9 4.2z"/>
</svg>`;
export const mlflowIcon = new LabIcon({ name: 'galilean:mlflow', svgstr: svg });

export function mlflowWidget(url: string): MainAreaWidget<IFrame> {
  const frame = new IFrame({
    sandbox: [...SANDBOX],
    referrerPolicy: 'same-origin'
  });
  frame.url = url;
  frame.addClass('galilean-MLflow');
  const widget = new MainAreaWidget({ content: frame });
  widget.id = 'galilean-mlflow';
  widget.title.label = 'MLflow';
  widget.title.icon = mlflowIcon;
  widget.title.closable = true;
  return widget;
}

/** Whether the hub runs MLflow for this server. */
async function offered(): Promise<boolean> {
  try {
    const status = await requestAPI<IPlatformStatus>('status');
    return status.features.some(f => f.name === 'mlflow' && f.available);
  } catch {
    return false;
  }
}

export const mlflowPlugin: JupyterFrontEndPlugin<void> = {
  id: '@galilean/labextension:mlflow',
  description:
    'MLflow (experiment tracking behind the hub login) in a JupyterLab tab.',
  autoStart: true,
  optional: [ILauncher, ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    launcher: ILauncher | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ) => {
    const tracker = new WidgetTracker<MainAreaWidget<IFrame>>({
      namespace: 'galilean-mlflow'
    });
    let available = false;
    app.commands.addCommand(CommandIDs.open, {
      label: 'MLflow',
      caption: 'Experiments, runs and models on the hub (MLflow), as you',
      icon: mlflowIcon,
      isEnabled: () => available,
      execute: args => {
        // A page of MLflow to show (a run from the datasets lineage), else its home.
        const home = mlflowUrl();
        const url =
          typeof args.url === 'string' && args.url.startsWith(home)
            ? args.url
            : home;
        let widget = tracker.currentWidget;
        if (!widget || widget.isDisposed) {
          widget = mlflowWidget(url);
          void tracker.add(widget);
        } else if (url !== home) {
          widget.content.url = url;
        }
        if (!widget.isAttached) {
          app.shell.add(widget, 'main');
        }
        app.shell.activateById(widget.id);
        return widget;
      }
    });
    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.open,
        name: () => 'mlflow'
      });
    }
    void offered().then(yes => {
      available = yes;
      app.commands.notifyCommandChanged(CommandIDs.open);
      if (!yes) {
        return;
      }
      launcher?.add({
        command: CommandIDs.open,
        category: LAUNCHER_CATEGORY,
        rank: 5
      });
      palette?.addItem({ command: CommandIDs.open, category: 'Galilean' });
    });
  }
};
