/**
 * The designer's document: the context's text model (so dirty marker, save, revert,
 * rename and real-time collaboration work as for any text file) read as a flow.
 * Every edit writes the flow's `dump_flow` text back as the smallest replacement of the
 * changed span; every change of the text (revert, another collaborator, undo) is parsed
 * again. A text that is not a flow is kept as it is and reported, never overwritten.
 */
import { ISignal, Signal } from '@lumino/signaling';

import {
  emptyFlow,
  FlowParseError,
  IFlow,
  parseFlow,
  serializeFlow
} from './model';

/** What the designer needs of a text model (DocumentRegistry.ICodeModel has it). */
export interface ITextSource {
  readonly contentChanged: ISignal<any, void>;
  readonly sharedModel: {
    getSource(): string;
    updateSource(start: number, end: number, value?: string): void;
    undo(): boolean | void;
    redo(): boolean | void;
  };
}

/** The span of `before` that `after` replaces: [start, end in before, new text]. */
export function changedSpan(
  before: string,
  after: string
): [number, number, string] {
  let start = 0;
  const shortest = Math.min(before.length, after.length);
  while (start < shortest && before[start] === after[start]) {
    start += 1;
  }
  let tail = 0;
  while (
    tail < shortest - start &&
    before[before.length - 1 - tail] === after[after.length - 1 - tail]
  ) {
    tail += 1;
  }
  return [start, before.length - tail, after.slice(start, after.length - tail)];
}

export class FlowDocument {
  private _flow: IFlow | null = null;
  private _problem: FlowParseError | null = null;
  private _text: string | null = null;
  private _changed = new Signal<this, void>(this);

  constructor(private model: ITextSource) {
    model.contentChanged.connect(this.read, this);
    this.read();
  }

  /** The flow, or null when the text is not one (see `problem`). */
  get flow(): IFlow | null {
    return this._flow;
  }

  /** Why the text is not a flow, or null. */
  get problem(): FlowParseError | null {
    return this._problem;
  }

  /** Emitted when the flow (or the problem) changes, by an edit or by the text. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Write `flow` into the text model (the document becomes dirty). */
  write(flow: IFlow): void {
    const text = serializeFlow(flow);
    const before = this.model.sharedModel.getSource();
    this._text = text;
    this._flow = flow;
    this._problem = null;
    if (text !== before) {
      const [start, end, value] = changedSpan(before, text);
      this.model.sharedModel.updateSource(start, end, value);
    }
    this._changed.emit();
  }

  undo(): void {
    this.model.sharedModel.undo();
  }

  redo(): void {
    this.model.sharedModel.redo();
  }

  dispose(): void {
    this.model.contentChanged.disconnect(this.read, this);
    Signal.clearData(this);
  }

  /** Parse the text again unless it is what this document last wrote. */
  private read(): void {
    const text = this.model.sharedModel.getSource();
    if (text === this._text) {
      return;
    }
    this._text = text;
    try {
      this._flow = text.trim() === '' ? emptyFlow() : parseFlow(text);
      this._problem = null;
    } catch (error) {
      if (!(error instanceof FlowParseError)) {
        throw error;
      }
      this._flow = null;
      this._problem = error;
    }
    this._changed.emit();
  }
}
