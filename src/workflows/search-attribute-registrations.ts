import { SearchAttributeType } from '@temporalio/common';

/** How `temporal server start-dev --search-attribute` and `temporal operator` name a type. */
export type RegisteredAttributeType = 'Keyword' | 'Int';

const CLI_TYPE_NAMES: Partial<Record<SearchAttributeType, RegisteredAttributeType>> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
};

/** The registrations a namespace needs for a contract's attribute keys, derived from the keys themselves. */
export function attributeRegistrations(
  keys: Readonly<Record<string, { name: string; type: SearchAttributeType }>>,
): ReadonlyArray<{ name: string; type: RegisteredAttributeType }> {
  return Object.values(keys).map((key) => {
    const type = CLI_TYPE_NAMES[key.type];
    if (!type) throw new Error(`search attribute ${key.name}: type ${key.type} has no registration name`);
    return { name: key.name, type };
  });
}
