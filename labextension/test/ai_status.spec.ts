import { describe as describeStatus, IAiStatus } from '../src/ai/describe';
import { languageOf, split } from '../src/ai/completion_request';

const ready: IAiStatus = {
  state: 'ready',
  gateway: true,
  model: 'echo',
  models: ['echo', 'team'],
  message: '',
  today: { requests: 3, tokens: 120 },
  budget: { requests: 1000, tokens: 200000 }
};

describe('the AI status tooltip', () => {
  it('names the model, the others and today against the budget', () => {
    expect(describeStatus(ready)).toBe(
      'AI chat ready: echo\nYour models: echo, team\n' +
        'Today: 120 of 200000 tokens, 3 of 1000 requests'
    );
  });

  it("names the models that use the user's own key", () => {
    expect(describeStatus({ ...ready, own_key_models: ['team'] })).toBe(
      'AI chat ready: echo\nYour models: echo, team\n' +
        'Today: 120 of 200000 tokens, 3 of 1000 requests\n' +
        'Your own key: team (not counted in the budget)'
    );
  });

  it('says "no limit" budgets as plain counts', () => {
    const open = {
      ...ready,
      models: ['echo'],
      budget: { requests: 0, tokens: 0 }
    };
    expect(describeStatus(open)).toBe(
      'AI chat ready: echo\nToday: 120 tokens, 3 requests'
    );
  });

  it('says what the admin sets when there is no model, and when the gateway is down', () => {
    const none: IAiStatus = {
      ...ready,
      state: 'unavailable',
      model: '',
      models: [],
      message: 'your groups may use no AI model: ask your admin'
    };
    expect(describeStatus(none)).toBe(
      'AI chat not available: your groups may use no AI model: ask your admin'
    );
    expect(describeStatus({ ...none, state: 'unreachable', message: '' })).toBe(
      'AI gateway not reachable'
    );
  });
});

describe('the inline completion request', () => {
  it('sends the text around the cursor and the language', () => {
    expect(split({ text: 'a = 1\nb = ', offset: 10 })).toEqual({
      prefix: 'a = 1\nb = ',
      suffix: ''
    });
    expect(split({ text: 'f()\nx', offset: 2 })).toEqual({
      prefix: 'f(',
      suffix: ')\nx'
    });
    expect(languageOf('text/x-ipython')).toBe('python');
    expect(languageOf('text/x-sql')).toBe('sql');
    expect(languageOf('text/x-rsrc')).toBe('rsrc');
    expect(languageOf(undefined)).toBe('python');
  });
});
