/** What the storage item says (kept apart from the widget so tests need no DOM). */

export interface IStorageItem {
  path: string;
  size: number;
}

/** The owner's storage as the hub measures it (GET /galilean/storage). */
export interface IStorageUse {
  user: string;
  used: number;
  quota: number | null;
  percent: number | null;
  level: 'ok' | 'warn' | 'full';
  parts: Record<string, number>;
  largest_files: IStorageItem[];
  largest_folders: IStorageItem[];
  measured_at: number;
}

/** Bytes as people read them, 1024-based, as the hub's messages write them. */
export function readableSize(bytes: number): string {
  let value = bytes;
  for (const unit of ['B', 'KB', 'MB', 'GB']) {
    if (value < 1024) {
      return unit === 'B' || unit === 'KB'
        ? `${Math.round(value)} ${unit}`
        : `${value.toFixed(1)} ${unit}`;
    }
    value /= 1024;
  }
  return `${value.toFixed(1)} TB`;
}

/** The status bar's words: none below 80% of the quota (nothing to say). */
export function label(use: IStorageUse): string {
  if (use.level === 'ok' || use.quota === null || use.percent === null) {
    return '';
  }
  return `Storage ${Math.round(use.percent)}% of ${readableSize(use.quota)}`;
}

/** What the user should know and do, line by line (the tooltip and the dialog). */
export function advice(use: IStorageUse): string[] {
  if (use.quota === null) {
    return [`Your files use ${readableSize(use.used)} (no quota).`];
  }
  const lines = [
    `Your files use ${readableSize(use.used)} of your ${readableSize(use.quota)} storage quota.`
  ];
  if (use.level === 'full') {
    lines.push(
      'The quota is reached: no workspace of yours can start until you delete files ' +
        '(this one keeps running) or an admin raises your quota.'
    );
  } else if (use.level === 'warn') {
    lines.push(
      'At 100% no workspace of yours can start: delete what you no longer need.'
    );
  }
  const biggest = (items: IStorageItem[]) =>
    items.map(item => `${item.path} (${readableSize(item.size)})`).join(', ');
  if (use.largest_folders.length) {
    lines.push(`Largest folders: ${biggest(use.largest_folders)}`);
  }
  if (use.largest_files.length) {
    lines.push(`Largest files: ${biggest(use.largest_files)}`);
  }
  return lines;
}
