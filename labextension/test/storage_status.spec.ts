import {
  advice,
  IStorageUse,
  label,
  readableSize
} from '../src/storage/describe';

const GB = 1024 ** 3;

function use(used: number, quota: number | null): IStorageUse {
  const fraction = quota === null ? null : used / quota;
  return {
    user: 'ann',
    used,
    quota,
    percent: fraction === null ? null : Math.round(fraction * 1000) / 10,
    level:
      fraction === null || fraction < 0.8
        ? 'ok'
        : fraction >= 1
          ? 'full'
          : 'warn',
    parts: { home: used },
    largest_files: [{ path: 'home/data/big.parquet', size: 3 * GB }],
    largest_folders: [{ path: 'home/data', size: 4 * GB }],
    measured_at: 0
  };
}

describe('the storage status item', () => {
  it('says nothing below 80% of the quota, or without one', () => {
    expect(label(use(7.9 * GB, 10 * GB))).toBe('');
    expect(label(use(50 * GB, null))).toBe('');
  });

  it('says the share used from 80%, and at 100%', () => {
    expect(label(use(8.2 * GB, 10 * GB))).toBe('Storage 82% of 10.0 GB');
    expect(label(use(10.5 * GB, 10 * GB))).toBe('Storage 105% of 10.0 GB');
  });

  it('names what to delete, and what happens at 100%', () => {
    const full = advice(use(10 * GB, 10 * GB));
    expect(full[0]).toBe(
      'Your files use 10.0 GB of your 10.0 GB storage quota.'
    );
    expect(full[1]).toContain('no workspace of yours can start');
    expect(full).toContain('Largest folders: home/data (4.0 GB)');
    expect(full).toContain('Largest files: home/data/big.parquet (3.0 GB)');
    expect(advice(use(8.5 * GB, 10 * GB))[1]).toContain('At 100%');
    expect(advice(use(1 * GB, null))).toEqual([
      'Your files use 1.0 GB (no quota).'
    ]);
  });

  it('writes sizes as the hub does', () => {
    expect(readableSize(512)).toBe('512 B');
    expect(readableSize(2048)).toBe('2 KB');
    expect(readableSize(5 * 1024 ** 2)).toBe('5.0 MB');
    expect(readableSize(3 * 1024 ** 4)).toBe('3.0 TB');
  });
});
