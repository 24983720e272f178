/**
 * A table's ydata-profiling report in a JupyterLab tab (no popup to block): the tab opens
 * at once with the kernel's progress and a Cancel button, then shows the report, read
 * from the user's server (contents API), in a sandboxed iframe. JupyterHub forbids
 * framing the user's server's pages (`frame-ancestors 'none'`), so the report goes in as
 * the iframe's `srcdoc`; the sandbox allows the report's own scripts (its tabs and
 * toggles) but not same-origin access, so the report cannot reach JupyterLab or the
 * user's session. Closing the tab while it computes cancels it.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { IFrame, MainAreaWidget } from '@jupyterlab/apputils';
import { BoxLayout, Widget } from '@lumino/widgets';
import { IAsked, IProgress, TableChannel } from './tablechannel';

let opened = 0;

class ProfileView extends Widget {
  private status = document.createElement('div');
  private phase = document.createElement('div');
  private bar = document.createElement('progress');
  private cancelButton = document.createElement('button');
  private started = Date.now();
  private ticker = 0;
  private last: IProgress = {};
  job: IAsked | null = null;
  running = true;

  constructor(
    private channel: TableChannel,
    title: string
  ) {
    super();
    this.addClass('galilean-Profile');
    this.layout = new BoxLayout();
    const head = document.createElement('h3');
    head.textContent = title;
    this.status.className = 'galilean-Profile-status';
    this.phase.className = 'galilean-Profile-phase';
    this.bar.className = 'galilean-Profile-bar';
    this.bar.max = 100;
    this.cancelButton.className =
      'jp-Button galilean-Table-button galilean-Profile-cancel';
    this.cancelButton.textContent = 'Cancel';
    this.cancelButton.onclick = () => this.cancel();
    this.status.append(head, this.phase, this.bar, this.cancelButton);
    this.node.appendChild(this.status);
    this.ticker = window.setInterval(() => this.render(), 1000);
    this.render();
  }

  progress(progress: IProgress): void {
    this.last = progress;
    this.render();
  }

  private render(): void {
    const seconds = Math.round((Date.now() - this.started) / 1000);
    const percent = this.last.percent;
    this.phase.textContent =
      `${this.last.phase ?? 'Starting'}` +
      (percent !== null && percent !== undefined ? ` — ${percent}%` : '') +
      ` · ${seconds} s`;
    if (percent !== null && percent !== undefined) {
      this.bar.value = percent;
    } else {
      this.bar.removeAttribute('value'); // indeterminate
    }
  }

  cancel(): void {
    if (this.running && this.job) {
      this.phase.textContent = 'Cancelling…';
      void this.channel.cancel(this.job.id);
    }
  }

  finish(text: string, html: string | null): void {
    this.running = false;
    window.clearInterval(this.ticker);
    if (html === null) {
      this.bar.remove();
      this.cancelButton.remove();
      this.phase.textContent = text;
      this.status.classList.add('galilean-Profile-ended');
      return;
    }
    this.status.remove();
    const frame = new IFrame({ sandbox: ['allow-scripts', 'allow-popups'] });
    frame.addClass('galilean-Profile-frame');
    frame.node.querySelector('iframe')!.srcdoc = html;
    frame.node.dataset.note = text;
    (this.layout as BoxLayout).addWidget(frame);
  }

  dispose(): void {
    this.cancel();
    window.clearInterval(this.ticker);
    super.dispose();
  }
}

/** Open a tab for the profile of `view` and run it; `read` gets the report the kernel
 * wrote (its path in the kernel) from the user's server. */
export function openProfile(
  app: JupyterFrontEnd,
  channel: TableChannel,
  view: string,
  label: string,
  read: (path: string) => Promise<string>
): MainAreaWidget<ProfileView> {
  const content = new ProfileView(channel, `Profiling ${label}`);
  const widget = new MainAreaWidget({ content });
  widget.id = `galilean-profile-${++opened}`;
  widget.title.label = `Profile: ${label}`;
  widget.title.closable = true;
  widget.addClass('galilean-ProfilePanel');
  app.shell.add(widget, 'main', { mode: 'split-right' });
  app.shell.activateById(widget.id);
  content.job = channel.start({ action: 'profile', view }, progress =>
    content.progress(progress)
  );
  void content.job.reply.then(async reply => {
    if (content.isDisposed) {
      return;
    }
    if (reply.cancelled) {
      content.finish('Profile cancelled.', null);
    } else if (!reply.ok || !reply.path) {
      content.finish(`Profile failed: ${reply.error ?? 'no report'}`, null);
    } else {
      if (reply.sampled) {
        widget.title.label = `Profile: ${label} (sample)`;
      }
      let html: string;
      try {
        html = await read(reply.path);
      } catch (error) {
        content.finish(`The report could not be read: ${error}`, null);
        return;
      }
      if (!content.isDisposed) {
        content.finish(reply.sampled ? 'of a sample' : 'of all rows', html);
      }
    }
  });
  return widget;
}
