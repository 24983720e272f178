/**
 * Storage against the user's quota in the status bar: nothing below 80%; from 80% the
 * share used (amber), at 100% in red, with a notification each time the level rises. The
 * tooltip and a click name the largest folders and files. Asked of the server (GET
 * /galilean/storage, which asks the hub) at start, every minute while the page is
 * visible, and when the page comes back. Nothing shows where the server cannot say (not
 * under the hub, a workspace shared with you).
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { IStatusBar } from '@jupyterlab/statusbar';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { pollWhileVisible } from '../poll';
import { requestAPI } from '../request';
import { advice, IStorageUse, label } from './describe';

const POLL_MS = 60_000;
const RANK = { ok: 0, warn: 1, full: 2 };

export const storageStatusPlugin: JupyterFrontEndPlugin<void> = {
  id: '@galilean/labextension:storage-status',
  description: 'Storage used of the quota in the status bar, from 80%.',
  autoStart: true,
  optional: [IStatusBar],
  activate: (_app: JupyterFrontEnd, statusBar: IStatusBar | null) => {
    if (!statusBar) {
      return;
    }
    const node = document.createElement('div');
    node.setAttribute('role', 'button');
    node.tabIndex = 0;
    const item = new Widget({ node });
    item.addClass('galilean-StorageStatus');
    let last: IStorageUse | null = null;
    let told: keyof typeof RANK = 'ok';
    // The status bar shows an item while isActive() says so, asked again on this signal.
    const shownChanged = new Signal<Widget, void>(item);

    const render = (use: IStorageUse | null) => {
      last = use;
      node.dataset.level = use?.level ?? 'ok';
      node.textContent = use ? label(use) : '';
      node.title = use ? advice(use).join('\n') : '';
      shownChanged.emit();
      if (use && RANK[use.level] > RANK[told]) {
        const say = advice(use).slice(0, 2).join(' ');
        if (use.level === 'full') {
          Notification.error(say, { autoClose: false });
        } else {
          Notification.warning(say, { autoClose: 10_000 });
        }
      }
      told = use?.level ?? told;
    };
    const open = () => {
      if (!last) {
        return;
      }
      const body = document.createElement('div');
      body.className = 'galilean-StorageStatus-dialog';
      for (const line of advice(last)) {
        const p = document.createElement('p');
        p.textContent = line;
        body.append(p);
      }
      void showDialog({
        title: 'Storage',
        body: new Widget({ node: body }),
        buttons: [Dialog.okButton()]
      });
    };
    node.addEventListener('click', open);
    node.addEventListener('keydown', event => {
      if (event.key === 'Enter' || event.key === ' ') {
        open();
      }
    });
    const refresh = async () => {
      try {
        render(await requestAPI<IStorageUse>('storage'));
      } catch {
        render(null);
      }
    };
    render(null);
    void refresh();
    pollWhileVisible(() => void refresh(), POLL_MS);
    statusBar.registerStatusItem('@galilean/labextension:storage-status', {
      item,
      align: 'left',
      rank: 1,
      isActive: () => node.textContent !== '',
      activeStateChanged: shownChanged
    });
  }
};
