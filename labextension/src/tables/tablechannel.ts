/**
 * The `galilean.table` comm: one per kernel, shared by the tables of its notebook.
 * Requests carry an id; the kernel answers with that id. Long requests (export, profile)
 * run in a kernel worker thread: they send {progress} messages before the answer, and a
 * `cancel` request naming their id stops them (see galilean_server/kernel/tables.py).
 */
import { Kernel, KernelMessage } from '@jupyterlab/services';

const COMM_TARGET = 'galilean.table';

export interface IProgress {
  phase?: string;
  done?: number;
  total?: number;
  percent?: number | null;
}

export interface IReply {
  ok: boolean;
  error?: string;
  cancelled?: boolean;
  rows?: unknown[][];
  total?: number;
  offset?: number;
  path?: string;
  sampled?: boolean;
}

interface IWaiting {
  done: (reply: IReply) => void;
  progress?: (progress: IProgress) => void;
}

/** A request in flight: its id (to cancel it) and its answer. */
export interface IAsked {
  id: number;
  reply: Promise<IReply>;
}

export class TableChannel {
  private comm: Kernel.IComm;
  private waiting = new Map<number, IWaiting>();
  private next = 1;

  constructor(kernel: Kernel.IKernelConnection) {
    this.comm = kernel.createComm(COMM_TARGET);
    this.comm.onMsg = (msg: KernelMessage.ICommMsgMsg) => {
      const data = msg.content.data as unknown as IReply & {
        request: number;
        progress?: IProgress;
      };
      const waiting = this.waiting.get(data.request);
      if (!waiting) {
        return;
      }
      if (data.progress) {
        waiting.progress?.(data.progress);
      } else {
        this.waiting.delete(data.request);
        waiting.done(data);
      }
    };
    this.comm.open();
  }

  start(
    request: Record<string, unknown>,
    progress?: (progress: IProgress) => void
  ): IAsked {
    const id = this.next++;
    const reply = new Promise<IReply>(done => {
      this.waiting.set(id, { done, progress });
      this.comm.send({ ...request, request: id } as any);
    });
    return { id, reply };
  }

  ask(request: Record<string, unknown>): Promise<IReply> {
    return this.start(request).reply;
  }

  cancel(job: number): Promise<IReply> {
    return this.ask({ action: 'cancel', job });
  }
}

const channels = new WeakMap<Kernel.IKernelConnection, TableChannel>();

export function channelFor(kernel: Kernel.IKernelConnection): TableChannel {
  let channel = channels.get(kernel);
  if (!channel) {
    channel = new TableChannel(kernel);
    channels.set(kernel, channel);
  }
  return channel;
}
