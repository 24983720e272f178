import {
  answerError,
  GalileanRequestError,
  hubBase,
  hubService,
  isErrorBody,
  parseJson,
  serviceUrl,
  SERVER_EXTENSION
} from '../src/request';

const options =
  (values: Record<string, string>) =>
  (name: string): string =>
    values[name] ?? '';

describe('answers as errors', () => {
  it("carries the server's error body and message", () => {
    const body = { ok: false, error: 'name: taken', errors: [], status: 409 };
    const error = answerError(409, 'Conflict', body);
    expect(error).toBeInstanceOf(GalileanRequestError);
    expect(error.message).toBe('name: taken');
    expect(error.status).toBe(409);
    expect(error.body).toEqual(body);
  });

  it('says the status when the body is not the error shape', () => {
    const error = answerError(500, 'Internal Server Error', '<html>');
    expect(error.message).toBe('500 Internal Server Error');
    expect(error.body).toBeNull();
  });

  it('turns a 404 of the whole API into guidance, per backend', () => {
    expect(answerError(404, 'Not Found', null).message).toContain(
      'pip install galilean-server'
    );
    expect(
      answerError(404, 'Not Found', null, hubService('flows')).message
    ).toBe('The hub service "flows" is not running on this hub.');
    const notFound = { ok: false, error: 'no connection x', errors: [] };
    expect(answerError(404, 'Not Found', notFound).message).toBe(
      'no connection x'
    );
  });

  it('reads JSON text, empty or not', () => {
    expect(parseJson('')).toBeNull();
    expect(parseJson('not json')).toBeNull();
    expect(parseJson('{"a": 1}')).toEqual({ a: 1 });
    expect(isErrorBody({ ok: true, error: 'x' })).toBe(false);
    expect(isErrorBody({ ok: false, error: 'x' })).toBe(true);
  });
});

describe('where hub services are', () => {
  it('finds the hub base from hubPrefix and hubHost', () => {
    expect(hubBase(options({ hubPrefix: '/hub/' }))).toBe('/');
    expect(hubBase(options({ hubPrefix: '/galilean/hub/' }))).toBe(
      '/galilean/'
    );
    expect(
      hubBase(options({ hubPrefix: '/hub/', hubHost: 'https://hub.example' }))
    ).toBe('https://hub.example/');
    expect(hubBase(options({}))).toBe('/');
  });

  it('puts a service under <hub>/services/<name>/', () => {
    expect(serviceUrl('flows', 'api/flows', '/')).toBe(
      '/services/flows/api/flows'
    );
    expect(SERVER_EXTENSION.kind).toBe('server');
  });
});
