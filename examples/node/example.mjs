// IDaaS in five minutes, in Node.js (20+, built-in fetch): the same walk as examples/python.
//   npm ci && node example.mjs [--api http://127.0.0.1:8080/api]
// 1. registers two applications (encryption on, the default) with webhook URLs served below;
// 2. gets tokens, provisions wallets, creates a subject and a tag for each (bodies as JWE);
// 3. pays from the first to the second with an Idempotency-Key, and retries it once;
// 4. receives TRANSACTION_INITIATED as the second app: X-IDaaS-Signature checked (HMAC-SHA256,
//    constant time, 5-minute window), JWE body decrypted with its private key;
// 5. accepts, receives TRANSACTION_COMPLETED as the first app, prints both wallets.
// Exits 0 only if every step held. See README.md.
import crypto from 'node:crypto';
import http from 'node:http';
import { CompactEncrypt, compactDecrypt, importJWK } from 'jose';

const argAt = process.argv.indexOf('--api');
const API = (argAt > 0 ? process.argv[argAt + 1] : 'http://127.0.0.1:8080/api').replace(/\/$/, '');
const FIVE_MINUTES = 300;

function fail(message) {
  console.error(message);
  process.exit(1);
}

// Section 15: v0=hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + raw body)).
export function verifySignature(secret, timestamp, signature, rawBody) {
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > FIVE_MINUTES) return false;
  const expected = 'v0=' + crypto.createHmac('sha256', secret)
    .update(Buffer.concat([Buffer.from(`v0:${timestamp}:`), rawBody])).digest('hex');
  const a = Buffer.from(expected);
  const b = Buffer.from(String(signature ?? ''));
  return a.length === b.length && crypto.timingSafeEqual(a, b); // constant time
}

class App {
  constructor(idaasKey, name, hookUrl) {
    this.idaasKey = idaasKey;
    this.handle = `${name}${crypto.randomBytes(3).toString('hex')}`;
    this.hookUrl = hookUrl;
    this.inbox = [];
  }

  async register() {
    const reg = await this.call('POST', '/v1/applications', {
      plain: { name: `Example ${this.handle}`, appHandle: this.handle, transactionWebhookUrl: this.hookUrl },
      expect: 201,
    });
    // Shown once: a real application stores these in its secret manager.
    const d = reg.data;
    this.webhookSecret = d.webhookSecret;
    this.privateKey = await importJWK(d.appPrivateJwk, 'ECDH-ES+A256KW');
    const tok = await this.call('POST', '/v1/auth/token', {
      plain: { client_id: d.clientId, client_secret: d.clientSecret },
    });
    this.token = tok.data.token;
  }

  // A JSON call: `body` goes encrypted to IDaaS's key, `plain` as is (public routes).
  async call(method, path, { body, plain, expect = 200, headers = {} } = {}) {
    const h = { ...headers };
    if (this.token) h.Authorization = `Bearer ${this.token}`;
    let data;
    if (body !== undefined) {
      data = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(body)))
        .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', cty: 'application/json' })
        .encrypt(this.idaasKey);
      Object.assign(h, { 'Content-Type': 'application/json', 'Content-Encryption': 'JWE' });
    } else if (plain !== undefined) {
      data = JSON.stringify(plain);
      h['Content-Type'] = 'application/json';
    }
    const r = await fetch(API + path, { method, headers: h, body: data });
    const text = await r.text();
    if (r.status !== expect) fail(`${method} ${path}: ${r.status} ${text}`);
    return JSON.parse(text);
  }

  // The webhook endpoint: verify, then decrypt, then keep the event.
  async receive(raw, headers) {
    if (!verifySignature(this.webhookSecret, headers['x-idaas-timestamp'], headers['x-idaas-signature'], raw)) {
      console.log(`  [${this.handle}] webhook REFUSED: bad or stale signature`);
      return 401;
    }
    let plain = raw;
    if (headers['content-encryption'] === 'JWE') {
      plain = Buffer.from((await compactDecrypt(raw.toString(), this.privateKey)).plaintext);
    }
    this.inbox.push(JSON.parse(plain.toString()));
    return 200;
  }

  async waitFor(event, seconds = 30) {
    const deadline = Date.now() + seconds * 1000;
    while (Date.now() < deadline) {
      const i = this.inbox.findIndex((e) => e.event === event);
      if (i >= 0) return this.inbox.splice(i, 1)[0];
      await new Promise((r) => setTimeout(r, 100));
    }
    fail(`[${this.handle}] no ${event} webhook within ${seconds} s`);
  }
}

function serveWebhooks(apps) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const app = apps[req.url.replace(/^\//, '')];
      res.statusCode = app ? await app.receive(Buffer.concat(chunks), req.headers) : 404;
      res.end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const key = (await (await fetch(`${API}/v1/keys/idaas`)).json()).data;
const idaasKey = await importJWK(key.jwk, 'ECDH-ES+A256KW');
console.log(`1. IDaaS public key: ${key.algorithm} / ${key.encAlgorithm} on ${key.curve}`);

const apps = {};
const server = await serveWebhooks(apps);
const base = `http://127.0.0.1:${server.address().port}`;
const sender = new App(idaasKey, 'jsshop', `${base}/sender`);
const receiver = new App(idaasKey, 'jswallet', `${base}/receiver`);
Object.assign(apps, { sender, receiver });
await sender.register();
await receiver.register();
console.log(`2. registered ${sender.handle} and ${receiver.handle}; tokens issued`);

const tags = {};
for (const [who, app] of [['alice', sender], ['bob', receiver]]) {
  await app.call('POST', '/v1/wallet');
  const subject = (await app.call('POST', '/v1/subjects', { body: { externalId: `user-${who}` }, expect: 201 })).data.id;
  const tag = (await app.call('POST', '/v1/tags', { body: { tag: who, subjectId: subject }, expect: 201 })).data.qualifiedAddress;
  tags[who] = tag;
  console.log(`3. ${app.handle}: wallet, subject ${subject}, tag ${tag} (requests sent as JWE)`);
}

const idempotencyKey = crypto.randomUUID();
const payment = { senderTag: tags.alice, receiverTag: tags.bob, amount: '25.50', currency: 'NGN', narration: 'Example order #1' };
const pay = () => sender.call('POST', '/v1/transactions', { body: payment, expect: 201, headers: { 'Idempotency-Key': idempotencyKey } });
const sent = (await pay()).data;
const again = (await pay()).data;
if (again.reference !== sent.reference) fail('a retry with the same Idempotency-Key paid twice');
console.log(`4. payment ${sent.reference} ${sent.status}; a retry with the same Idempotency-Key answered the same payment`);

const initiated = await receiver.waitFor('TRANSACTION_INITIATED');
if (initiated.transaction.reference !== sent.reference) fail('TRANSACTION_INITIATED for another payment');
console.log(`5. ${receiver.handle} got TRANSACTION_INITIATED: signature verified, JWE decrypted, ${initiated.transaction.amount} ${initiated.transaction.currency} from ${initiated.transaction.senderTag}`);

const accepted = (await receiver.call('POST', `/v1/transactions/${sent.reference}/accept`)).data;
console.log(`6. ${receiver.handle} accepted: ${accepted.status}`);

const completed = await sender.waitFor('TRANSACTION_COMPLETED');
if (completed.transaction.reference !== sent.reference) fail('TRANSACTION_COMPLETED for another payment');
console.log(`7. ${sender.handle} got TRANSACTION_COMPLETED (verified, decrypted)`);

for (const app of [sender, receiver]) {
  const w = (await app.call('GET', '/v1/wallet')).data;
  console.log(`8. ${app.handle} wallet: balance ${w.balance} ${w.currency}`);
}
server.close();
console.log('OK: every step held');
