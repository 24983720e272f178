/** What the AI status item says (kept apart from the widget so tests need no DOM). */

export interface IAiStatus {
  state: 'ready' | 'unavailable' | 'unreachable';
  gateway: boolean;
  model: string;
  models: string[];
  message: string;
  today?: { requests: number; tokens: number } | null;
  budget?: { requests: number; tokens: number } | null;
  /** Models that use the user's own provider key (a secret AI_KEY_…), outside the budget. */
  own_key_models?: string[];
}

/** The tooltip: what the dot means and, when it is not green, what to do. */
export function describe(status: IAiStatus): string {
  if (status.state === 'ready') {
    const lines = [`AI chat ready: ${status.model}`];
    if (status.models.length > 1) {
      lines.push(`Your models: ${status.models.join(', ')}`);
    }
    if (status.today && status.budget) {
      const tokens = status.budget.tokens
        ? `${status.today.tokens} of ${status.budget.tokens} tokens`
        : `${status.today.tokens} tokens`;
      const requests = status.budget.requests
        ? `${status.today.requests} of ${status.budget.requests} requests`
        : `${status.today.requests} requests`;
      lines.push(`Today: ${tokens}, ${requests}`);
    }
    if (status.own_key_models?.length) {
      lines.push(
        `Your own key: ${status.own_key_models.join(', ')} (not counted in the budget)`
      );
    }
    return lines.join('\n');
  }
  const head =
    status.state === 'unreachable'
      ? 'AI gateway not reachable'
      : 'AI chat not available';
  return status.message ? `${head}: ${status.message}` : head;
}
