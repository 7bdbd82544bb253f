// The programs and broken sources the real outputs are made from: servers to drive, suites that fail,
// files that do not compile. Written to a temporary directory and run there; only what they print is used.

/**
 * A Python `http.server` that logs each request in Combined Log Format (as Apache and nginx do), serving a
 * static tree and a small API, driven by a client in the same process: static files (200, 304, 404, 301),
 * an admin area (403), a report that fails for some ids (500), a flaky upstream (502, 503), a login (401)
 * and methods the server does not implement (501).
 */
export const ACCESS_LOG_SERVER = String.raw`
import http.server, json, os, sys, threading, time, urllib.error, urllib.request

class AccessLogHandler(http.server.SimpleHTTPRequestHandler):
    def send_header(self, key, value):
        if key.lower() == 'content-length':
            self.length = value
        super().send_header(key, value)

    def log_request(self, code='-', size='-'):
        self.code = code

    def log_message(self, format, *args):
        pass

    def handle_one_request(self):
        self.code, self.length = None, '-'
        super().handle_one_request()
        if self.code is None:
            return
        status = int(self.code) if str(self.code).isdigit() else self.code
        when = time.strftime('%d/%b/%Y:%H:%M:%S +0000', time.gmtime())
        sys.stderr.write('%s - %s [%s] "%s" %s %s "%s" "%s"\n' % (
            self.client_address[0], self.headers.get('X-User', '-') if self.headers else '-', when,
            self.requestline, status, self.length,
            self.headers.get('Referer', '-') if self.headers else '-',
            self.headers.get('User-Agent', '-') if self.headers else '-'))
        sys.stderr.flush()

    def reply(self, code, body, content_type='application/json'):
        data = body.encode()
        self.send_response(code)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split('?')[0]
        if path.startswith('/admin'):
            return self.send_error(403, 'Forbidden')
        if path.startswith('/api/items/'):
            item = int(path.rsplit('/', 1)[1])
            return self.reply(200, json.dumps({'id': item, 'stock': item % 17}))
        if path.startswith('/api/reports/'):
            report = int(path.rsplit('/', 1)[1])
            try:
                if report % 41 == 13:
                    raise ZeroDivisionError('division by zero in totals for report %d' % report)
                return self.reply(200, json.dumps({'report': report, 'rows': report * 3}))
            except ZeroDivisionError:
                return self.send_error(500, 'Internal Server Error')
        if path.startswith('/api/inventory'):
            n = int(self.headers.get('X-Attempt', '0'))
            if n % 29 == 5:
                return self.send_error(502, 'Bad Gateway')
            if n % 23 == 7:
                return self.send_error(503, 'Service Unavailable')
            return self.reply(200, json.dumps({'warehouses': 4}))
        return super().do_GET()

    def do_POST(self):
        length = int(self.headers.get('Content-Length', '0'))
        body = self.rfile.read(length).decode()
        if self.path == '/api/login':
            if 'hunter2' in body:
                return self.reply(200, json.dumps({'token': 'ok'}))
            return self.send_error(401, 'Unauthorized')
        if self.path == '/api/orders':
            return self.reply(201, json.dumps({'created': True}))
        return self.send_error(404, 'Not Found')

root = sys.argv[1]
os.makedirs(os.path.join(root, 'static', 'css'), exist_ok=True)
for name, size in [('index.html', 1200), ('static/app.js', 48000), ('static/css/site.css', 9000), ('robots.txt', 40)]:
    with open(os.path.join(root, name), 'w') as f:
        f.write('x' * size)
os.chdir(root)
server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), AccessLogHandler)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = 'http://127.0.0.1:%d' % server.server_address[1]
agents = ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
          'curl/7.88.1', 'python-requests/2.31.0', 'Googlebot/2.1 (+http://www.google.com/bot.html)']

def request(path, method='GET', data=None, headers=None, agent=0):
    headers = dict(headers or {})
    headers['User-Agent'] = agents[agent % len(agents)]
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req) as res:
            res.read()
    except urllib.error.HTTPError as err:
        err.read()

for i in range(500):
    request('/', agent=i)
    request('/static/app.js', headers={'Referer': base + '/'}, agent=i)
    request('/static/css/site.css', headers={'Referer': base + '/'}, agent=i)
    request('/api/items/%d' % i, agent=i, headers={'X-User': 'u%d' % (i % 9)})
    request('/api/inventory', headers={'X-Attempt': str(i)}, agent=i)
    if i % 3 == 0:
        request('/api/reports/%d' % i, agent=i, headers={'X-User': 'u%d' % (i % 9)})
    if i % 50 == 17:
        request('/admin/users', agent=3)
    if i % 90 == 44:
        request('/admin/config.php', agent=1)
    if i % 11 == 4:
        request('/static/old-logo.png', headers={'Referer': base + '/'}, agent=i)
    if i % 60 == 30:
        request('/static', agent=2)
    if i % 25 == 0:
        request('/api/login', 'POST', b'user=admin&password=%d' % i, agent=1)
    if i % 25 == 1:
        request('/api/login', 'POST', b'user=admin&password=hunter2', agent=0)
    if i % 10 == 9:
        request('/api/orders', 'POST', json.dumps({'sku': 'A-%d' % i}).encode(), {'Content-Type': 'application/json'}, agent=i)
    if i % 140 == 70:
        request('/api/items/%d' % i, 'DELETE', agent=2)
    if i % 33 == 3:
        request('/robots.txt', agent=3)
server.shutdown()
`;

/**
 * An inventory import on SQLite (better-sqlite3) that logs each statement SQLite runs through the
 * `verbose` callback, its own progress, and the statements that fail with their SQLite error codes.
 */
export const SQLITE_IMPORT = String.raw`
const Database = require('better-sqlite3');
const stamp = (() => { let t = Date.parse('2026-03-14T09:00:00.000Z'); return () => new Date((t += 7)).toISOString(); })();
const log = (level, message) => process.stdout.write(stamp() + ' ' + level.padEnd(5) + ' ' + message + '\n');
const db = new Database(':memory:', { verbose: (sql) => log('DEBUG', 'sql: ' + sql) });
const run = (sql, ...params) => {
  try { return db.prepare(sql).run(...params); }
  catch (error) { log('ERROR', error.code + ': ' + error.message); return undefined; }
};
log('INFO', 'opening inventory database (better-sqlite3, SQLite ' + db.prepare('select sqlite_version() as v').get().v + ')');
db.pragma('foreign_keys = ON');
db.exec('create table warehouses (id integer primary key, code text not null unique, city text not null)');
db.exec('create table products (id integer primary key, sku text not null unique, name text not null, price_cents integer not null check (price_cents >= 0))');
db.exec('create table stock (product_id integer not null references products(id), warehouse_id integer not null references warehouses(id), quantity integer not null check (quantity >= 0), primary key (product_id, warehouse_id))');
for (const [code, city] of [['AMS1', 'Amsterdam'], ['BER1', 'Berlin'], ['LIS1', 'Lisbon'], ['WAW1', 'Warsaw']])
  run('insert into warehouses (code, city) values (?, ?)', code, city);
let written = 0;
let rejected = 0;
for (let batch = 1; batch <= 12; batch++) {
  log('INFO', 'importing batch ' + batch + ' of 12');
  const started = written;
  db.exec('begin');
  for (let i = 0; i < 40; i++) {
    const n = batch * 100 + i;
    const sku = n % 157 === 3 ? 'SKU-' + (n - 100) : 'SKU-' + n;
    const price = n % 211 === 17 ? -5 : 100 + (n % 13) * 25;
    const name = n % 263 === 11 ? null : 'Product ' + n;
    const product = run('insert into products (sku, name, price_cents) values (?, ?, ?)', sku, name, price);
    if (!product) { rejected++; continue; }
    written++;
    const warehouse = n % 199 === 5 ? 9 : 1 + (n % 4);
    if (!run('insert into stock (product_id, warehouse_id, quantity) values (?, ?, ?)', product.lastInsertRowid, warehouse, n % 50)) rejected++;
  }
  db.exec('commit');
  log('INFO', 'batch ' + batch + ' done: ' + (written - started) + ' products written');
  if (batch % 4 === 0) {
    const rows = db.prepare('select w.code, sum(s.quantity) as units from stock s join warehouses w on w.id = s.warehouse_id group by w.code order by w.code').all();
    log('INFO', 'stock by warehouse: ' + rows.map((r) => r.code + '=' + r.units).join(', '));
  }
}
run('update stock set quantity = quantity - 60 where product_id = 7');
run('insert into stock_history select * from stock');
log('INFO', 'vacuuming');
db.exec('vacuum');
log(rejected > 0 ? 'WARN' : 'INFO', 'import finished: ' + written + ' products written, ' + rejected + ' rows rejected');
`;

/** A C++ inventory module with the mistakes of a half-done rename: an undeclared counter, wrong calls, bad types. */
export const BROKEN_CPP = {
  'inventory.hpp': `#pragma once
#include <map>
#include <string>
#include <vector>

struct Item {
  std::string sku;
  int quantity;
  double price;
};

class Inventory {
 public:
  void addItem(const std::string& sku, int quantity, double price);
  bool removeItem(const std::string& sku);
  int total() const;
  std::vector<Item> lowStock(int threshold) const;

 private:
  std::map<std::string, Item> items_;
};
`,
  'inventory.cpp': String.raw`#include "inventory.hpp"

#include <algorithm>
#include <iostream>

void Inventory::addItem(const std::string& sku, int quantity, double price) {
  int unused = 0;
  items_[sku] = Item{sku, quantity, price};
  itemCount++;
}

bool Inventory::removeItem(const std::string& sku) {
  auto found = items_.find(sku);
  if (found == items_.end()) return false;
  items_.erase(found);
  itemCount--;
  return true;
}

int Inventory::total() const {
  int sum = 0;
  for (const auto& [sku, item] : items_) sum += item.quantity;
  return sum + itemCount * 0;
}

std::vector<Item> Inventory::lowStock(int threshold) const {
  std::vector<Item> out;
  for (const auto& [sku, item] : items_)
    if (item.quantity < threshold) out.push_back(item);
  for (size_t i = 0; i < itemCount; i++) {
    int spare = 0;
  }
  return out;
}

int restock(Inventory& inventory, const std::vector<std::string>& skus) {
  int added = 0;
  for (int i = 0; i < skus.size(); i++) {
    inventory.addItem(skus[i], 10);
    added += itemCount;
  }
  return added;
}

int audit(const Inventory& inventory) {
  int flagged = 0;
  for (int i = 0; i < inventory.lowStock(5).size(); i++) {
    int unusedCounter = i;
    flagged++;
  }
  if (itemCount > flagged) std::cout << "mismatch: " << itemCount << '\n';
  return flagged;
}

void report(const Inventory& inventory) {
  int lines = "none";
  std::string title = 42;
  std::cout << inventory.total() << ' ' << lines << ' ' << title << '\n';
  std::cout << itemCount << '\n';
  inventory.addItem("SKU-1", 1, 1.0);
}

double valuation(const Inventory& inventory, double rate) {
  double value = inventory.total() * rate;
  for (int i = 0; i < inventory.lowStock(3).size(); i++) value -= itemCount;
  int ignored = 0;
  return value / itemCount;
}

int main() {
  Inventory inventory;
  inventory.addItem("SKU-1", 3, 9.5);
  inventory.addItem("SKU-2", 0, 1.25);
  restock(inventory, {"SKU-3", "SKU-4"});
  std::cout << audit(inventory) << ' ' << valuation(inventory, 1.1) << '\n';
  report(inventory);
  std::cout << itemCount << std::endl;
  return itemCount;
}
`,
};

/** A Python package with the syntax mistakes an unfinished edit leaves: each file fails on its own. */
export const BROKEN_PYTHON = {
  'shop/__init__.py': 'from .cart import Cart\nfrom .pricing import price_of\n',
  'shop/cart.py':
    'class Cart:\n    def __init__(self):\n        self.items = []\n\n    def add(self, sku, qty=1:\n        self.items.append((sku, qty))\n',
  'shop/pricing.py':
    'RATES = {"EUR": 1.0, "USD": 1.08}\n\ndef price_of(sku, currency="EUR")\n    return RATES[currency] * 10\n',
  'shop/discounts.py':
    'def discount(total):\n    if total > 100:\n        return total * 0.9\n     else:\n        return total\n',
  'shop/shipping.py': 'def cost(weight):\n    match weight\n        case 0:\n            return 0\n',
  'shop/orders.py':
    'import json\n\ndef load(path):\n    with open(path) as f:\n        return json.load(f\n\ndef save(path, order):\n    pass\n',
  'shop/tax.py':
    'def vat(amount):\n\treturn amount * 0.21\n        # rounded later\n\treturn round(amount, 2)\n',
  'shop/inventory.py': 'STOCK = {}\n\ndef reserve(sku, qty):\n    STOCK[sku] -= qty\n    return STOCK[sku]\n',
  'shop/report.py': 'def header():\n    return f"Report {"\n',
  'shop/util.py': 'def chunks(xs, n):\n    for i in range(0, len(xs), n):\n        yield xs[i:i + n]\n',
};

/** A unittest suite for a small cart module with two bugs: failures with tracebacks among passing tests. */
export const PYTHON_SUITE = {
  'cart.py': `
class OutOfStock(Exception):
    pass

class Cart:
    def __init__(self, stock):
        self.stock = dict(stock)
        self.lines = {}

    def add(self, sku, qty=1):
        if self.stock.get(sku, 0) < qty:
            raise OutOfStock('%s: only %d left' % (sku, self.stock.get(sku, 0)))
        self.lines[sku] = self.lines.get(sku, 0) + qty
        self.stock[sku] -= qty

    def total(self, prices, discount=0):
        gross = sum(prices[sku] * qty for sku, qty in self.lines.items())
        return round(gross * (1 - discount / 10), 2)

    def remove(self, sku):
        qty = self.lines.pop(sku)
        self.stock[sku] += qty
`,
  'test_cart.py': `
import unittest
from cart import Cart, OutOfStock

PRICES = {'A-%d' % i: 1.5 * (i + 1) for i in range(40)}
STOCK = {'A-%d' % i: i for i in range(40)}

class TestAdd(unittest.TestCase):
    pass

for i in range(1, 30):
    def case(self, i=i):
        cart = Cart(STOCK)
        cart.add('A-%d' % i, 1)
        self.assertEqual(cart.lines['A-%d' % i], 1)
    setattr(TestAdd, 'test_add_one_of_A_%d' % i, case)

class TestTotal(unittest.TestCase):
    def test_total_without_discount(self):
        cart = Cart(STOCK)
        cart.add('A-3', 2)
        self.assertEqual(cart.total(PRICES), 12.0)

    def test_total_with_ten_percent_discount(self):
        cart = Cart(STOCK)
        cart.add('A-3', 2)
        self.assertEqual(cart.total(PRICES, discount=10), 10.8)

    def test_total_of_empty_cart(self):
        self.assertEqual(Cart(STOCK).total(PRICES), 0)

for d in (5, 15, 20, 25):
    def discounted(self, d=d):
        cart = Cart(STOCK)
        cart.add('A-9', 3)
        self.assertAlmostEqual(cart.total(PRICES, discount=d), round(45.0 * (1 - d / 100), 2))
    setattr(TestTotal, 'test_total_with_%d_percent_discount' % d, discounted)

class TestPrices(unittest.TestCase):
    pass

for i in range(40):
    def priced(self, i=i):
        self.assertGreater(PRICES['A-%d' % i], 0)
    setattr(TestPrices, 'test_price_of_A_%d_is_positive' % i, priced)

class TestStock(unittest.TestCase):
    def test_out_of_stock_is_refused(self):
        with self.assertRaises(OutOfStock):
            Cart(STOCK).add('A-0', 1)

    def test_remove_returns_stock(self):
        cart = Cart(STOCK)
        cart.add('A-5', 2)
        cart.remove('A-5')
        self.assertEqual(cart.stock['A-5'], 5)

    def test_remove_unknown_sku(self):
        Cart(STOCK).remove('A-7')

    def test_add_unknown_sku(self):
        with self.assertRaises(OutOfStock):
            Cart(STOCK).add('B-1', 1)

if __name__ == '__main__':
    unittest.main()
`,
};

/** Java sources with a missing import, an undeclared field used everywhere and wrong types. */
export const BROKEN_JAVA = {
  'shop/Inventory.java': `package shop;

import java.util.HashMap;
import java.util.Map;

public class Inventory {
    private final Map<String, Integer> stock = new HashMap<>();

    public void add(String sku, int quantity) {
        stock.merge(sku, quantity, Integer::sum);
        itemCount++;
    }

    public List<String> lowStock(int threshold) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Integer> e : stock.entrySet())
            if (e.getValue() < threshold) out.add(e.getKey());
        return out;
    }

    public int total() {
        int sum = 0;
        for (int q : stock.values()) sum += q;
        return sum + itemCount * 0;
    }

    public String describe() {
        int count = "many";
        return "items: " + itemCount;
    }

    public boolean remove(String sku) {
        itemCount--;
        return stock.remove(sku) != null;
    }
}
`,
  'shop/Report.java': `package shop;

public class Report {
    public static String render(Inventory inventory) {
        StringBuilder out = new StringBuilder();
        out.append(inventory.total());
        out.append(itemCount);
        for (String sku : inventory.lowStock(3)) out.append(sku).append(itemCount);
        Logger.info("rendered");
        return out;
    }

    public static int count(Inventory inventory) {
        return inventory.lowStock(5).size() + itemCount;
    }
}
`,
};

/** A vitest suite for a small pricing module with a rounding bug and a thrown TypeError. */
export const VITEST_SUITE = {
  'package.json': '{ "type": "module" }\n',
  'src/pricing.js': `export function priceWithVat(cents, rate) {
  return Math.floor(cents * (1 + rate));
}

export function applyCoupon(cart, coupon) {
  if (coupon.expires < Date.parse('2026-01-01')) throw new RangeError('coupon ' + coupon.code + ' has expired');
  return { ...cart, total: cart.total - coupon.amount };
}

export function lineTotals(lines) {
  return lines.map((line) => line.product.price * line.quantity);
}
`,
  'src/pricing.test.js': `import { describe, expect, it } from 'vitest';
import { applyCoupon, lineTotals, priceWithVat } from './pricing.js';

describe('priceWithVat', () => {
  for (let cents = 100; cents <= 2000; cents += 100)
    it('adds 21% VAT to ' + cents + ' cents', () => expect(priceWithVat(cents, 0.21)).toBe(Math.floor(cents * 1.21)));
  it('rounds half a cent up', () => expect(priceWithVat(1050, 0.21)).toBe(1271));
  it('keeps zero at zero', () => expect(priceWithVat(0, 0.21)).toBe(0));
});

describe('applyCoupon', () => {
  it('takes the amount off the total', () => {
    expect(applyCoupon({ total: 5000 }, { code: 'SPRING', amount: 500, expires: Date.parse('2026-06-01') })).toEqual({ total: 4500 });
  });
  it('accepts a coupon that expires today', () => {
    expect(() => applyCoupon({ total: 5000 }, { code: 'LASTDAY', amount: 500, expires: Date.parse('2025-12-31') })).not.toThrow();
  });
  it('never makes a total negative', () => {
    expect(applyCoupon({ total: 300 }, { code: 'BIG', amount: 500, expires: Date.parse('2026-06-01') }).total).toBeGreaterThanOrEqual(0);
  });
});

describe('lineTotals', () => {
  it('multiplies price by quantity', () => expect(lineTotals([{ product: { price: 250 }, quantity: 3 }])).toEqual([750]));
  it('skips lines whose product was deleted', () => expect(lineTotals([{ product: null, quantity: 1 }])).toEqual([]));
});
`,
  'src/cart.test.js': `import { describe, expect, it } from 'vitest';
import { priceWithVat } from './pricing.js';

describe('cart', () => {
  for (let i = 1; i <= 25; i++) it('prices cart #' + i, () => expect(priceWithVat(i * 10, 0)).toBe(i * 10));
});
`,
};

/** A node:test suite (TAP output when not on a terminal) for a small slug module with one bug. */
export const NODE_TEST_SUITE = {
  'slug.js': String.raw`export function slugify(title) {
  return title.toLowerCase().trim().replace(/[^a-z0-9]+/g, '-');
}
export function parseDuration(text) {
  const m = /^(\d+)(ms|s|m)$/.exec(text);
  if (!m) throw new SyntaxError('bad duration: ' + text);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60000 }[m[2]];
}
`,
  'slug.test.js': `import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration, slugify } from './slug.js';

describe('slugify', () => {
  const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa'];
  for (const a of words) for (const b of words.slice(0, 4))
    it('joins ' + a + ' and ' + b, () => assert.equal(slugify(a + ' ' + b), a + '-' + b));
  it('drops trailing punctuation', () => assert.equal(slugify('Hello, World!'), 'hello-world'));
  it('collapses repeated separators', () => assert.equal(slugify('a  --  b'), 'a-b'));
});

describe('parseDuration', () => {
  it('reads milliseconds', () => assert.equal(parseDuration('250ms'), 250));
  it('reads seconds', () => assert.equal(parseDuration('3s'), 3000));
  it('reads minutes', () => assert.equal(parseDuration('2m'), 120000));
  it('reads hours', () => assert.equal(parseDuration('1h'), 3600000));
  it('rejects negative durations', () => assert.throws(() => parseDuration('-1s'), SyntaxError));
});
`,
};
