// Made-up prompts and answers for simulated records, chosen by the task a job's name suggests
// (the demo name stems), and the one token rule every simulated count follows. Everything is a
// pure function of a seed string, so a record made up twice comes out the same — the simulator
// regenerates outputs instead of keeping them. Texts mix in non-ASCII characters (é, —, €, 日本,
// 👍) so that readers meet multi-byte UTF-8 as they would in real outputs.
import { createRandom, type Random } from '../random.ts';

/** A record's random stream: the same `seed` always gives the same stream. */
export function randomFor(seed: string): Random {
  return createRandom(hash32(seed));
}

/** FNV-1a over the UTF-16 code units: small, fast, well spread for ids and indexes. */
export function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Tokens of a text, the simulator's rule for every model: one per 4 characters, at least one. */
export function tokensOf(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export type Task =
  | 'ticket-triage'
  | 'review-sentiment'
  | 'invoice-extraction'
  | 'description-rewrite'
  | 'transcript-summary'
  | 'search-query'
  | 'clause-tagging'
  | 'faq-answer'
  | 'general';

const TASK_BY_STEM: readonly [string, Task][] = [
  ['support-ticket', 'ticket-triage'],
  ['product-review', 'review-sentiment'],
  ['invoice', 'invoice-extraction'],
  ['catalog-description', 'description-rewrite'],
  ['call-transcript', 'transcript-summary'],
  ['search-query', 'search-query'],
  ['contract-clause', 'clause-tagging'],
  ['faq-answer', 'faq-answer'],
];

/** The task a job's name suggests. */
export function taskOf(jobName: string): Task {
  return TASK_BY_STEM.find(([stem]) => jobName.includes(stem))?.[1] ?? 'general';
}

const PRODUCTS = ['espresso grinder', 'trail running shoes', 'noise-cancelling headphones', 'café table', 'standing desk', 'rice cooker (日本製)', 'e-reader', 'kettle'];
const FEELINGS = ['works exactly as described', 'stopped working after two weeks', 'is fine but overpriced at €149', 'arrived late — but support was great', 'exceeded my expectations 👍', 'feels cheap and the manual is useless'];
const ISSUES = ['cannot log in after the password reset', 'was charged twice for the May invoice', 'export to CSV times out', 'the mobile app crashes on start', 'needs an invoice with the company’s VAT number', 'wants to cancel the subscription'];
const TEAMS = ['billing', 'accounts', 'platform', 'mobile', 'customer-success'];
const VENDORS = ['Müller & Söhne GmbH', 'Acme Supplies Ltd', 'Nordic Paper AB', 'Café Lumière SARL', 'Tanaka Trading 株式会社'];
const CLAUSES = ['limitation of liability', 'termination for convenience', 'confidentiality', 'governing law', 'indemnification', 'data protection'];
const TOPICS = ['resetting a password', 'changing the billing address', 'exporting reports', 'inviting team members', 'setting up single sign-on', 'the refund policy'];
const QUERIES = ['waterproof hiking jacket women', 'usb-c charger 65w', 'naïve bayes tutorial', 'crème brûlée torch', 'ergonomic office chair lumbar', 'best budget espresso machine'];
const SENTIMENTS = [
  'positive — The reviewer is satisfied with the quality.',
  'positive — Strong praise; would buy again 👍',
  'negative — The reviewer reports a defect and asks for a refund.',
  'mixed — Praise for the product, complaints about delivery.',
];
const FILLER = [
  'The customer mentions it twice in the same message.',
  'No order number was given.',
  'This is the second contact about the same problem.',
  'Tone is polite but impatient.',
  'The request refers to last quarter — Q2.',
];

/** A made-up prompt for one record of a `task` job. */
export function madeUpPrompt(task: Task, rng: Random): string {
  switch (task) {
    case 'ticket-triage':
      return `Classify this support ticket by owning team and urgency (low, medium, high). Reply as JSON.\n\nTicket: The customer ${rng.pick(ISSUES)}. ${rng.pick(FILLER)}`;
    case 'review-sentiment':
      return `What is the sentiment of this product review? Answer positive, negative or mixed, then one sentence of reasoning.\n\nReview: The ${rng.pick(PRODUCTS)} ${rng.pick(FEELINGS)}.`;
    case 'invoice-extraction':
      return `Extract vendor, invoice number, date and total from this invoice text as JSON.\n\nINVOICE ${rng.int(10000, 99999)} — ${rng.pick(VENDORS)} — ${rng.int(1, 28)}.0${rng.int(1, 9)}.2024 — Total €${rng.int(40, 9000)}.${rng.int(10, 99)}`;
    case 'description-rewrite':
      return `Rewrite this catalog description in German, at most 60 words, keeping every technical fact.\n\n${capitalize(rng.pick(PRODUCTS))}: durable, ${rng.int(2, 5)}-year warranty, ships in ${rng.int(1, 7)} days.`;
    case 'transcript-summary':
      return `Summarize this call transcript in three bullet points.\n\nAgent: Thanks for calling. Caller: Hi — I ${rng.pick(ISSUES).replace(/^cannot/, 'can’t')}. Agent: Let me check that for you. ${rng.pick(FILLER)}`;
    case 'search-query':
      return rng.pick(QUERIES);
    case 'clause-tagging':
      return `Tag this contract clause with one of: ${CLAUSES.join(', ')}.\n\nClause ${rng.int(1, 40)}.${rng.int(1, 9)}: Neither party shall be liable for indirect or consequential losses arising under this Agreement, save as set out in clause ${rng.int(1, 40)}.`;
    case 'faq-answer':
      return `Draft a short, friendly FAQ answer about ${rng.pick(TOPICS)} for our help centre.`;
    case 'general':
      return `Answer briefly: what should a team check before ${rng.pick(TOPICS)}? ${rng.pick(FILLER)}`;
  }
}

/** A made-up answer for one record of a `task` job. */
export function madeUpAnswer(task: Task, rng: Random): string {
  switch (task) {
    case 'ticket-triage':
      return JSON.stringify({ team: rng.pick(TEAMS), urgency: rng.pick(['low', 'medium', 'high']), reason: rng.pick(FILLER) });
    case 'review-sentiment':
      return rng.pick(SENTIMENTS);
    case 'invoice-extraction':
      return JSON.stringify({ vendor: rng.pick(VENDORS), invoiceNumber: String(rng.int(10000, 99999)), date: `2024-0${rng.int(1, 9)}-${rng.int(10, 28)}`, total: `€${rng.int(40, 9000)}.${rng.int(10, 99)}` });
    case 'description-rewrite':
      return `Langlebig und zuverlässig: ${rng.int(2, 5)} Jahre Garantie, Lieferung in ${rng.int(1, 7)} Tagen. Ideal für den täglichen Gebrauch — überzeugt durch Qualität.`;
    case 'transcript-summary':
      return `- Caller reported that they ${rng.pick(ISSUES)}.\n- Agent verified the account and ${rng.pick(['reset the session', 'issued a credit', 'escalated to tier 2'])}.\n- Follow-up ${rng.pick(['not needed', 'by email within 24 h', 'scheduled for Monday'])}.`;
    case 'search-query':
      return '';
    case 'clause-tagging':
      return rng.pick(CLAUSES);
    case 'faq-answer':
      return `Go to Settings → ${rng.pick(['Account', 'Billing', 'Team'])} and follow the prompts. ${rng.pick(['It takes about a minute.', 'Changes apply right away.', 'Contact support if the option is greyed out.'])}`;
    case 'general':
      return `Check permissions, notify the affected users, and keep a rollback plan — ${rng.pick(['then proceed.', 'in that order.', 'and document it.'])}`;
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
