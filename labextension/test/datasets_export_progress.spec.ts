/**
 * An export followed as a job: the poll (with an injected timer) until done or failed,
 * stopping when the dialog closes; the progress as a fraction and a text; a failed job's
 * error as the request error the form maps to fields (409 at the path: Overwrite); and
 * the client's calls for it.
 */
import { DatasetsClient } from '../src/datasets/client';
import {
  followJob,
  IJob,
  jobFraction,
  jobOutcome,
  jobProgressText
} from '../src/datasets/jobs';
import { exportExists } from '../src/datasets/actions';
import { exportedSummary } from '../src/datasets/export_model';
import { errorsByField } from '../src/datasets/model';
import { GalileanRequestError, requestAPI } from '../src/request';

jest.mock('../src/request', () => ({
  ...jest.requireActual('../src/request'),
  requestAPI: jest.fn()
}));

const request = requestAPI as jest.MockedFunction<typeof requestAPI>;

function job(
  state: IJob['state'],
  done?: number,
  total?: number,
  extra: Partial<IJob> = {}
): IJob {
  const progress = done === undefined ? {} : { done, total };
  return {
    id: 'a1b2c3d4e5f6a7b8',
    dataset_id: 3,
    op: 'export',
    state,
    progress,
    seconds: 1.2,
    ...extra
  };
}

const RESULT = {
  path: 'out.csv',
  format: 'csv',
  table: 't',
  snapshot: 2,
  rows: 10,
  bytes: 99,
  seconds: 0.5
};

describe('following a job', () => {
  it('asks until the job is done, waiting between asks, and reports each state', async () => {
    const answers = [
      job('running', 4, 10),
      job('running', 9, 10),
      job('done', 10, 10, { result: RESULT })
    ];
    const asked: string[] = [];
    const waits: number[] = [];
    const seen: (number | null)[] = [];
    const last = await followJob(job('running'), {
      get: async id => {
        asked.push(id);
        return answers.shift()!;
      },
      wait: async ms => {
        waits.push(ms);
      },
      onProgress: j => seen.push(jobFraction(j)),
      stopped: () => false
    });
    expect(asked).toEqual([
      'a1b2c3d4e5f6a7b8',
      'a1b2c3d4e5f6a7b8',
      'a1b2c3d4e5f6a7b8'
    ]);
    expect(waits).toEqual([400, 400, 400]);
    expect(seen).toEqual([null, 0.4, 0.9, 1]);
    expect(jobOutcome(last!)).toEqual(RESULT);
  });

  it('does not ask again a job that is already finished', async () => {
    const get = jest.fn();
    const last = await followJob(job('done', 3, 3, { result: RESULT }), {
      get,
      wait: async () => undefined,
      onProgress: () => undefined,
      stopped: () => false
    });
    expect(get).not.toHaveBeenCalled();
    expect(last?.state).toBe('done');
  });

  it('stops asking once the dialog is closed, and answers null', async () => {
    let closed = false;
    const get = jest.fn(async () => {
      closed = true; // the dialog closes while this answer is on its way
      return job('running', 5, 10);
    });
    const seen: IJob[] = [];
    const last = await followJob(job('running', 1, 10), {
      get,
      wait: async () => undefined,
      onProgress: j => seen.push(j),
      stopped: () => closed
    });
    expect(last).toBeNull();
    expect(get).toHaveBeenCalledTimes(1);
    expect(seen.map(j => j.progress.done)).toEqual([1]);
  });

  it('throws a failed poll as the request did', async () => {
    const failure = new GalileanRequestError('no job', 404, null);
    await expect(
      followJob(job('running'), {
        get: async () => {
          throw failure;
        },
        wait: async () => undefined,
        onProgress: () => undefined,
        stopped: () => false,
        interval: 10
      })
    ).rejects.toBe(failure);
  });
});

describe('a job as the dialog shows it', () => {
  it('says done of total, percent and seconds', () => {
    expect(jobProgressText(job('running', 1200, 5000))).toBe(
      '1,200 of 5,000 rows (24%) · 1 s'
    );
    expect(jobProgressText(job('running', 3, 7), 'files')).toBe(
      '3 of 7 files (42%) · 1 s'
    );
    expect(jobProgressText(job('running'))).toBe('starting… · 1 s');
    expect(jobProgressText(job('done', 9, 10, { result: RESULT }))).toBe(
      '10 of 10 rows (100%) · 1 s'
    );
  });

  it('keeps the fraction within 0 and 1 and has none without a total', () => {
    expect(jobFraction(job('running', 12, 10))).toBe(1);
    expect(jobFraction(job('running', 0, 0))).toBeNull();
    expect(jobFraction(job('done'))).toBe(1);
  });

  it('turns a failed job into the error the form shows at its field', () => {
    const failed = job('failed', 0, 10, {
      error: {
        status: 409,
        message: "path: 'out.csv' exists",
        errors: [{ field: 'path' }]
      }
    });
    let thrown: unknown = null;
    try {
      jobOutcome(failed);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(GalileanRequestError);
    const errors = errorsByField(thrown);
    expect(errors).toEqual({ path: "path: 'out.csv' exists" });
    expect(exportExists((thrown as GalileanRequestError).status, errors)).toBe(
      true
    );
  });

  it('names the operation when a failed job says nothing', () => {
    expect(() => jobOutcome(job('failed'))).toThrow(
      'the export ended as failed'
    );
  });
});

describe('what an export wrote', () => {
  it('says rows for a table and files, items and boxes for labelled images', () => {
    expect(exportedSummary(RESULT)).toBe(
      '10 rows, 99 B in 0.5 s to out.csv (snapshot 2)'
    );
    const images = {
      path: 'birds-coco',
      snapshot: 1,
      format: 'coco',
      from_format: 'yolo',
      items: 4,
      boxes: 1,
      classes: 2,
      files: 5,
      bytes: 2048,
      seconds: 0.25
    };
    expect(exportedSummary(images)).toBe(
      '5 files (4 items, 1 box, coco), 2.0 KiB in 0.3 s to birds-coco (snapshot 1)'
    );
  });
});

describe('the client of jobs and sharing', () => {
  beforeEach(() => {
    request.mockReset();
    request.mockResolvedValue({});
  });

  it('starts an export in the background, reads a job and shares', async () => {
    const client = new DatasetsClient();
    await client.startExport(3, {
      path: 'o.csv',
      format: 'csv',
      table: 't',
      snapshot: null,
      overwrite: false
    });
    await client.job('a1b2c3d4e5f6a7b8');
    await client.share(3, { groups: ['team'], writers: ['team'] });
    const calls = request.mock.calls.map(([url, init]) => [
      url,
      init?.method ?? 'GET',
      init?.body ? JSON.parse(String(init.body)) : undefined
    ]);
    expect(calls).toEqual([
      [
        'datasets/service/datasets/3/export',
        'POST',
        {
          path: 'o.csv',
          format: 'csv',
          table: 't',
          snapshot: null,
          overwrite: false,
          background: true
        }
      ],
      ['datasets/service/jobs/a1b2c3d4e5f6a7b8', 'GET', undefined],
      [
        'datasets/service/datasets/3',
        'PATCH',
        { groups: ['team'], writers: ['team'] }
      ]
    ]);
  });
});
