/**
 * Pure helpers of the params form: what the user changed, as opposed to what the
 * form filled in on its own.
 */

interface ISchemaPart {
  default?: unknown;
  properties?: Record<string, ISchemaPart>;
  items?: ISchemaPart;
}

/**
 * `data` without the defaults the form filled in itself, at any depth: a key the node
 * does not have whose value is the schema's default (the engine applies it anyway).
 * Opening a node's form then leaves the file as it was; a value the user types is kept.
 */
export function withoutFilledDefaults(
  data: Record<string, unknown>,
  before: Record<string, unknown>,
  schema: unknown
): Record<string, unknown> {
  return strip(data, before, schema as ISchemaPart) as Record<string, unknown>;
}

function strip(
  value: unknown,
  before: unknown,
  schema: ISchemaPart | undefined
): unknown {
  if (Array.isArray(value)) {
    const old = Array.isArray(before) ? before : [];
    return value.map((item, i) => strip(item, old[i], schema?.items));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  // What it was may have been text (a header now taken from a secret): nothing kept.
  const old = (
    before !== null && typeof before === 'object' && !Array.isArray(before)
      ? before
      : {}
  ) as Record<string, unknown>;
  const properties = schema?.properties ?? {};
  const kept: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const fallback = properties[key]?.default;
    const filled =
      !(key in old) &&
      fallback !== undefined &&
      canonical(fallback) === canonical(item);
    if (!filled && item !== undefined) {
      kept[key] = strip(item, old[key], properties[key]);
    }
  }
  return kept;
}

/** JSON text with every object's keys in order: equal for equal values. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(
          Object.entries(item as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0
          )
        )
      : item
  );
}
