import { Readable } from 'node:stream';

export type GeneratorOptions = {
  rows: number;
  seed?: number;
  /** Orders are spread over this many days ending the day before `endDate`. */
  days?: number;
  endDate?: string;
  customers?: number;
  products?: number;
  /**
   * Orders are keyed by order_ref, so files meant to add orders rather than replace each other's
   * need different prefixes. Default 'ORD'.
   */
  refPrefix?: string;
};

export const SAMPLE_HEADER =
  'order_ref,order_date,customer_email,customer_region,sku,product_name,category,quantity,unit_price,payment_method';

export const REF_PREFIX = /^[A-Za-z0-9_-]{1,20}$/;

const REGIONS = ['Nairobi', 'Mombasa', 'Kisumu', 'Lagos', 'Abuja', 'Accra', 'Kampala', 'Dar es Salaam', ''];
const CATEGORIES = ['Electronics', 'Groceries', 'Fashion', 'Home & Kitchen', 'Beauty', 'Books'];
const ADJECTIVES = ['Classic', 'Solar', 'Premium', 'Everyday', 'Compact', 'Family'];
const NOUNS = ['Kettle', 'Radio', 'Sandals', 'Tea, 500g', 'Lamp', 'Backpack', 'Phone Case', 'Shea Butter'];
/** Several spellings per method, as real exports have them. */
const PAYMENT_SPELLINGS = ['M-Pesa', 'mpesa', 'MPESA', 'Paystack', 'card', 'Credit Card', 'debit_card', 'Bank Transfer', 'EFT', 'cash'];

/**
 * A deterministic, streaming generator of realistic order-line CSV: 1–5 lines per order, repeat
 * customers, quoted product names, mixed payment spellings. The same options give the same bytes.
 */
export function generateOrderLines(options: GeneratorOptions): Readable {
  const random = mulberry32(options.seed ?? 1);
  const days = options.days ?? 30;
  const customers = options.customers ?? Math.max(10, Math.min(50_000, Math.ceil(options.rows / 20)));
  const products = options.products ?? Math.max(5, Math.min(2_000, Math.ceil(options.rows / 500)));
  const refPrefix = options.refPrefix ?? 'ORD';
  // Written unquoted into the CSV, so it must not need quoting.
  if (!REF_PREFIX.test(refPrefix)) throw new Error('refPrefix must be 1 to 20 letters, digits, _ or -');
  const end = Date.parse(`${options.endDate ?? '2026-11-01'}T00:00:00Z`);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  let written = 0;
  let orderNumber = 0;
  function* lines(): Generator<string> {
    yield `${SAMPLE_HEADER}\n`;
    while (written < options.rows) {
      orderNumber += 1;
      const orderRef = `${refPrefix}-${String(orderNumber).padStart(8, '0')}`;
      const at = new Date(end - Math.floor(random() * days * 86_400_000));
      const orderDate = at.toISOString().replace('.000Z', 'Z');
      const customer = Math.floor(random() * customers);
      const email = `customer${customer}@example.com`;
      const region = REGIONS[customer % REGIONS.length] ?? '';
      const payment = pick(PAYMENT_SPELLINGS);
      const lineCount = Math.min(1 + Math.floor(random() * 5), options.rows - written);
      let chunk = '';
      for (let i = 0; i < lineCount; i += 1) {
        const product = Math.floor(random() * products);
        const name = `${ADJECTIVES[product % ADJECTIVES.length]} ${NOUNS[product % NOUNS.length]} ${product}`;
        const category = CATEGORIES[product % CATEGORIES.length] ?? 'Other';
        const price = (50 + ((product * 7919) % 500000) / 100).toFixed(2);
        const quantity = 1 + Math.floor(random() * 4);
        chunk += `${orderRef},${orderDate},${email},${csvField(region)},SKU-${String(product).padStart(5, '0')},${csvField(name)},${csvField(category)},${quantity},${price},${payment}\n`;
      }
      written += lineCount;
      yield chunk;
    }
  }
  return Readable.from(lines(), { objectMode: false });
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A small, fast, seedable PRNG: reproducible files without a dependency. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
