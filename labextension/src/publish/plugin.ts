/**
 * Publish a read-only view of a notebook: a *Publish* button in the notebook's toolbar
 * (the workspace's owner only; never in a shared workspace, whose server holds none of
 * the owner's rights) and "Publish a read-only view…" in the palette. The dialog says
 * whether the notebook is published, to whom and where; it publishes (again: same
 * address) with code shown or hidden to hub users, groups, or anyone signed in with the
 * link, or withdraws the view. The view is the notebook's saved state: save first.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  showDialog,
  showErrorMessage,
  ToolbarButton
} from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';

import { errorText, requestAPI } from '../request';
import { IPlatformStatus } from '../tokens';
import { isOwner } from '../owner';
import {
  IPublishedView,
  IPublishRequest,
  namesOf,
  PublishClient
} from './client';

export const PUBLISH_COMMAND = 'galilean:publish-notebook';

function field(
  form: HTMLElement,
  label: string,
  input: HTMLInputElement
): HTMLInputElement {
  const wrapper = document.createElement('label');
  wrapper.className = 'jp-GalileanPublish-field';
  const checkable = input.type === 'radio' || input.type === 'checkbox';
  if (checkable) {
    wrapper.append(input, label);
  } else {
    wrapper.append(label, input);
  }
  form.appendChild(wrapper);
  return input;
}

function input(type: string, name: string, value = ''): HTMLInputElement {
  const made = document.createElement('input');
  made.type = type;
  made.name = name;
  made.value = value;
  return made;
}

/** The dialog's form; `getValue` is what to publish. */
export class PublishForm extends Widget {
  private readonly hidden: HTMLInputElement;
  private readonly users: HTMLInputElement;
  private readonly groups: HTMLInputElement;
  private readonly link: HTMLInputElement;

  constructor(
    private readonly path: string,
    current: IPublishedView | null
  ) {
    super();
    this.addClass('jp-GalileanPublish');
    const node = this.node;
    const state = document.createElement('p');
    if (current) {
      const when = new Date(current.published_at * 1000).toLocaleString();
      state.append(`Published on ${when} at `);
      const anchor = document.createElement('a');
      anchor.href = current.url;
      anchor.target = '_blank';
      anchor.rel = 'noopener';
      anchor.textContent = current.url;
      state.append(anchor, '. Publishing again replaces it (same address).');
    } else {
      state.textContent =
        'A page of the notebook as saved, with its outputs, that the people you ' +
        'choose read on the hub; they cannot run anything.';
    }
    node.appendChild(state);
    const code = document.createElement('fieldset');
    code.innerHTML = '<legend>Code</legend>';
    const shown = input('radio', 'code', 'shown');
    this.hidden = input('radio', 'code', 'hidden');
    shown.checked = current?.code !== 'hidden';
    this.hidden.checked = current?.code === 'hidden';
    field(code, ' shown', shown);
    field(code, ' hidden (outputs only)', this.hidden);
    node.appendChild(code);
    this.users = field(
      node,
      'Hub users (names, comma-separated)',
      input('text', 'users', (current?.users ?? []).join(', '))
    );
    this.groups = field(
      node,
      'Groups (names, comma-separated)',
      input('text', 'groups', (current?.groups ?? []).join(', '))
    );
    this.link = field(
      node,
      ' Anyone signed in to the hub who has the link',
      input('checkbox', 'link')
    );
    this.link.checked = current?.link ?? false;
  }

  getValue(): IPublishRequest {
    return {
      path: this.path,
      code: this.hidden.checked ? 'hidden' : 'shown',
      users: namesOf(this.users.value),
      groups: namesOf(this.groups.value),
      link: this.link.checked
    };
  }
}

async function publishDialog(
  client: PublishClient,
  panel: NotebookPanel
): Promise<void> {
  const path = panel.context.path;
  if (panel.context.model.dirty) {
    await panel.context.save();
  }
  let current: IPublishedView | null = null;
  try {
    current = await client.current(path);
  } catch (error) {
    await showErrorMessage('Cannot publish', errorText(error));
    return;
  }
  const buttons = [
    Dialog.cancelButton(),
    ...(current ? [Dialog.warnButton({ label: 'Withdraw' })] : []),
    Dialog.okButton({ label: current ? 'Publish again' : 'Publish' })
  ];
  const answer = await showDialog({
    title: `Publish a read-only view of ${path.split('/').pop()}`,
    body: new PublishForm(path, current),
    buttons
  });
  if (!answer.button.accept || answer.value === null) {
    return;
  }
  try {
    if (answer.button.label === 'Withdraw') {
      await client.withdraw(path);
      await showDialog({
        title: 'Withdrawn',
        body: 'The view is gone; its address now answers "not found".',
        buttons: [Dialog.okButton()]
      });
      return;
    }
    const view = await client.publish(answer.value);
    const body = document.createElement('div');
    const anchor = document.createElement('a');
    anchor.id = 'galilean-published-url';
    anchor.href = view.url;
    anchor.target = '_blank';
    anchor.rel = 'noopener';
    anchor.textContent = new URL(view.url, window.location.href).href;
    const audience = [
      ...view.users,
      ...view.groups.map(g => `group ${g}`),
      ...(view.link ? ['anyone signed in with the link'] : [])
    ];
    body.append(
      anchor,
      document.createElement('br'),
      `For: ${audience.length ? audience.join(', ') : 'you only'}. ` +
        `Rendered in ${view.render_seconds.toFixed(2)} s.`
    );
    await showDialog({
      title: 'Published',
      body: new Widget({ node: body }),
      buttons: [Dialog.okButton()]
    });
  } catch (error) {
    await showErrorMessage('Publishing failed', errorText(error));
  }
}

export const publishPlugin: JupyterFrontEndPlugin<void> = {
  id: '@galilean/labextension:publish',
  description:
    'Publish a read-only view of a notebook to hub users, groups or a link.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette],
  activate: async (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    palette: ICommandPalette | null
  ): Promise<void> => {
    const option = (name: string) => PageConfig.getOption(name);
    if (!isOwner(option)) {
      return; // a guest of a shared workspace, or not under the hub
    }
    try {
      const status = await requestAPI<IPlatformStatus>('status');
      if (status.shared) {
        return; // its server holds none of the owner's rights
      }
    } catch {
      return; // no Galilean server extension: nothing to publish with
    }
    const client = new PublishClient();
    app.commands.addCommand(PUBLISH_COMMAND, {
      label: 'Publish a read-only view…',
      caption: 'A page of this notebook for hub users, groups or a link',
      isEnabled: () => !!tracker.currentWidget,
      execute: () => {
        const panel = tracker.currentWidget;
        return panel ? publishDialog(client, panel) : undefined;
      }
    });
    palette?.addItem({ command: PUBLISH_COMMAND, category: 'Galilean' });
    const addButton = (panel: NotebookPanel) => {
      const button = new ToolbarButton({
        label: 'Publish',
        className: 'jp-GalileanPublish-button',
        tooltip: 'Publish a read-only view of this notebook',
        onClick: () => void publishDialog(client, panel)
      });
      panel.toolbar.insertAfter('spacer', 'galilean-publish', button);
    };
    tracker.forEach(addButton); // opened while the status was asked
    tracker.widgetAdded.connect((_, panel) => addButton(panel));
  }
};
