/**
 * What an export wrote, as the dialog says it. A table's export answers rows
 * (datasets/export.py); labelled images' answer files, items and boxes in the format
 * asked for (datasets/labels/convert.py): both shapes are said here.
 */
import { exportedText } from './actions';
import { sizeText } from './model';
import { IExported } from './tokens';

/** A labelled images export's reply (convert.py's export_files_dataset). */
export interface IExportedImages {
  path: string;
  snapshot: number;
  format: string;
  from_format?: string;
  items: number;
  boxes: number;
  classes?: number;
  files: number;
  bytes: number;
  seconds: number;
}

export type ExportReply = IExported | IExportedImages;

function isImages(done: ExportReply): done is IExportedImages {
  return typeof (done as IExportedImages).files === 'number';
}

/** "1,000 rows, 12.3 KiB in 0.4 s to out/sales.csv (snapshot 2)", or for labelled
 * images "12 files (4 items, 6 boxes, coco), 3.2 KiB in 0.1 s to out (snapshot 1)". */
export function exportedSummary(done: ExportReply): string {
  if (!isImages(done)) {
    return exportedText(done);
  }
  const n = (count: number, one: string, many = `${one}s`) =>
    `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
  return (
    `${n(done.files, 'file')} (${n(done.items, 'item')}, ${n(done.boxes, 'box', 'boxes')}` +
    `, ${done.format}), ${sizeText(done.bytes)} in ${done.seconds.toFixed(1)} s ` +
    `to ${done.path} (snapshot ${done.snapshot})`
  );
}
