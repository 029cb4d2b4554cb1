import { isOrderLineColumn, REQUIRED_COLUMNS, type OrderLineColumn } from './order-line-columns.ts';

/** Where each contract column sits in a record; a column absent from the header has no index. */
export type ColumnIndexes = Readonly<Partial<Record<OrderLineColumn, number>>>;

export type ResolvedHeader = {
  columns: ColumnIndexes;
  /** Fields every record must have: the header's own field count. */
  fieldCount: number;
  /** Required contract columns the header lacks, in contract order. */
  missing: OrderLineColumn[];
  /** Header names outside the contract, as written (trimmed); ignored, worth one warning. */
  unknown: string[];
  /** Contract columns named more than once: which one holds the data is anyone's guess. */
  duplicated: OrderLineColumn[];
};

/**
 * Matches header names to the contract: trimmed, case-insensitive, in any order. A repeated name
 * outside the contract is harmless (it is ignored either way), so only contract columns count as
 * duplicated. Empty names, as a trailing comma leaves, are reported as unknown by position.
 */
export function resolveHeader(fields: readonly string[]): ResolvedHeader {
  const columns: Partial<Record<OrderLineColumn, number>> = {};
  const unknown: string[] = [];
  const duplicated = new Set<OrderLineColumn>();
  fields.forEach((field, index) => {
    const name = field.trim().toLowerCase();
    if (!isOrderLineColumn(name)) {
      unknown.push(field.trim() === '' ? `(unnamed column ${index + 1})` : field.trim());
      return;
    }
    if (columns[name] === undefined) columns[name] = index;
    else duplicated.add(name);
  });
  return {
    columns,
    fieldCount: fields.length,
    missing: REQUIRED_COLUMNS.filter((column) => columns[column] === undefined),
    unknown,
    duplicated: [...duplicated],
  };
}
