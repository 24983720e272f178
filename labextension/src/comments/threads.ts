/**
 * Comments on cells, as kept in a cell's metadata (`galilean.comments`): threads, each a
 * first comment with replies, resolved or open. They travel with the notebook file and
 * reach everyone in it through collaboration (cell metadata is part of the shared
 * document). Pure functions: each returns new threads, the metadata is written by the
 * caller. Anything in the metadata that is not a well-formed thread is ignored on reading
 * and dropped on the next write.
 */

/** The cell metadata key (a namespace: `{ "comments": [...] }`). */
export const METADATA_KEY = 'galilean';
export const MAX_TEXT = 5000;

export interface IComment {
  id: string;
  author: string;
  /** ISO 8601. */
  time: string;
  text: string;
}

export interface IThread extends IComment {
  resolved: boolean;
  resolvedBy?: string;
  replies: IComment[];
}

function isComment(value: unknown): value is IComment {
  const c = value as IComment;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.id === 'string' &&
    typeof c.author === 'string' &&
    typeof c.time === 'string' &&
    typeof c.text === 'string'
  );
}

/** The threads in a cell's `galilean` metadata (well-formed ones only). */
export function threadsOf(metadata: unknown): IThread[] {
  const comments = (metadata as { comments?: unknown } | undefined)?.comments;
  if (!Array.isArray(comments)) {
    return [];
  }
  return comments
    .filter(
      (t): t is IThread =>
        isComment(t) &&
        typeof (t as IThread).resolved === 'boolean' &&
        Array.isArray((t as IThread).replies)
    )
    .map(t => ({ ...t, replies: t.replies.filter(isComment) }));
}

/** The cell's `galilean` metadata with `threads` as its comments (other keys kept). */
export function withThreads(metadata: unknown, threads: IThread[]): object {
  const rest =
    typeof metadata === 'object' && metadata !== null ? metadata : {};
  return { ...rest, comments: threads };
}

/** Why `text` cannot be a comment ('' when it can). */
export function textProblem(text: string): string {
  if (!text.trim()) {
    return 'Write something first.';
  }
  if (text.length > MAX_TEXT) {
    return `At most ${MAX_TEXT} characters.`;
  }
  return '';
}

export function newId(): string {
  return Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
}

function comment(author: string, text: string, now: Date): IComment {
  return { id: newId(), author, time: now.toISOString(), text: text.trim() };
}

export function addThread(
  threads: IThread[],
  author: string,
  text: string,
  now = new Date()
): IThread[] {
  return [
    ...threads,
    { ...comment(author, text, now), resolved: false, replies: [] }
  ];
}

export function addReply(
  threads: IThread[],
  threadId: string,
  author: string,
  text: string,
  now = new Date()
): IThread[] {
  return threads.map(t =>
    t.id === threadId
      ? { ...t, replies: [...t.replies, comment(author, text, now)] }
      : t
  );
}

export function setResolved(
  threads: IThread[],
  threadId: string,
  resolved: boolean,
  by: string
): IThread[] {
  return threads.map(t => {
    if (t.id !== threadId) {
      return t;
    }
    const changed: IThread = { ...t, resolved };
    if (resolved) {
      changed.resolvedBy = by;
    } else {
      delete changed.resolvedBy;
    }
    return changed;
  });
}

/**
 * Without the comment `commentId` if `author` wrote it: a thread's first comment takes
 * the thread with it; a reply goes alone. Others' comments stay.
 */
export function removeComment(
  threads: IThread[],
  threadId: string,
  commentId: string,
  author: string
): IThread[] {
  return threads
    .filter(
      t => !(t.id === threadId && t.id === commentId && t.author === author)
    )
    .map(t =>
      t.id === threadId
        ? {
            ...t,
            replies: t.replies.filter(
              r => !(r.id === commentId && r.author === author)
            )
          }
        : t
    );
}

/** How many open threads. */
export function openCount(threads: IThread[]): number {
  return threads.filter(t => !t.resolved).length;
}
