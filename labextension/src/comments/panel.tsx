/**
 * The Comments panel (right sidebar): the comment threads of the notebook in front,
 * cell by cell (open ones first; resolved ones on request), a box to comment on the active
 * cell, and per thread: reply, resolve or reopen, delete your own comments. Clicking a
 * thread's cell heading makes that cell active. Written into the cells' metadata, so
 * collaborators see them as they are written and the file keeps them.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import { Cell } from '@jupyterlab/cells';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { LabIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import {
  addReply,
  addThread,
  IComment,
  IThread,
  METADATA_KEY,
  removeComment,
  setResolved,
  textProblem,
  threadsOf,
  withThreads
} from './threads';
import { CommentsWatch } from './watch';

export const commentsIcon = new LabIcon({
  name: 'galilean:comments',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24">' +
    '<g class="jp-icon3" fill="#616161"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 ' +
    '2H8l-4 4V5a2 2 0 0 1 2-2zm2 4v2h12V7H6zm0 4v2h9v-2H6z"/></g></svg>'
});

function when(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

function firstLine(cell: Cell): string {
  const line = cell.model.sharedModel.getSource().split('\n')[0].trim();
  return line.length > 48 ? `${line.slice(0, 47)}…` : line || '(empty)';
}

interface IComposeProps {
  label: string;
  button: string;
  onSend(text: string): void;
  onCancel?(): void;
}

function Compose(props: IComposeProps): JSX.Element {
  const [text, setText] = React.useState('');
  const [problem, setProblem] = React.useState('');
  const send = (event: React.FormEvent) => {
    event.preventDefault();
    const found = textProblem(text);
    setProblem(found);
    if (!found) {
      props.onSend(text);
      setText('');
    }
  };
  return (
    <form className="jp-GalileanComments-compose" onSubmit={send}>
      <textarea
        aria-label={props.label}
        placeholder={props.label}
        value={text}
        rows={2}
        onChange={event => setText(event.target.value)}
        onKeyDown={event => event.stopPropagation()}
      />
      {problem && (
        <p className="jp-GalileanComments-problem" role="alert">
          {problem}
        </p>
      )}
      <div className="jp-GalileanComments-buttons">
        <button type="submit" className="jp-mod-styled jp-mod-accept">
          {props.button}
        </button>
        {props.onCancel && (
          <button
            type="button"
            className="jp-mod-styled"
            onClick={props.onCancel}
          >
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

export class CommentsSidebar extends ReactWidget {
  private watch: CommentsWatch | null = null;
  private showResolved = false;
  private replying: string | null = null;

  constructor(
    private readonly tracker: INotebookTracker,
    private readonly watchOf: (panel: NotebookPanel) => CommentsWatch,
    private readonly me: () => string
  ) {
    super();
    this.id = 'galilean-comments';
    this.title.icon = commentsIcon;
    this.title.caption = 'Comments';
    this.addClass('jp-GalileanComments');
    tracker.currentChanged.connect(this.follow, this);
    tracker.activeCellChanged.connect(() => this.update());
    this.follow();
  }

  private follow(): void {
    this.watch?.changed.disconnect(this.changed, this);
    const panel = this.tracker.currentWidget;
    this.watch = panel ? this.watchOf(panel) : null;
    this.watch?.changed.connect(this.changed, this);
    this.update();
  }

  private changed(): void {
    this.update();
  }

  private write(cell: Cell, change: (threads: IThread[]) => IThread[]): void {
    const metadata = cell.model.getMetadata(METADATA_KEY);
    const next = change(threadsOf(metadata));
    cell.model.setMetadata(METADATA_KEY, withThreads(metadata, next));
    this.update();
  }

  private selectCell(panel: NotebookPanel, index: number): void {
    panel.content.activeCellIndex = index;
    const cell = panel.content.widgets[index];
    if (cell) {
      void panel.content.scrollToItem(index);
    }
  }

  private renderComment(
    cell: Cell,
    thread: IThread,
    comment: IComment
  ): JSX.Element {
    const mine = comment.author === this.me();
    return (
      <div className="jp-GalileanComments-comment" data-comment={comment.id}>
        <div className="jp-GalileanComments-meta">
          <strong>{comment.author}</strong> · {when(comment.time)}
          {mine && (
            <button
              className="jp-GalileanComments-link"
              title="Delete this comment"
              onClick={() =>
                this.write(cell, t =>
                  removeComment(t, thread.id, comment.id, this.me())
                )
              }
            >
              Delete
            </button>
          )}
        </div>
        <div className="jp-GalileanComments-text">{comment.text}</div>
      </div>
    );
  }

  private renderThread(cell: Cell, thread: IThread): JSX.Element {
    return (
      <li
        key={thread.id}
        data-thread={thread.id}
        className={thread.resolved ? 'jp-mod-resolved' : ''}
      >
        {this.renderComment(cell, thread, thread)}
        {thread.replies.map(reply => (
          <React.Fragment key={reply.id}>
            {this.renderComment(cell, thread, reply)}
          </React.Fragment>
        ))}
        {thread.resolved && (
          <p className="jp-GalileanComments-meta">
            Resolved{thread.resolvedBy ? ` by ${thread.resolvedBy}` : ''}
          </p>
        )}
        {this.replying === thread.id ? (
          <Compose
            label="Your reply"
            button="Reply"
            onSend={text => {
              this.replying = null;
              this.write(cell, t => addReply(t, thread.id, this.me(), text));
            }}
            onCancel={() => {
              this.replying = null;
              this.update();
            }}
          />
        ) : (
          <div className="jp-GalileanComments-buttons">
            <button
              className="jp-mod-styled"
              onClick={() => {
                this.replying = thread.id;
                this.update();
              }}
            >
              Reply
            </button>
            <button
              className="jp-mod-styled"
              onClick={() =>
                this.write(cell, t =>
                  setResolved(t, thread.id, !thread.resolved, this.me())
                )
              }
            >
              {thread.resolved ? 'Reopen' : 'Resolve'}
            </button>
          </div>
        )}
      </li>
    );
  }

  render(): JSX.Element {
    const panel = this.watch?.panel;
    if (!panel) {
      return (
        <p className="jp-GalileanComments-note">
          Open a notebook to see its comments.
        </p>
      );
    }
    const notebook = panel.content;
    const active = notebook.activeCell;
    const activeIndex = notebook.activeCellIndex;
    let resolvedCount = 0;
    const sections = notebook.widgets.flatMap((cell, index) => {
      const all = threadsOf(cell.model.getMetadata(METADATA_KEY));
      resolvedCount += all.filter(t => t.resolved).length;
      const shown = all.filter(t => this.showResolved || !t.resolved);
      if (!shown.length) {
        return [];
      }
      return [
        <section
          key={cell.model.id}
          data-cell-index={index}
          aria-label={`Comments on cell ${index + 1}`}
        >
          <h3>
            <button
              className="jp-GalileanComments-link"
              onClick={() => this.selectCell(panel, index)}
            >
              Cell {index + 1}: {firstLine(cell)}
            </button>
          </h3>
          <ol>{shown.map(thread => this.renderThread(cell, thread))}</ol>
        </section>
      ];
    });
    return (
      <>
        <h2>Comments</h2>
        {active ? (
          <Compose
            label={`Comment on cell ${activeIndex + 1}`}
            button="Comment"
            onSend={text =>
              this.write(active, t => addThread(t, this.me(), text))
            }
          />
        ) : (
          <p className="jp-GalileanComments-note">
            Select a cell to comment on it.
          </p>
        )}
        {sections.length ? (
          sections
        ) : (
          <p className="jp-GalileanComments-note">No open comments.</p>
        )}
        {resolvedCount > 0 && (
          <label className="jp-GalileanComments-note">
            <input
              type="checkbox"
              checked={this.showResolved}
              onChange={event => {
                this.showResolved = event.target.checked;
                this.update();
              }}
            />{' '}
            Show {resolvedCount} resolved
          </label>
        )}
      </>
    );
  }
}
