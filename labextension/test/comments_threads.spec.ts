/**
 * Comments as kept in a cell's metadata: threads with replies, resolve and reopen, only
 * your own comments deleted, other metadata kept, malformed entries ignored.
 */
import {
  addReply,
  addThread,
  openCount,
  removeComment,
  setResolved,
  textProblem,
  threadsOf,
  withThreads
} from '../src/comments/threads';

const NOW = new Date('2026-12-02T10:00:00Z');

describe('comment threads in cell metadata', () => {
  it('starts, answers, resolves and reopens a thread', () => {
    let threads = addThread([], 'alice', '  Why a left join?  ', NOW);
    expect(threads).toHaveLength(1);
    expect(threads[0]).toMatchObject({
      author: 'alice',
      text: 'Why a left join?',
      time: '2026-12-02T10:00:00.000Z',
      resolved: false,
      replies: []
    });
    const id = threads[0].id;
    threads = addReply(
      threads,
      id,
      'bob',
      'To keep customers without orders',
      NOW
    );
    expect(threads[0].replies.map(r => r.author)).toEqual(['bob']);
    expect(openCount(threads)).toBe(1);
    threads = setResolved(threads, id, true, 'alice');
    expect(threads[0]).toMatchObject({ resolved: true, resolvedBy: 'alice' });
    expect(openCount(threads)).toBe(0);
    threads = setResolved(threads, id, false, 'bob');
    expect(threads[0].resolved).toBe(false);
    expect('resolvedBy' in threads[0]).toBe(false);
  });

  it('deletes only your own comments', () => {
    let threads = addThread([], 'alice', 'first', NOW);
    const id = threads[0].id;
    threads = addReply(threads, id, 'bob', 'reply', NOW);
    const reply = threads[0].replies[0].id;
    expect(removeComment(threads, id, id, 'bob')).toHaveLength(1); // not his thread
    expect(removeComment(threads, id, reply, 'alice')[0].replies).toHaveLength(
      1
    );
    expect(removeComment(threads, id, reply, 'bob')[0].replies).toHaveLength(0);
    expect(removeComment(threads, id, id, 'alice')).toHaveLength(0); // the whole thread
  });

  it('keeps the rest of the metadata and ignores malformed entries', () => {
    const threads = addThread([], 'alice', 'hello', NOW);
    const metadata = withThreads({ other: 1 }, threads);
    expect(metadata).toEqual({ other: 1, comments: threads });
    expect(threadsOf(metadata)).toEqual(threads);
    const messy = {
      comments: [
        threads[0],
        { id: 1 },
        'text',
        { ...threads[0], id: 'x', replies: [{ id: 'r' }, threads[0]] }
      ]
    };
    const read = threadsOf(messy);
    expect(read.map(t => t.id)).toEqual([threads[0].id, 'x']);
    expect(read[1].replies).toHaveLength(1);
    expect(threadsOf(undefined)).toEqual([]);
    expect(threadsOf({ comments: 'no' })).toEqual([]);
  });

  it('refuses empty and overlong text', () => {
    expect(textProblem('  ')).toBe('Write something first.');
    expect(textProblem('x'.repeat(5001))).toBe('At most 5000 characters.');
    expect(textProblem('ok')).toBe('');
  });
});
