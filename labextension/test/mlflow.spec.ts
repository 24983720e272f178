import { mlflowUrl, SANDBOX } from '../src/mlflow/frame';

describe('the MLflow tab', () => {
  it('opens the hub service with its trailing slash (MLflow needs it)', () => {
    expect(mlflowUrl('/')).toBe('/services/mlflow/');
    expect(mlflowUrl('https://hub.lan/base')).toBe(
      'https://hub.lan/base/services/mlflow/'
    );
    expect(mlflowUrl('https://hub.lan/base/')).toBe(
      'https://hub.lan/base/services/mlflow/'
    );
  });

  it('lets MLflow run in its frame but never navigate the page around it', () => {
    expect(SANDBOX).toContain('allow-scripts');
    expect(SANDBOX).toContain('allow-same-origin');
    expect(SANDBOX as readonly string[]).not.toContain('allow-top-navigation');
  });
});
